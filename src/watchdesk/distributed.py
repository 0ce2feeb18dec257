"""Ingest on a Dask cluster: extraction on the cluster's workers to Parquet shards, then one load.

``run_on_cluster(inputs, scheduler, out)`` (``watchdesk ingest --engine dask --scheduler
tcp://HOST:PORT --out SHARDS INPUTS...``) cuts the inputs into shards of documents and maps the
per-document pipeline (read, clean, NLP, our extraction passes, story signature — exactly
``watchdesk.parallel.run_task``, the code ``--workers`` runs) over them on the cluster's
workers. Each worker loads the spaCy pipeline once (a worker plugin loads it at start; tasks
reuse the cached pipeline) and writes one Parquet file per shard into the output folder:
``shard-000000.parquet``, ... in input order.

Shard format (one row per input document, in input order within the shard):

    seq int64        position of the document in the shard
    kind string      "document" or "error"
    source string    where it was read from
    doc_id string    the document's id (null for errors)
    reason string    why it failed (errors only)
    model string     the spaCy pipeline that analysed it
    document string  the whole ExtractedDocument as JSON (dataclasses.asdict: raw and clean text,
                     metadata, sentences, mentions, entities, aliases, quotes, claims, quantities,
                     relations, events, removed lines)
    sig_size int64, sig_hash binary, sig_lead binary
                     the story MinHash signature (shingle count, hash values, lead hash values)

``load_shards(shards, store)`` (``watchdesk load SHARDS --db desk.db``) then adds the documents
to the store in shard order — the input order — with their signatures, as ``pipeline.ingest``
does, and runs cross-document resolution once (``resolve_pending``): the store ends up as a
local ``watchdesk ingest`` of the same inputs would leave it.

The workers need Watchdesk and the spaCy pipeline installed, and must see the input paths and
the output folder at the same paths as the client (a shared filesystem).
"""
from __future__ import annotations

import json
import threading
from collections import deque
from dataclasses import asdict, dataclass, field
from functools import lru_cache
from pathlib import Path
from typing import Any, Iterable, Iterator

import numpy as np
from distributed.diagnostics.plugin import WorkerPlugin

from .extract.nlp import DEFAULT_MODEL
from .settings import DEFAULT_LANGUAGE
from .read.readers import MAX_BYTES
from .resolve.stories import Signature
from .types import (AliasLink, Attribution, DocEntity, Event, ExtractedDocument, Mention, Quantity, ReadError,
                    Relation, RemovedLine, Sentence, Span)

SHARD_SIZE = 64  # documents (or single-document files) per shard
SHARD_PATTERN = "shard-{:06d}.parquet"

_nlp_lock = threading.Lock()  # one document batch at a time per worker process, whatever its threads


# ---- ExtractedDocument <-> JSON (the whole document, not only the public schema) ---------------
def _span(data: dict | None) -> Span | None:
    return Span(**data) if data else None


def document_to_dict(doc: ExtractedDocument) -> dict[str, Any]:
    return asdict(doc)


def document_from_dict(data: dict[str, Any]) -> ExtractedDocument:
    """The inverse of ``document_to_dict`` (nested dataclasses rebuilt)."""
    d = dict(data)
    d["removed"] = [RemovedLine(**r) for r in d.get("removed", [])]
    d["sentences"] = [Sentence(**s) for s in d.get("sentences", [])]
    d["mentions"] = [Mention(**m) for m in d.get("mentions", [])]
    d["entities"] = [DocEntity(**e) for e in d.get("entities", [])]
    d["aliases"] = [AliasLink(**a) for a in d.get("aliases", [])]
    for key in ("quotes", "claims"):
        d[key] = [Attribution(**{**a, **{k: _span(a[k]) for k in ("content", "cue", "speaker")}})
                  for a in d.get(key, [])]
    d["quantities"] = [Quantity(**q) for q in d.get("quantities", [])]
    d["relations"] = [Relation(**{**r, **{k: _span(r[k]) for k in ("subject", "predicate", "object", "evidence")}})
                      for r in d.get("relations", [])]
    d["events"] = [Event(**{**e, **{k: _span(e[k]) for k in ("time", "evidence", "trigger")}})
                   for e in d.get("events", [])]
    return ExtractedDocument(**d)


def _signature_columns(sig: Signature | None) -> tuple[int | None, bytes | None, bytes | None]:
    if sig is None:
        return None, None, None
    lead = sig.lead.astype("<u8").tobytes() if sig.lead is not None else None
    return sig.size, sig.hashvalues.astype("<u8").tobytes(), lead


def _signature_from(size: int | None, values: bytes | None, lead: bytes | None) -> Signature | None:
    if values is None:
        return None
    return Signature(np.frombuffer(values, dtype="<u8").astype(np.uint64), int(size),
                     np.frombuffer(lead, dtype="<u8").astype(np.uint64) if lead is not None else None)


# ---- on the workers ---------------------------------------------------------------------------
class ModelPlugin(WorkerPlugin):
    """Dask worker plugin: load the spaCy pipeline once when a worker starts (cached after)."""

    name = "watchdesk-model"

    def __init__(self, model: str = DEFAULT_MODEL):
        self.model = model

    def setup(self, worker=None) -> None:
        _analysers(self.model).get(DEFAULT_LANGUAGE)  # the default language's pipeline; others on first use

    def teardown(self, worker=None) -> None:
        pass


@lru_cache(maxsize=4)
def _analysers(model: str):
    """The configured language pipelines of this worker process (``model`` for English), loaded lazily."""
    from .extract.languages import Analysers, default_specs, with_english_model

    return Analysers(with_english_model(default_specs(), model))


def process_shard(index: int, task: list, out: str, model: str = DEFAULT_MODEL, clean: bool = True,
                  max_bytes: int = MAX_BYTES) -> str:
    """Extract one shard's documents and write them to ``out/shard-INDEX.parquet``; returns its path."""
    import pyarrow as pa
    import pyarrow.parquet as pq

    from .parallel import _state, run_task

    nlp = _analysers(model)  # cached per process: loaded once by the plugin
    _state.setdefault("max_bytes", max_bytes)
    with _nlp_lock:
        results = run_task(task, nlp=nlp, clean=clean, store=None)
    rows: dict[str, list] = {k: [] for k in ("seq", "kind", "source", "doc_id", "reason", "model", "document",
                                             "sig_size", "sig_hash", "sig_lead")}
    for seq, result in enumerate(results):
        if isinstance(result, ReadError):
            doc, sig, kind = None, None, "error"
        else:
            (doc, sig), kind = result, "document"
        size, values, lead = _signature_columns(sig)
        for key, value in (("seq", seq), ("kind", kind), ("source", result.source if doc is None else doc.source),
                           ("doc_id", doc.id if doc else None),
                           ("reason", result.reason if doc is None else None), ("model", model),
                           ("document", json.dumps(document_to_dict(doc), ensure_ascii=False) if doc else None),
                           ("sig_size", size), ("sig_hash", values), ("sig_lead", lead)):
            rows[key].append(value)
    schema = pa.schema([("seq", pa.int64()), ("kind", pa.string()), ("source", pa.string()),
                        ("doc_id", pa.string()), ("reason", pa.string()), ("model", pa.string()),
                        ("document", pa.string()), ("sig_size", pa.int64()), ("sig_hash", pa.binary()),
                        ("sig_lead", pa.binary())])
    path = Path(out) / SHARD_PATTERN.format(index)
    tmp = path.with_suffix(".parquet.tmp")
    pq.write_table(pa.table(rows, schema=schema), tmp, compression="zstd")
    tmp.replace(path)  # a shard file is complete or absent
    return str(path)


# ---- on the client ----------------------------------------------------------------------------
@dataclass
class ClusterReport:
    shards: list[str] = field(default_factory=list)
    documents: int = 0  # input units sent (files or documents)


def run_on_cluster(inputs: Iterable[str], scheduler: str | Any, out: str | Path, model: str = DEFAULT_MODEL,
                   clean: bool = True, shard_size: int | None = None, max_bytes: int = MAX_BYTES,
                   window: int | None = None) -> ClusterReport:
    """Map the per-document pipeline over shards of ``inputs`` on the cluster at ``scheduler``.

    ``scheduler`` is an address (``tcp://host:8786``) or a ``distributed.Client``. At most
    ``window`` shards are in flight (default: 2 per worker thread), so the client never holds the
    corpus. Returns the shard files, in input order.
    """
    from distributed import Client

    from .parallel import _tasks

    out = Path(out).resolve()
    out.mkdir(parents=True, exist_ok=True)
    if any(out.glob("shard-*.parquet")):  # `load` takes every shard in the folder: never mix two runs
        raise FileExistsError(f"{out} already holds shards of an earlier run: give a new or empty folder")
    own_client = not isinstance(scheduler, Client)
    client = Client(scheduler) if own_client else scheduler
    report = ClusterReport()
    try:
        client.register_plugin(ModelPlugin(model), name=ModelPlugin.name)
        if window is None:
            threads = sum(client.nthreads().values()) or 1
            window = 2 * threads
        pending: deque = deque()
        for index, task in enumerate(_tasks(inputs, shard_size or SHARD_SIZE, max_bytes)):
            report.documents += len(task)
            pending.append(client.submit(process_shard, index, task, str(out), model, clean, max_bytes,
                                         key=f"watchdesk-shard-{out.name}-{index}", pure=False))
            if len(pending) >= window:
                report.shards.append(pending.popleft().result())
        while pending:
            report.shards.append(pending.popleft().result())
    finally:
        if own_client:
            client.close()
    return report


def shard_files(paths: Iterable[str | Path]) -> list[Path]:
    """Shard files named by ``paths`` (files, or folders of ``*.parquet``), in shard order."""
    files: list[Path] = []
    for p in paths:
        p = Path(p)
        files.extend(sorted(p.glob("*.parquet")) if p.is_dir() else [p])
    return files


def iter_shard(path: str | Path) -> Iterator[tuple[ExtractedDocument | ReadError, Signature | None, str | None]]:
    """(document or error, signature, model) per row of one shard file, streaming by row group."""
    import pyarrow.parquet as pq

    reader = pq.ParquetFile(path)
    for batch in reader.iter_batches(batch_size=256):
        for row in batch.to_pylist():
            if row["kind"] == "error":
                yield ReadError(row["source"], row["reason"]), None, row["model"]
            else:
                yield (document_from_dict(json.loads(row["document"])),
                       _signature_from(row["sig_size"], row["sig_hash"], row["sig_lead"]), row["model"])


def load_shards(shards: Iterable[str | Path], store, on_item=None, resolve: bool = True):
    """Add the shards' documents to ``store`` in order (as ``pipeline.ingest`` does), then resolve."""
    from .pipeline import IngestReport, finish_ingest, store_item

    report = IngestReport()
    for path in shard_files(shards):
        for item, sig, model in iter_shard(path):
            store_item(store, report, item, model, sig)
            if on_item:
                on_item(item)
    return finish_ingest(store, report) if resolve else report
