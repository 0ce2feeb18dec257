"""Extraction in worker processes: read + clean + NLP + our passes + story signature per document.

``extract_parallel(inputs, workers=N)`` yields the same items as the in-process path, in input
order, each with its story signature, while N worker processes do the work:

* the main process only walks the inputs (directories are expanded lazily, file by file) and
  groups them into small tasks: a single-document file travels as its path and the worker
  reads it; multi-document containers (JSONL, WARC) and standard input are read (streamed) in
  the main process and their documents travel as ``RawDocument``;
* at most ``window`` tasks are in flight (a fixed window of futures, oldest first): memory is
  bounded whatever the corpus size, and results come back in submission order; the window
  (``WINDOW_PER_WORKER`` tasks per worker) is wide enough that a slow task at its head does
  not leave the other workers idle while the main process waits for it;
* each worker loads a language's pipeline once, when the first document in that language
  reaches it, and keeps it (a worker that sees only English never loads the Russian models);
* with ``db`` (the store's file), a worker skips content the store already holds before NLP,
  as the in-process path does (read-only use of ``Store.has_content``).

Workers are started with the ``spawn`` method (no fork of a process holding threads or a
loaded model) and with BLAS threads limited to one per process.
"""
from __future__ import annotations

import os
from collections import deque
from concurrent.futures import Future, ProcessPoolExecutor
from dataclasses import dataclass
from pathlib import Path
from typing import Iterable, Iterator

from .extract.nlp import DEFAULT_MODEL
from .read.readers import CONTAINER_SUFFIXES, MAX_BYTES, iter_files, read_file, read_inputs
from .resolve.stories import Signature
from .types import ExtractedDocument, RawDocument, ReadError

TASK_SIZE = 16  # documents (or single-document files) per task
WINDOW_PER_WORKER = 8  # tasks in flight per worker (about 130 documents of results at most)
THREAD_VARS = ("OMP_NUM_THREADS", "OPENBLAS_NUM_THREADS", "MKL_NUM_THREADS", "BLIS_NUM_THREADS")


@dataclass
class Unchanged:
    """A document whose content the store already holds (skipped before NLP)."""

    raw: RawDocument


Result = tuple[ExtractedDocument, Signature] | Unchanged | ReadError

_state: dict = {}


def _init_worker(specs: dict, clean: bool, db: str | None, max_bytes: int = MAX_BYTES,
                 language: str | None = None) -> None:
    from .extract.languages import Analysers
    from .store.db import Store

    _state["analysers"] = Analysers(specs)  # each pipeline loads when its first document arrives
    _state["clean"] = clean
    _state["store"] = Store(db) if db else None
    _state["max_bytes"] = max_bytes
    _state["language"] = language


def _task_items(task: list, max_bytes: int) -> Iterator[RawDocument | ReadError]:
    for kind, value in task:
        if kind == "path":
            yield from read_file(Path(value), max_bytes)
        else:
            yield value


def run_task(task: list, nlp=None, clean: bool | None = None, store=None) -> list[Result]:
    """Read, clean, extract and sign one task's documents (in a worker, or in process for tests)."""
    from .pipeline import extract
    from .resolve.stories import signature
    from .store.db import content_hash

    nlp = nlp if nlp is not None else _state["analysers"]
    clean = clean if clean is not None else _state["clean"]
    store = store if store is not None else _state.get("store")
    results: list[Result] = []
    order: list[int] = []  # input position of each item given to extract()
    fresh: list[RawDocument | ReadError] = []
    for item in _task_items(task, _state.get("max_bytes", MAX_BYTES)):
        if isinstance(item, RawDocument) and store is not None and store.has_content(content_hash(item.raw)):
            results.append(Unchanged(item))
            continue
        order.append(len(results))
        results.append(None)  # type: ignore[arg-type]
        fresh.append(item)
    # extract() yields one output per input (read errors pass through, cleaning failures become
    # ReadErrors), but not always at the input's position: place them back by source.
    outputs = list(extract(fresh, nlp, clean, language=_state.get("language")))
    by_source: dict[str, list] = {}
    for out in outputs:
        by_source.setdefault(out.source, []).append(out)
    for pos, item in zip(order, fresh):
        out = by_source[item.source].pop(0)
        results[pos] = out if isinstance(out, ReadError) else (out, signature(out.text))
    return results


def _tasks(inputs: Iterable[str], task_size: int, max_bytes: int = MAX_BYTES) -> Iterator[list]:
    """Small lists of ("path", file) / ("raw", RawDocument | ReadError), in input order."""
    task: list = []

    def files() -> Iterator[tuple[str, object]]:
        for item in inputs:
            if item == "-":
                for raw in read_inputs(["-"], max_bytes=max_bytes):
                    yield "raw", raw
                continue
            path = Path(item)
            if not os.path.lexists(path):
                yield "raw", ReadError(item, "no such file or directory")
                continue
            for file in iter_files(path) if path.is_dir() else [path]:
                if file.name.lower().endswith(CONTAINER_SUFFIXES):
                    for raw in read_file(file, max_bytes):  # streamed here: one container, many documents
                        yield "raw", raw
                else:
                    yield "path", str(file)

    for entry in files():
        task.append(entry)
        if len(task) >= task_size:
            yield task
            task = []
    if task:
        yield task


def _spawn_context():
    import multiprocessing

    return multiprocessing.get_context("spawn")


def extract_parallel(inputs: Iterable[str], workers: int, model: str = DEFAULT_MODEL, clean: bool = True,
                     db: str | None = None, max_bytes: int = MAX_BYTES, task_size: int = TASK_SIZE,
                     window: int | None = None, specs: dict | None = None,
                     language: str | None = None) -> Iterator[Result]:
    """Results for every document of ``inputs``, in input order, computed by ``workers`` processes.

    ``specs``: the language pipelines (default: the configured ones, ``model`` for English);
    each worker loads a pipeline only when a document in its language reaches it.
    """
    from .extract.languages import default_specs, with_english_model

    specs = with_english_model(specs if specs is not None else default_specs(), model)
    window = window or WINDOW_PER_WORKER * workers
    saved = {k: os.environ.get(k) for k in THREAD_VARS}
    os.environ.update({k: "1" for k in THREAD_VARS})  # inherited by the spawned workers
    try:
        pool = ProcessPoolExecutor(max_workers=workers, mp_context=_spawn_context(),
                                   initializer=_init_worker, initargs=(specs, clean, db, max_bytes, language))
    finally:
        for k, v in saved.items():
            if v is None:
                os.environ.pop(k, None)
            else:
                os.environ[k] = v
    pending: deque[Future] = deque()
    try:
        for task in _tasks(inputs, task_size, max_bytes):
            pending.append(pool.submit(run_task, task))
            if len(pending) >= window:
                yield from pending.popleft().result()
        while pending:
            yield from pending.popleft().result()
    finally:
        for future in pending:
            future.cancel()
        pool.shutdown(wait=True, cancel_futures=True)
