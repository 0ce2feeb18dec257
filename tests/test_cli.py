"""The CLI end to end on real files, the real model and a real SQLite file."""
from __future__ import annotations

import json
import shutil
import subprocess
import sys
from pathlib import Path

import pytest
from click.testing import CliRunner

from watchdesk.cli import main

HTML = """<!DOCTYPE html><html><head><title>Dam talks resume in Cairo</title>
<meta name="author" content="Omar Haddad"></head><body><article><h1>Dam talks resume in Cairo</h1>
<p>Negotiators from Egypt, Sudan and Ethiopia met in Cairo on Monday to resume talks on the dam.</p>
<p>The African Union has mediated the talks since last year, Egyptian officials said.</p>
</article></body></html>"""


@pytest.fixture()
def corpus(tmp_path, sample_path) -> Path:
    folder = tmp_path / "articles"
    folder.mkdir()
    shutil.copy(sample_path, folder / sample_path.name)
    (folder / "cairo.html").write_text(HTML, encoding="utf-8")
    (folder / "broken.txt").write_bytes(b"\x00\x01\x02binary\x00")
    return folder


def run(*args: str, input: str | None = None):
    return CliRunner().invoke(main, list(args), input=input, catch_exceptions=False)


def test_ingest_search_entity_export(tmp_path, corpus):
    db = str(tmp_path / "desk.db")
    result = run("ingest", str(corpus), "--db", db, "--quiet")
    assert result.exit_code == 1  # one broken input: reported, the rest stored
    assert "broken.txt: binary content, not text" in result.stderr
    assert "2 documents added, 0 unchanged" in result.stdout and "1 errors" in result.stdout

    again = run("ingest", str(corpus), "--db", db, "--quiet")
    assert "0 documents added, 2 unchanged" in again.stdout

    hits = run("search", "foreign fighters", "--db", db)
    assert hits.exit_code == 0 and "Syrian Jihad" in hits.stdout and "[foreign]" in hits.stdout
    assert "Cairo" in run("search", "negotiators", "--db", db).stdout

    profile = run("entity", "Tsuneoka", "--db", db)
    assert profile.exit_code == 0
    first = profile.stdout.splitlines()[0]
    assert first.startswith("Shamil Tsuneoka  [PERSON]")
    assert "Tsuneoka converted to Islam" in profile.stdout  # an evidence sentence

    lines = run("export", "--db", db, "--format", "jsonl").stdout.splitlines()
    docs = [json.loads(line) for line in lines]
    assert sorted(d["id"] for d in docs) == ["000_d34ae03e57f94ee3", "cairo"]
    for doc in docs:
        assert doc["mentions"] and doc["entities"]
        for m in doc["mentions"]:
            assert doc["text"][m["start"]:m["end"]] == m["text"]
    cairo = next(d for d in docs if d["id"] == "cairo")
    assert cairo["title"] == "Dam talks resume in Cairo" and cairo["byline"] == ["Omar Haddad"]


def test_unknown_entity_and_missing_db_are_clear_errors(tmp_path):
    missing = run("search", "x", "--db", str(tmp_path / "none.db"))
    assert missing.exit_code != 0 and "no database" in missing.stderr
    assert not (tmp_path / "none.db").exists()


def test_clean_json_and_folder_output(tmp_path, sample_path, corpus):
    result = run("clean", str(sample_path), "--json")
    data = json.loads(result.stdout)
    assert data["title"] == "Syrian Jihad: Making Friends with Al Qaeda"
    assert data["byline"] == ["Fatima Tlisova"]
    assert data["removed"] and all(r["reason"] for r in data["removed"])

    out = tmp_path / "cleaned"
    folder = run("clean", str(corpus), "--out", str(out))
    assert folder.exit_code == 1 and "broken.txt" in folder.stderr
    assert sorted(p.name for p in out.iterdir()) == ["000_d34ae03e57f94ee3.txt", "cairo.txt"]
    assert (out / "cairo.txt").read_text(encoding="utf-8").startswith("Dam talks resume in Cairo")


def test_extract_no_clean_keeps_input_exactly(tmp_path):
    text = "CRICKET - LEICESTERSHIRE TAKE OVER\nLONDON 1996-08-30\nPhil Simmons took four for 38 in Leicester .\n"
    path = tmp_path / "0001.txt"
    path.write_text(text, encoding="utf-8")
    [line] = run("extract", str(path), "--no-clean", "--format", "jsonl").stdout.splitlines()
    doc = json.loads(line)
    assert doc["text"] == text and doc["id"] == "0001"
    assert any(m["text"] == "Phil Simmons" and m["label"] == "PERSON" for m in doc["mentions"])


def test_extract_reads_stdin():
    result = run("extract", "-", input="Angela Merkel met Emmanuel Macron in Berlin on Friday.")
    doc = json.loads(result.stdout)
    assert doc["source"] == "-"
    assert {e["name"] for e in doc["entities"]} >= {"Angela Merkel", "Emmanuel Macron", "Berlin"}


def test_unknown_model_is_a_clear_error(sample_path):
    result = CliRunner().invoke(main, ["extract", str(sample_path), "--model", "xx_no_such_model"])
    assert result.exit_code != 0
    assert "xx_no_such_model" in (result.stderr + str(result.exception))


def test_installed_console_script_runs(tmp_path, sample_path):
    exe = Path(sys.executable).with_name("watchdesk")
    assert exe.exists(), "the package must install a `watchdesk` command"
    proc = subprocess.run([str(exe), "ingest", str(sample_path), "--db", str(tmp_path / "w.db")],
                          capture_output=True, text=True, timeout=300)
    assert proc.returncode == 0, proc.stderr
    assert "1 documents added" in proc.stdout


def test_demo_and_claims_ledger(tmp_path):
    db = str(tmp_path / "demo.db")
    demo = run("demo", "--db", db)
    assert demo.exit_code == 0
    assert "ISIS (22)" in demo.stdout or "ISIS (2" in demo.stdout
    assert "Shamil Tsuneoka  [PERSON]" in demo.stdout
    ledger = run("claims", "--db", db, "--about", "fighters")
    lines = ledger.stdout.splitlines()
    assert lines[0].startswith("fighter:") and "differing figures" in lines[0]
    assert any("about 17,000 foreign fighters" in line and "US intelligence" in line for line in lines)
    by = run("claims", "--db", db, "--by", "Russian special services", "--json")
    figures = [f for group in json.loads(by.stdout) for f in group["figures"]]
    assert [(f["value"], f["holder"]) for f in figures] == [(1000.0, "Russian special services")]
