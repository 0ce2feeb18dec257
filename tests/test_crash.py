"""Crashes and concurrency: a killed ingest leaves a sound store and resumes; readers and writers coexist.

These tests run real ``watchdesk ingest`` subprocesses on real SQLite files (WAL, BEGIN IMMEDIATE,
busy_timeout). The corpus is 200 BBC articles from ../shared/data/bbc, or generated articles.
"""
from __future__ import annotations

import os
import re
import signal
import sqlite3
import subprocess
import sys
import time
from pathlib import Path

import pytest
from click.testing import CliRunner

from watchdesk.cli import main

ROOT = Path(__file__).resolve().parents[1]
BBC = ROOT.parent / "shared" / "data" / "bbc"
N_DOCS = 200


def watchdesk(*args: str, **kwargs) -> subprocess.Popen:
    return subprocess.Popen([sys.executable, "-m", "watchdesk.cli", *args], stdout=subprocess.PIPE,
                            stderr=subprocess.PIPE, text=True, **kwargs)


def finish(proc: subprocess.Popen, timeout: float = 300) -> tuple[int, str, str]:
    out, err = proc.communicate(timeout=timeout)
    return proc.returncode, out, err


def _generated(folder: Path) -> None:
    people = ["Jens Holm", "Maria Lopez", "Ahmed Karimi", "Olga Petrova", "Chen Wei", "Laura Becker"]
    places = ["Oslo", "Madrid", "Cairo", "Kiev", "Beijing", "Berlin", "Lagos", "Lima"]
    bodies = ["Ministry of Finance", "World Bank", "United Nations", "European Commission"]
    for i in range(N_DOCS):
        p, q = people[i % 6], people[(i * 5 + 1) % 6]
        a, b = places[i % 8], places[(i * 3 + 2) % 8]
        org = bodies[i % 4]
        text = (f"Talks in {a} resume after week {i}\n\n"
                f"{p}, an adviser to the {org}, said on Monday that the talks in {a} would resume in week {i}. "
                f"\"We expect {i + 3} delegations,\" {p.split()[-1]} told reporters.\n\n"
                f"{q} travelled from {b} to meet officials of the {org}, who have pledged ${i + 10} million "
                f"to the programme. Critics in {b} said the plan came too late.\n")
        (folder / f"gen_{i:03d}.txt").write_text(text, encoding="utf-8")


@pytest.fixture(scope="module")
def corpus(tmp_path_factory) -> Path:
    folder = tmp_path_factory.mktemp("corpus")
    files = sorted(BBC.rglob("*.txt"))[:N_DOCS] if BBC.is_dir() else []
    if len(files) >= N_DOCS:
        for f in files:
            (folder / f"{f.parent.name}_{f.name}").write_bytes(f.read_bytes())
    else:
        _generated(folder)
    return folder


def per_document(db: str) -> dict[str, tuple[int, int, int]]:
    """content hash -> (sentences, entities, mentions) of every stored document."""
    with sqlite3.connect(db) as conn:
        rows = conn.execute(
            "SELECT d.content_hash,"
            " (SELECT count(*) FROM sentences s WHERE s.doc_id = d.id),"
            " (SELECT count(*) FROM entities e WHERE e.doc_id = d.id),"
            " (SELECT count(*) FROM mentions m WHERE m.doc_id = d.id) FROM documents d").fetchall()
    hashes = [r[0] for r in rows]
    assert len(hashes) == len(set(hashes)), "a document is stored twice"
    return {r[0]: tuple(r[1:]) for r in rows}


def integrity(db: str) -> str:
    with sqlite3.connect(db) as conn:
        return conn.execute("PRAGMA integrity_check").fetchone()[0]


def stored(db: str) -> int:
    try:
        with sqlite3.connect(f"file:{db}?mode=ro", uri=True, timeout=30) as conn:
            return conn.execute("SELECT count(*) FROM documents").fetchone()[0]
    except sqlite3.Error:
        return 0  # not created yet


def summary(out: str) -> tuple[int, int, int]:
    added, unchanged, errors = re.search(r"(\d+) documents added, (\d+) unchanged, .* (\d+) errors", out).groups()
    return int(added), int(unchanged), int(errors)


@pytest.fixture(scope="module")
def reference(corpus, tmp_path_factory) -> dict[str, tuple[int, int, int]]:
    """What one clean, uninterrupted run stores."""
    db = str(tmp_path_factory.mktemp("ref") / "clean.db")
    code, out, err = finish(watchdesk("ingest", str(corpus), "--db", db, "-q"))
    assert code == 0, err
    assert summary(out)[0] == N_DOCS
    return per_document(db)


def test_kill_9_during_ingest_then_resume(corpus, reference, tmp_path):
    db = str(tmp_path / "crash.db")
    proc = watchdesk("ingest", str(corpus), "--db", db, "-q")
    deadline = time.monotonic() + 240
    while stored(db) < 30 and proc.poll() is None and time.monotonic() < deadline:
        time.sleep(0.05)
    assert proc.poll() is None, "the ingest finished before it could be killed"
    os.kill(proc.pid, signal.SIGKILL)
    proc.communicate(timeout=60)
    assert proc.returncode == -signal.SIGKILL
    assert integrity(db) == "ok"
    before = per_document(db)
    assert 0 < len(before) < N_DOCS
    # Whatever was committed before the kill is complete: same counts as a clean run gives.
    assert all(reference[h] == counts for h, counts in before.items())

    code, out, err = finish(watchdesk("ingest", str(corpus), "--db", db, "-q"))
    assert code == 0, err
    added, unchanged, errors = summary(out)
    assert (added, unchanged, errors) == (N_DOCS - len(before), len(before), 0)  # resumed, nothing redone
    assert integrity(db) == "ok"
    assert per_document(db) == reference


def test_search_works_while_an_ingest_writes(corpus, reference, tmp_path):
    db = str(tmp_path / "busy.db")
    code, _, err = finish(watchdesk("ingest", str(sorted(corpus.iterdir())[0]), "--db", db, "-q"))
    assert code == 0, err
    proc = watchdesk("ingest", str(corpus), "--db", db, "-q")
    searches = 0
    try:
        while proc.poll() is None and searches < 40:
            started = time.monotonic()
            result = CliRunner().invoke(main, ["search", "government", "--db", db, "--limit", "3"])
            assert result.exit_code == 0, result.output
            assert time.monotonic() - started < 5  # WAL: a reader never waits for the writer
            searches += 1
            time.sleep(0.1)
    finally:
        code, _, err = finish(proc)
    assert code == 0, err
    assert searches >= 5 and integrity(db) == "ok"


def test_two_ingests_at_once_serialise_cleanly(corpus, reference, tmp_path):
    """Two writers on a new database: migrations and documents are serialised, nothing is doubled."""
    db = str(tmp_path / "two.db")
    files = sorted(corpus.iterdir())
    half = len(files) // 2
    first = watchdesk("ingest", *map(str, files[:half + 20]), "--db", db, "-q")  # 20 files in both runs
    second = watchdesk("ingest", *map(str, files[half - 20:]), "--db", db, "-q")
    (c1, out1, err1), (c2, out2, err2) = finish(first), finish(second)
    assert (c1, c2) == (0, 0), err1 + err2
    assert "Traceback" not in err1 + err2
    a1, u1, _ = summary(out1)
    a2, u2, _ = summary(out2)
    assert a1 + a2 == len(files) and u1 + u2 == 40  # each shared file stored once, skipped once
    assert integrity(db) == "ok"
    assert per_document(db) == reference
    with sqlite3.connect(db) as conn:
        unresolved = conn.execute("SELECT count(*) FROM documents WHERE resolved = 0").fetchone()[0]
        orphans = conn.execute("SELECT count(*) FROM entities WHERE global_id IS NOT NULL AND global_id NOT IN"
                               " (SELECT id FROM global_entities)").fetchone()[0]
    assert unresolved == 0
    assert orphans == 0, "a concurrent resolution overwrote the other run's global entities"


# ---- the database itself unusable ------------------------------------------------------------
@pytest.fixture()
def tmpfs(tmp_path):
    """Mount a tiny tmpfs of a given size (root only); skipped where mounting is not allowed."""
    mounts = []

    def make(size: str) -> Path:
        mount = tmp_path / f"mnt{len(mounts)}"
        mount.mkdir()
        made = subprocess.run(["mount", "-t", "tmpfs", "-o", f"size={size}", "tmpfs", str(mount)],
                              capture_output=True)
        if made.returncode != 0:
            pytest.skip(f"cannot mount a tmpfs: {made.stderr.decode().strip()}")
        mounts.append(mount)
        return mount

    yield make
    for mount in mounts:
        subprocess.run(["umount", "-l", str(mount)], check=False)


def test_read_only_database_file_and_folder_are_clear_errors(tmp_path, tmpfs, sample_path):
    tmpfs = tmpfs("4m")
    db = tmpfs / "desk.db"
    result = CliRunner().invoke(main, ["ingest", str(sample_path), "--db", str(db), "-q"])
    assert result.exit_code == 0, result.output
    subprocess.run(["mount", "-o", "remount,ro", str(tmpfs)], check=True)
    extra = tmp_path / "b.txt"
    extra.write_text("The mayor of Lyon, Paul Martin, opened the new bridge on Sunday.\n\n"
                     "Thousands of residents crossed it in the first hour.", encoding="utf-8")
    for args in (["ingest", str(extra), "--db", str(db), "-q"], ["search", "bridge", "--db", str(db)]):
        result = CliRunner().invoke(main, args)
        assert result.exit_code == 1 and isinstance(result.exception, SystemExit)
        assert "Traceback" not in result.output
        assert result.stderr.startswith(f"Error: database {db}: ")
        assert "read-only" in result.stderr
    result = CliRunner().invoke(main, ["ingest", str(extra), "--db", str(tmpfs / "new.db"), "-q"])
    assert result.exit_code == 1
    assert f"(the folder {tmpfs} is not writable)" in result.stderr


def test_full_disk_stops_the_ingest_with_a_clear_error(corpus, tmpfs):
    db = tmpfs("640k") / "full.db"
    result = CliRunner().invoke(main, ["ingest", str(corpus), "--db", str(db), "-q"])
    assert result.exit_code == 1
    assert "database or disk is full: ingest stopped" in result.stderr, result.stderr
    assert not isinstance(result.exception, sqlite3.Error)
    assert integrity(str(db)) == "ok"
    partial = per_document(str(db))
    assert 0 < len(partial) < N_DOCS


def test_full_database_via_max_page_count_rolls_back_the_document(tmp_path, nlp, sample_path):
    from watchdesk.pipeline import extract
    from watchdesk.read.readers import read_inputs
    from watchdesk.store.db import Store, StoreError

    [document] = list(extract(read_inputs([str(sample_path)]), nlp))
    with Store(tmp_path / "capped.db") as store:
        pages = store.conn.execute("PRAGMA page_count").fetchone()[0]
        store.conn.execute(f"PRAGMA max_page_count = {pages + 2}")
        with pytest.raises(StoreError, match="database or disk is full"):
            store.add_document(document)
        assert store.stats().documents == 0 and store.stats().mentions == 0
        assert not store.conn.in_transaction
    assert integrity(str(tmp_path / "capped.db")) == "ok"
