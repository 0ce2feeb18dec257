"""Resolution runs over the store: attach new documents incrementally, replay judgements, rebuild.

Entities are read with their aliases as normal forms where mentions carry a lemma, and every
global entity is written with its Latin-script forms (``latin``) and the name keys it is found by.
After the new documents are placed, those linked to another wording of their article (a story link of
kind 'translation' or 'rewording') have their entities aligned with it (``align.propose``): each
proposed pair is recorded (``entity_alignments``) and put into one global entity (``Resolver.align``)
unless a judgement or the names forbid it. Only the new documents' links are read."""
from __future__ import annotations

from dataclasses import dataclass

from ..store.db import Store
from .align import DocView, EntityView, MentionView, propose
from .anchors import unpack
from .entities import Judgement, Resolver, _num
from ..types import DocEntity
from .names import name_form, name_keys_of
from .translit import latin_names


@dataclass
class ResolutionReport:
    documents: int  # documents resolved in this run
    global_entities: int


def _apply(resolver: Resolver, judgement: dict) -> None:
    kind, a, b = judgement["kind"], judgement["a"], judgement["b"]
    if kind == "merge":
        resolver.judge(a, b, Judgement.POSITIVE)
    elif kind == "separate":
        resolver.judge(a, b, Judgement.NEGATIVE)
    elif kind == "split":
        doc, local = a.split("#", 1)
        gid = resolver.global_id(doc, local)
        if gid is not None:
            resolver.split_alias(gid, b)
    elif kind == "reject":
        if "#" in a:
            resolver.reject_member(a)
        else:
            resolver.reject_name(a)
    else:
        raise ValueError(f"unknown judgement kind {kind!r}")


BATCH = 500  # documents read from the store at a time


def _read_batches(store: Store, pending_only: bool):
    """The documents to resolve, read in batches of ``BATCH`` (each batch read whole, so the
    store is not read and written at once), their entities' aliases read as normal forms."""
    after = None
    while True:
        batch = list(store.documents_to_resolve(pending_only=pending_only, after=after, limit=BATCH))
        if not batch:
            return
        lemmas = store.mention_lemmas(doc_id for doc_id, _, _ in batch)
        if lemmas:
            for doc_id, _, entities in batch:
                for e in entities:
                    if (doc_id, e.id) in lemmas:
                        e.aliases = _lemma_aliases(e, lemmas[(doc_id, e.id)])
        yield batch
        after = batch[-1][0]


def _lemma_aliases(entity: DocEntity, lemmas: dict[str, str]) -> list[str]:
    """A document entity's aliases with each inflected surface form replaced by the normal form
    its mentions carry ("Цунэокой" -> "Цунэока"), the name first, deduplicated."""
    out: list[str] = []
    for a in [entity.name, *entity.aliases]:
        a = lemmas.get(a) or a
        if a not in out:
            out.append(a)
    return out


def _doc_view(resolver: Resolver, doc_id: int, data: dict) -> DocView:
    """A stored document as alignment reads it, with its entities' current global ids and their
    aliases as normal forms (the lemmas their mentions carry)."""
    mentions = [MentionView(s, e, text, local, lemma) for s, e, text, local, lemma in data["mentions"]]
    lemmas: dict[str, dict[str, str]] = {}
    for m in mentions:
        if m.lemma:
            lemmas.setdefault(m.entity, {}).setdefault(m.text, m.lemma)
    entities = {}
    for local, (name, label, aliases) in data["entities"].items():
        forms = lemmas.get(local, {})
        names = tuple(dict.fromkeys(forms.get(a, a) for a in [name, *aliases]))
        entities[local] = EntityView(local, names[0], label, names[1:], resolver.global_id(str(doc_id), local))
    if data.get("anchors") is not None and not isinstance(data["anchors"], list):
        data["anchors"] = unpack(data["anchors"])  # once per document (the view is made per link)
    return DocView(str(doc_id), data["text"], [tuple(x) for x in data["sentences"]], mentions, entities,
                   data.get("anchors"))


def _align(store: Store, resolver: Resolver, doc_ids: list[int] | None) -> list[tuple]:
    """Align the entities of the documents linked to another wording of their article (only the
    links of ``doc_ids``; every link when None) and apply the pairs; returns the rows to record."""
    links = store.wording_links(doc_ids)
    cache: dict[int, dict | None] = {}
    rows = []
    for d, o in links:
        for x in (d, o):
            if x not in cache:
                cache[x] = store.alignment_view(x)
        if cache[d] is None or cache[o] is None:
            continue
        # global ids as they are now (an earlier link may have merged some)
        a, b = _doc_view(resolver, d, cache[d]), _doc_view(resolver, o, cache[o])
        for found in propose(a, b):
            resolver.align(f"{d}#{found.a}", f"{o}#{found.b}", found.score)
            rows.append((d, found.a, o, found.b, found.score, found.evidence))
    return rows


def entity_keys(aliases: list[str], latin: list[str]) -> list[str]:
    """The normalised keys a global entity is found by: those of its names and Latin forms."""
    return sorted({k for n in [*aliases, *latin] for k in name_keys_of(n)})


def _save(store: Store, resolver: Resolver, resolved_docs: list[int], full: bool = False) -> ResolutionReport:
    """Write the resolution. ``full``: every document entity's global id and every global
    entity (a rebuild); else only what changed since the state was loaded (the store holds the
    rest from earlier runs)."""
    if full:
        member_ids = [mid for ms in resolver.docs.values() for mid in ms]
        gids = sorted(resolver.clusters, key=_num)
        deleted: list[str] = []
    else:
        changed_members, changed_clusters = resolver.changes()
        member_ids = sorted(mid for mid in changed_members if mid in resolver.members)
        gids = sorted((g for g in changed_clusters if g in resolver.clusters), key=_num)
        deleted = sorted((g for g in changed_clusters if g not in resolver.clusters), key=_num)
    assignments: dict[tuple[int, str], str | None] = {}
    for mid in member_ids:
        m = resolver.members[mid]
        assignments[(int(m.doc), m.local)] = resolver.global_id(m.doc, m.local)
    entities = [resolver.entity(gid) for gid in gids]
    if full:
        counts = store.mention_counts()
    else:
        counts = store.mention_counts({int(d) for entity in entities for d in entity["documents"]})
    globals_ = []
    for entity in entities:
        members = [m.split("#", 1) for m in entity["members"]]
        latin = latin_names(entity["aliases"])
        globals_.append({"id": entity["id"], "name": entity["name"], "label": entity["label"],
                         "aliases": entity["aliases"], "documents": len(entity["documents"]),
                         "mentions": sum(counts.get((int(d), loc), 0) for d, loc in members),
                         "latin": latin, "keys": entity_keys(entity["aliases"], latin)})
    # Mentions written as an alias split off their entity resolve elsewhere (or nowhere).
    overrides: dict[int, str | None] = {}
    for gid, keys in resolver.split_aliases.items():
        for mention_id, doc_id, local, text in store.mentions_of_global(resolver.canonical(gid)):
            if name_form(text).key in keys:
                overrides[mention_id] = resolver.global_id(str(doc_id), local, surface=text)
    store.save_resolution(resolver.to_dict(), assignments, globals_, resolved_docs, overrides,
                          deleted_globals=deleted, replace_all=full)
    resolver.clear_changes()
    return ResolutionReport(len(resolved_docs), len(resolver.clusters))


def resolve_pending(store: Store) -> ResolutionReport:
    """Attach documents not yet resolved to the existing global entities (incremental).

    Reading the state, resolving and saving happen in one write transaction, so two ingests
    finishing together cannot overwrite each other's resolution.
    """
    with store.write_transaction():
        return _resolve_pending(store)


def _resolve_pending(store: Store) -> ResolutionReport:
    state = store.resolver_state()
    resolver: Resolver | None = None
    resolved: list[int] = []
    for batch in _read_batches(store, pending_only=True):
        if resolver is None:
            resolver = Resolver.from_dict(state) if state else Resolver()
        for doc_id, story_id, entities in batch:
            resolver.add_document(str(doc_id), entities, {"story": str(story_id)} if story_id else None)
            resolved.append(doc_id)
    if resolver is None:
        return ResolutionReport(0, store.conn.execute("SELECT count(*) FROM global_entities").fetchone()[0])
    store.save_alignments(_align(store, resolver, resolved))
    return _save(store, resolver, resolved)


def rebuild(store: Store) -> ResolutionReport:
    """Resolve every document from scratch, then replay every active judgement in order."""
    with store.write_transaction():
        return _rebuild(store)


def _rebuild(store: Store) -> ResolutionReport:
    resolver = Resolver()
    resolved: list[int] = []
    for batch in _read_batches(store, pending_only=False):
        for doc_id, story_id, entities in batch:
            resolver.add_document(str(doc_id), entities, {"story": str(story_id)} if story_id else None)
            resolved.append(doc_id)
    store.save_alignments(_align(store, resolver, None), replace_all=True)
    for judgement in store.judgements():
        _apply(resolver, judgement)
    return _save(store, resolver, resolved, full=True)


def judge(store: Store, kind: str, a: str, b: str | None, note: str | None = None) -> ResolutionReport:
    """Record a judgement and apply it to the current resolution (later runs replay it)."""
    with store.write_transaction():
        return _judge(store, kind, a, b, note)


def _judge(store: Store, kind: str, a: str, b: str | None, note: str | None) -> ResolutionReport:
    state = store.resolver_state()
    resolver = Resolver.from_dict(state) if state else Resolver()
    judgement = {"kind": kind, "a": a, "b": b}
    _apply(resolver, judgement)  # raises ValueError on a contradiction: nothing is recorded then
    store.add_judgement(kind, a, b, note)
    return _save(store, resolver, [])


def undo(store: Store) -> dict | None:
    """Undo the latest judgement: mark it undone and rebuild the resolution without it."""
    with store.write_transaction():
        undone = store.undo_judgement()
        if undone is not None:
            _rebuild(store)
        return undone
