"""Bad input: each kind is reported by name with a reason, the run goes on, the store stays sound.

"Nothing lost, nothing let in": a readable article is read (whatever its encoding), an input that
is not an article becomes a ``ReadError(source, reason)`` and never a traceback or a hang.
"""
from __future__ import annotations

import gzip
import io
import json
import os
import sqlite3
import time
import tracemalloc
from pathlib import Path

import pytest
from click.testing import CliRunner

from watchdesk.cli import main
from watchdesk.read.readers import MAX_BYTES, read_inputs
from watchdesk.types import RawDocument, ReadError

ARTICLE = ("The finance minister of Norway, Jens Holm, said on Monday that the budget talks in Oslo "
           "would continue next week.\n\nOpposition leaders in parliament called the plan unrealistic "
           "and asked for a vote before the summer recess.\n")
RUSSIAN = ("Министр иностранных дел России заявил в понедельник, что переговоры с соседними странами "
           "продолжатся на следующей неделе в Москве. Эксперты считают, что это важный шаг.")
ARABIC = ("قال وزير الخارجية في مؤتمر صحفي يوم الاثنين إن المفاوضات مع الدول المجاورة ستستمر "
          "الأسبوع المقبل في القاهرة. ويرى الخبراء أن هذه خطوة مهمة.")


def _docs(items):
    return [i for i in items if isinstance(i, RawDocument)]


def _errors(items):
    return [i for i in items if isinstance(i, ReadError)]


def _one(path: Path, **kw):
    items = list(read_inputs([str(path)], **kw))
    assert len(items) == 1, items
    return items[0]


def run(*args: str):
    return CliRunner().invoke(main, list(args), catch_exceptions=False)


def skipped(result) -> dict[str, str]:
    """``watchdesk: skipped SOURCE: REASON`` lines of an ingest, by file name."""
    out = {}
    for line in result.stderr.splitlines():
        if line.startswith("watchdesk: skipped "):
            source, reason = line[len("watchdesk: skipped "):].split(": ", 1)
            out[source.rsplit("/", 1)[-1]] = reason
    return out


def integrity(db: str) -> str:
    with sqlite3.connect(db) as conn:
        return conn.execute("PRAGMA integrity_check").fetchone()[0]


def count(db: str, table: str = "documents") -> int:
    with sqlite3.connect(db) as conn:
        return conn.execute(f"SELECT count(*) FROM {table}").fetchone()[0]


# ---- binary, NUL bytes, empty ---------------------------------------------------------------
def test_binary_file_and_text_with_nul_bytes_are_refused(tmp_path):
    (tmp_path / "photo.txt").write_bytes(b"\x89PNG\r\n\x1a\n\x00\x00\x00\rIHDR" + bytes(range(256)) * 4)
    (tmp_path / "nul.txt").write_bytes(ARTICLE.encode()[:80] + b"\x00\x00\x01\x02" + ARTICLE.encode()[80:])
    for name in ("photo.txt", "nul.txt"):
        error = _one(tmp_path / name)
        assert isinstance(error, ReadError) and error.source.endswith(name)
        assert error.reason == "binary content, not text"


def test_empty_and_whitespace_only_files_are_refused(tmp_path):
    (tmp_path / "empty.txt").write_bytes(b"")
    (tmp_path / "blank.txt").write_bytes(b" \t\r\n\n   \n")
    (tmp_path / "blank.jsonl").write_bytes(b"\n\n")
    (tmp_path / "nbsp.txt").write_bytes("\u00a0\u3000\n\u2003".encode("utf-8"))  # blank once decoded
    (tmp_path / "ff.html").write_bytes(b"\xff" * 64)  # found by the fuzzer: decoded as NBSPs (cp1125)
    (tmp_path / "bom.txt").write_bytes(b"\xef\xbb\xbf")
    for name in ("empty.txt", "blank.txt", "blank.jsonl", "nbsp.txt", "ff.html", "bom.txt"):
        error = _one(tmp_path / name)
        assert isinstance(error, ReadError) and error.reason == "empty file", name


# ---- encodings ------------------------------------------------------------------------------
def test_invalid_utf8_is_decoded_not_refused(tmp_path):
    # UTF-8 with a few broken bytes (a spliced download): the good text survives, bad bytes are U+FFFD.
    data = RUSSIAN.encode() + b"\xff\xfe\xc3" + b" " + RUSSIAN.encode()
    (tmp_path / "spliced.txt").write_bytes(data)
    doc = _one(tmp_path / "spliced.txt")
    assert isinstance(doc, RawDocument)
    assert doc.raw.startswith(RUSSIAN) and doc.raw.endswith(RUSSIAN)
    # ASCII text with stray high bytes: decoded by detection, the words are intact.
    (tmp_path / "stray.txt").write_bytes(ARTICLE.encode() + b"\x80\x81\x8d\n")
    doc = _one(tmp_path / "stray.txt")
    assert isinstance(doc, RawDocument) and doc.raw.startswith(ARTICLE.rstrip("\n"))


@pytest.mark.parametrize("text,encoding", [(ARTICLE, "utf-16-le"), (ARTICLE, "utf-16-be"),
                                           (RUSSIAN, "utf-16-le"), (ARABIC, "utf-16-be")])
def test_utf16_without_bom_is_decoded_exactly(tmp_path, text, encoding):
    (tmp_path / "u16.txt").write_bytes(text.encode(encoding))
    doc = _one(tmp_path / "u16.txt")
    assert isinstance(doc, RawDocument), doc
    assert doc.raw == text and doc.encoding == encoding


@pytest.mark.parametrize("text,encoding", [(RUSSIAN, "cp1251"), (ARABIC, "cp1256"),
                                           (RUSSIAN[:70], "cp1251"), (ARABIC[:60], "cp1256"),
                                           (RUSSIAN, "koi8-r")])
def test_legacy_code_pages_decode_correctly(tmp_path, text, encoding):
    (tmp_path / "legacy.txt").write_bytes(text.encode(encoding))
    doc = _one(tmp_path / "legacy.txt")
    assert isinstance(doc, RawDocument)
    assert doc.raw == text


# ---- size -----------------------------------------------------------------------------------
def test_200_mb_file_is_refused_unread_in_bounded_memory_and_time(tmp_path):
    big = tmp_path / "huge.txt"
    with open(big, "wb") as f:
        f.write(ARTICLE.encode())
        f.truncate(200 * 1024 * 1024)  # sparse: 200 MB on paper
    tracemalloc.start()
    started = time.monotonic()
    error = _one(big)
    _, peak = tracemalloc.get_traced_memory()
    tracemalloc.stop()
    assert isinstance(error, ReadError)
    assert error.reason == f"file too large (200.0 MB > {MAX_BYTES / 2**20:.1f} MB limit)"
    assert peak < 5 * 1024 * 1024 and time.monotonic() - started < 5


def test_max_bytes_is_configurable_on_the_command_line(tmp_path):
    (tmp_path / "a.txt").write_text(ARTICLE * 40, encoding="utf-8")  # ~9 KB
    db = str(tmp_path / "desk.db")
    result = run("ingest", str(tmp_path / "a.txt"), "--db", db, "-q", "--max-bytes", "4096")
    assert result.exit_code == 1
    assert skipped(result) == {"a.txt": "file too large (0.0 MB > 0.0 MB limit)"}
    error = _one(tmp_path / "a.txt", max_bytes=1000)
    assert "file too large" in error.reason


def test_a_single_10_mb_line_is_refused_in_bounded_time(tmp_path, nlp):
    from watchdesk.pipeline import extract

    line = ("The finance minister said on Monday that the budget talks in Oslo would continue. " * 125_000)
    (tmp_path / "line.txt").write_text(line[:10_000_000], encoding="utf-8")
    started = time.monotonic()
    items = list(extract(read_inputs([str(tmp_path / "line.txt")]), nlp))
    assert time.monotonic() - started < 60
    [error] = items
    assert isinstance(error, ReadError) and error.source.endswith("line.txt")
    # Either the cleaner drops the line or the text is over what the NLP pipeline can analyse.
    assert error.reason.startswith(("no article text left after cleaning", "text too long to analyse"))
    # Uncleaned, the same line is over spaCy's limit: a clear error, not a crash of the whole stream.
    [error] = list(extract(read_inputs([str(tmp_path / "line.txt")]), nlp, clean=False))
    assert error.reason == f"text too long to analyse (10,000,000 characters > {nlp.max_length:,})"


# ---- HTML -----------------------------------------------------------------------------------
@pytest.mark.parametrize("name,html", [
    ("deep.html", "<html><body>" + "<div>" * 100_000 + "deep text" + "</div>" * 100_000 + "</body></html>"),
    ("tables.html", "<html><body>" + "<table><tr><td>" * 30_000 + "cell</body></html>"),
    ("broken.html", "<html><head><title>x</ti<body><p>Hello <b><i>world</p></div></span><<<>>>"
                    "&#xFFFFFFFF; &#0; <script>" * 200),
    ("inline.html", "<html><body><p>" + "<b><i><span>" * 50_000 + "x</p></body></html>"),
])
def test_deep_or_malformed_html_is_handled(tmp_path, nlp, name, html):
    from watchdesk.pipeline import extract

    (tmp_path / name).write_text(html, encoding="utf-8")
    started = time.monotonic()
    items = list(extract(read_inputs([str(tmp_path / name)]), nlp))
    assert time.monotonic() - started < 60
    assert len(items) == 1
    if isinstance(items[0], ReadError):
        assert items[0].source.endswith(name) and items[0].reason


# ---- gzip -----------------------------------------------------------------------------------
def test_gzip_inputs_are_read_by_their_inner_format(tmp_path):
    (tmp_path / "story.txt.gz").write_bytes(gzip.compress(ARTICLE.encode()))
    lines = [json.dumps({"id": "j1", "text": ARTICLE}), json.dumps({"id": "j2", "text": RUSSIAN})]
    (tmp_path / "batch.jsonl.gz").write_bytes(gzip.compress("\n".join(lines).encode()))
    (tmp_path / "page.html.gz").write_bytes(gzip.compress(
        f"<html><head><title>Budget</title></head><body><p>{ARTICLE}</p></body></html>".encode()))
    items = list(read_inputs([str(tmp_path)]))
    assert not _errors(items)
    by_id = {d.id: d for d in _docs(items)}
    assert set(by_id) == {"j1", "j2", "page", "story"}
    assert by_id["story"].raw == ARTICLE and by_id["story"].format == "text"
    assert by_id["j2"].raw == RUSSIAN and by_id["page"].format == "html"


def test_gzip_bomb_stops_at_the_size_limit(tmp_path):
    bomb = tmp_path / "bomb.txt.gz"
    with gzip.open(bomb, "wb", compresslevel=9) as f:
        chunk = b"a" * (1 << 20)
        for _ in range(200):  # 200 MB of text, about 200 KB compressed
            f.write(chunk)
    assert bomb.stat().st_size < 1024 * 1024
    tracemalloc.start()
    error = _one(bomb, max_bytes=8 * 1024 * 1024)
    _, peak = tracemalloc.get_traced_memory()
    tracemalloc.stop()
    assert isinstance(error, ReadError)
    assert error.reason == "decompressed size exceeds the limit (file too large (more than 8.0 MB > 8.0 MB limit))"
    assert peak < 40 * 1024 * 1024


def test_corrupt_and_truncated_gzip_are_reported(tmp_path):
    data = gzip.compress(ARTICLE.encode() * 50)
    (tmp_path / "cut.txt.gz").write_bytes(data[: len(data) // 2])
    (tmp_path / "fake.txt.gz").write_bytes(b"this is not gzip at all")
    for name in ("cut.txt.gz", "fake.txt.gz"):
        error = _one(tmp_path / name)
        assert isinstance(error, ReadError) and error.reason.startswith("invalid gzip data: "), error


def test_gzip_on_stdin_is_decompressed():
    stream = io.BufferedReader(io.BytesIO(gzip.compress(ARTICLE.encode())))
    [doc] = list(read_inputs(["-"], stdin=stream))
    assert doc.raw == ARTICLE


# ---- JSONL end to end -----------------------------------------------------------------------
def test_jsonl_broken_lines_through_ingest_keep_the_good_lines(tmp_path):
    lines = [json.dumps({"id": "ok1", "text": ARTICLE}),
             '{"id": "cut", "text": "The minister',  # line 2: truncated
             json.dumps({"id": "ok2", "text": ARTICLE.replace("Norway", "Sweden").replace("Oslo", "Stockholm")}),
             "[1, 2]",  # line 4: not an object
             json.dumps({"id": "nobody"}),  # line 5: no text
             "",
             "\x00garbage"]  # line 7
    (tmp_path / "feed.jsonl").write_text("\n".join(lines) + "\n", encoding="utf-8")
    db = str(tmp_path / "desk.db")
    result = run("ingest", str(tmp_path / "feed.jsonl"), "--db", db, "-q")
    assert result.exit_code == 1
    assert result.stdout.startswith("2 documents added, 0 unchanged")
    errors = skipped(result)
    # One line with a NUL byte does not make the whole feed "binary": only that line is refused.
    assert set(errors) == {"feed.jsonl:2", "feed.jsonl:4", "feed.jsonl:5", "feed.jsonl:7"}
    assert errors["feed.jsonl:2"].startswith("invalid JSON")
    assert errors["feed.jsonl:4"] == "a JSONL line must be an object"
    assert count(db) == 2 and integrity(db) == "ok"


# ---- paths ----------------------------------------------------------------------------------
def test_unreadable_file_is_reported(tmp_path, monkeypatch):
    import errno

    from watchdesk.read import readers

    secret = tmp_path / "secret.txt"
    secret.write_text(ARTICLE, encoding="utf-8")
    os.chmod(secret, 0)
    (tmp_path / "good.txt").write_text(ARTICLE, encoding="utf-8")
    try:
        if os.geteuid() == 0:  # root reads any file: make open() fail as it would for anyone else
            real_open = open

            def no_access(path, *args, **kwargs):
                if str(path).endswith("secret.txt"):
                    raise PermissionError(errno.EACCES, os.strerror(errno.EACCES), str(path))
                return real_open(path, *args, **kwargs)

            monkeypatch.setattr(readers, "open", no_access, raising=False)
        items = list(read_inputs([str(tmp_path)]))
    finally:
        os.chmod(secret, 0o644)
    assert [d.id for d in _docs(items)] == ["good"]
    [error] = _errors(items)
    assert error.source.endswith("secret.txt") and error.reason == "Permission denied"


def test_symlink_loops_and_dangling_links_are_reported(tmp_path):
    folder = tmp_path / "in"
    folder.mkdir()
    (folder / "good.txt").write_text(ARTICLE, encoding="utf-8")
    os.symlink("loop_b.txt", folder / "loop_a.txt")
    os.symlink("loop_a.txt", folder / "loop_b.txt")
    os.symlink("nowhere.txt", folder / "dangling.txt")
    os.symlink(".", folder / "self")  # a directory loop: not followed
    os.symlink("..", folder / "parent")
    started = time.monotonic()
    items = list(read_inputs([str(folder)]))
    assert time.monotonic() - started < 10
    assert [d.id for d in _docs(items)] == ["good"]
    reasons = {e.source.rsplit("/", 1)[-1]: e.reason for e in _errors(items)}
    assert reasons == {"dangling.txt": "No such file or directory",
                       "loop_a.txt": "Too many levels of symbolic links",
                       "loop_b.txt": "Too many levels of symbolic links"}
    # named directly, a loop is named as a loop, not as missing
    assert _one(folder / "loop_a.txt").reason == "Too many levels of symbolic links"


def test_named_pipe_does_not_hang_the_run(tmp_path):
    os.mkfifo(tmp_path / "pipe.txt")
    (tmp_path / "good.txt").write_text(ARTICLE, encoding="utf-8")
    items = list(read_inputs([str(tmp_path)]))
    assert [d.id for d in _docs(items)] == ["good"]
    [error] = _errors(items)
    assert error.reason == "not a regular file (named pipe, socket or device)"


def test_odd_file_names_through_ingest(tmp_path):
    folder = tmp_path / "odd names"
    folder.mkdir()
    variants = {"with space.txt": "Oslo", "ünïcödé — «Москва».txt": "Bergen", "new\nline.txt": "Tromsø",
                "tab\there.txt": "Narvik"}
    for name, city in variants.items():
        (folder / name).write_text(ARTICLE.replace("Oslo", city), encoding="utf-8")
    raw_name = os.fsencode(folder) + b"/latin1-caf\xe9.txt"  # not valid UTF-8
    with open(raw_name, "wb") as f:
        f.write(ARTICLE.replace("Oslo", "Stavanger").encode())
    with open(os.fsencode(folder) + b"/bad\nbinary\xff.txt", "wb") as f:
        f.write(b"\x00\x01\x02")
    db = str(tmp_path / "desk.db")
    result = run("ingest", str(folder), "--db", db, "-q")
    assert result.exit_code == 1
    assert result.stdout.startswith("5 documents added")
    # the broken one is named on one line, control characters escaped
    [line] = [x for x in result.stderr.splitlines() if "skipped" in x]
    assert line.endswith("bad\\nbinary\\xff.txt: binary content, not text")
    with sqlite3.connect(db) as conn:
        sources = sorted(r[0].rsplit("/", 1)[-1] for r in conn.execute("SELECT source FROM documents"))
    assert sources == sorted(["with space.txt", "ünïcödé — «Москва».txt", "new\nline.txt", "tab\there.txt",
                              "latin1-caf\\xe9.txt"])


# ---- everything at once ---------------------------------------------------------------------
def test_a_folder_of_bad_inputs_does_not_stop_the_run_or_harm_the_store(tmp_path, sample_path):
    folder = tmp_path / "mixed"
    folder.mkdir()
    db = str(tmp_path / "desk.db")
    assert run("ingest", str(sample_path), "--db", db, "-q").exit_code == 0
    before = (count(db), count(db, "mentions"))
    (folder / "a_good.txt").write_text(ARTICLE, encoding="utf-8")
    (folder / "binary.txt").write_bytes(bytes(range(256)) * 8)
    (folder / "empty.txt").write_bytes(b"")
    (folder / "cut.txt.gz").write_bytes(gzip.compress(ARTICLE.encode())[:30])
    (folder / "broken.jsonl").write_text("{oops\n", encoding="utf-8")
    (folder / "deep.html").write_text("<html><body>" + "<div>" * 50_000 + "</body></html>", encoding="utf-8")
    (folder / "ru.txt").write_bytes((RUSSIAN + "\n\n" + RUSSIAN.replace("Москве", "Казани")).encode("cp1251"))
    os.symlink("missing", folder / "dangling.txt")
    result = run("ingest", str(folder), str(tmp_path / "nope.txt"), "--db", db, "-q")
    assert result.exit_code == 1
    errors = skipped(result)
    assert {"binary.txt", "empty.txt", "cut.txt.gz", "broken.jsonl:1", "dangling.txt", "nope.txt"} <= set(errors)
    assert all(reason for reason in errors.values())
    assert "Traceback" not in result.stderr
    assert integrity(db) == "ok"
    assert count(db) > before[0]  # the good article (at least) was stored after the bad ones
    with sqlite3.connect(db) as conn:
        stored = {r[0].rsplit("/", 1)[-1] for r in conn.execute("SELECT source FROM documents")}
    assert "a_good.txt" in stored and not stored & {"binary.txt", "empty.txt", "cut.txt.gz"}
