"""`ingest --workers N`: the same store as one process (export compared), input order kept,
bounded in-flight work, already stored content skipped."""
from __future__ import annotations

import json
import shutil
from pathlib import Path

from click.testing import CliRunner

from watchdesk.cli import main
from watchdesk.parallel import Unchanged, extract_parallel, run_task
from watchdesk.store.db import Store
from watchdesk.types import ExtractedDocument, ReadError

TEXTS = {
    "a.txt": "Strike ends at Rotterdam port\n\nDockworkers in Rotterdam returned to work on Tuesday after "
             "the FNV union reached a deal with the port operator, union leader Niek Stam said.",
    "b.txt": "Cairo hosts dam talks\n\nNegotiators from Egypt, Sudan and Ethiopia met in Cairo on Monday. "
             "\"We are close to an agreement,\" said Sameh Shoukry, Egypt's foreign minister.",
    "c.txt": "Strike ends at Rotterdam port\n\nDockworkers in Rotterdam returned to work on Tuesday after "
             "the FNV union reached a deal with the port operator, Niek Stam said on Tuesday.",
    "d.txt": "Shoukry meets Blinken\n\nSameh Shoukry met Antony Blinken in Washington on 3 May 2021 to "
             "discuss the dam. Shoukry said Egypt wanted a binding deal.",
}


def make_corpus(root: Path, sample_path: Path) -> Path:
    folder = root / "in"
    (folder / "sub").mkdir(parents=True)
    for name, text in TEXTS.items():
        (folder / ("sub" if name == "d.txt" else "") / name).write_text(text, encoding="utf-8")
    shutil.copy(sample_path, folder / "sample.txt")
    (folder / "broken.txt").write_bytes(b"\x00\x01\x02binary\x00")
    lines = [{"id": "j1", "text": "Ethiopia said the dam would start producing power next year, "
                                  "Prime Minister Abiy Ahmed told parliament in Addis Ababa."},
             {"id": "j2", "text": "   "}]
    (folder / "feed.jsonl").write_text("\n".join(json.dumps(x) for x in lines) + "\n", encoding="utf-8")
    return folder


def run(*args: str):
    return CliRunner().invoke(main, list(args), catch_exceptions=False)


def export(db: Path) -> list[dict]:
    result = run("export", "--db", str(db))
    assert result.exit_code == 0
    return [json.loads(line) for line in result.output.splitlines()]


def test_two_workers_store_what_one_process_stores(tmp_path, sample_path):
    corpus = make_corpus(tmp_path, sample_path)
    one, two = tmp_path / "one.db", tmp_path / "two.db"
    r1 = run("ingest", str(corpus), "--db", str(one), "-q")
    r2 = run("ingest", str(corpus), "--db", str(two), "-q", "--workers", "2")
    assert r1.exit_code == r2.exit_code == 1  # the binary file and the blank JSONL line
    assert r1.stdout.splitlines()[0] == r2.stdout.splitlines()[0]  # same counts
    assert sorted(r1.stderr.splitlines()) == sorted(r2.stderr.splitlines())  # same errors
    records = export(one)
    assert len(records) == 6
    assert records == export(two)  # same documents, ids, mentions, entities, stories, global ids


def test_in_flight_work_is_bounded_and_ordered(tmp_path, sample_path):
    corpus = make_corpus(tmp_path, sample_path)
    files = sorted(str(p) for p in corpus.rglob("*.txt"))
    consumed: list[str] = []

    def inputs():
        for f in files:
            consumed.append(f)
            yield f

    seen_at_first = None
    sources = []
    for result in extract_parallel(inputs(), workers=1, task_size=1, window=2):
        if seen_at_first is None:
            seen_at_first = len(consumed)
        assert not isinstance(result, Unchanged)
        item = result if isinstance(result, ReadError) else result[0]
        sources.append(item.source)
    assert seen_at_first <= 3  # two tasks in flight (+ the one being cut), not the whole input
    assert len(files) == 6
    assert sources == files  # input order, whatever worker finished first


def test_run_task_keeps_input_positions_and_skips_stored_content(tmp_path, sample_path, nlp):
    corpus = make_corpus(tmp_path, sample_path)
    task = [("path", str(corpus / "broken.txt")), ("path", str(corpus / "a.txt")),
            ("path", str(corpus / "feed.jsonl"))]
    results = run_task(task, nlp=nlp, clean=True)
    kinds = [type(r if isinstance(r, ReadError) else r[0]) for r in results]
    assert kinds == [ReadError, ExtractedDocument, ExtractedDocument, ReadError]
    assert results[2][0].id == "j1" and results[3].source.endswith("feed.jsonl:2")
    # what a worker does with the store's file: content already stored is skipped before NLP
    with Store(tmp_path / "desk.db") as store:
        store.add_document(results[1][0], signature=results[1][1])
        again = run_task(task, nlp=nlp, clean=True, store=store)
    assert isinstance(again[1], Unchanged) and again[1].raw.source == results[1][0].source
    assert isinstance(again[2], tuple) and isinstance(again[0], ReadError)
