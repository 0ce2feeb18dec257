"""The resolver's blocking index: blocking key -> the clusters indexed under it, each with the
sequence number of the latest document that brought it there (its activity under that key).

A key shared by few clusters answers with all of them. A key shared by more than ``cap``
clusters carries little information (a common given name, a frequent word's phonetic skeleton,
two-letter initials): like a sliding window over a stream, it answers only with the clusters
active under it in the last ``window`` documents, so the candidates of a member no longer grow
with the store. Entities outside that window stay reachable through their other keys. The
answer is a function of the clusters' members and the document order alone, so a resolver
rebuilt from its dumped state answers exactly as the one that built it.
"""
from __future__ import annotations

from typing import Iterable, Iterator

CAP = 32  # clusters a key may carry before it answers with recent ones only
WINDOW = 200  # documents: "recent" under an over-full key


class BlockIndex:
    """Key -> {cluster id: latest document sequence number}, each block in activity order."""

    __slots__ = ("cap", "window", "_blocks", "_unsorted")

    def __init__(self, cap: int = CAP, window: int = WINDOW) -> None:
        self.cap = cap
        self.window = window
        self._blocks: dict[str, dict[str, int]] = {}
        self._unsorted: set[str] = set()  # blocks that got an older entry last (sorted on read)

    def __getitem__(self, key: str) -> dict[str, int]:
        """The clusters under a key (empty if none), in no guaranteed order."""
        return self._blocks.get(key, {})

    def add(self, key: str, cid: str, seq: int) -> None:
        """Index a cluster under a key, active at document ``seq`` (a later activity wins)."""
        block = self._blocks.get(key)
        if block is None:
            self._blocks[key] = {cid: seq}
            return
        old = block.pop(cid, None)
        if old is not None and old > seq:
            seq = old
        if block and seq < next(reversed(block.values())):
            self._unsorted.add(key)
        block[cid] = seq

    def candidates(self, key: str, now: int, context: Iterable[str] = ()) -> Iterator[str]:
        """The clusters a member of document ``now`` meets under ``key``: all of them, or when
        the key is over-full those active since ``now - window`` and those among ``context``
        (clusters of the document's related documents)."""
        block = self._blocks.get(key)
        if not block:
            return
        if len(block) <= self.cap:
            yield from block
            return
        if key in self._unsorted:
            self._blocks[key] = block = dict(sorted(block.items(), key=lambda kv: kv[1]))
            self._unsorted.discard(key)
        since = now - self.window
        for cid, seq in reversed(block.items()):
            if seq < since:
                break
            yield cid
        for cid in context:
            if block.get(cid, now) < since:
                yield cid

    def rebuild(self, entries: Iterable[tuple[str, str, int]]) -> None:
        """Replace the index by ``(key, cluster id, seq)`` entries (any order)."""
        latest: dict[str, dict[str, int]] = {}
        for key, cid, seq in entries:
            block = latest.setdefault(key, {})
            if block.get(cid, -1) < seq:
                block[cid] = seq
        self._blocks = {k: dict(sorted(b.items(), key=lambda kv: kv[1])) for k, b in latest.items()}
        self._unsorted = set()
