"""Readers: every input format, encodings, and broken inputs reported by name."""
from __future__ import annotations

import io
import json

from watchdesk.read.readers import read_file, read_inputs
from watchdesk.types import RawDocument, ReadError

HTML = """<!DOCTYPE html><html><head><title>Flood hits the valley | Daily Example</title>
<meta name="author" content="Jane Roe"><meta property="og:site_name" content="Daily Example">
<meta property="article:published_time" content="2024-03-05T10:00:00Z"></head>
<body><nav><a href="/">Home</a> <a href="/world">World</a></nav>
<article><h1>Flood hits the valley</h1>
<p>Heavy rain caused the river to burst its banks on Tuesday, forcing hundreds of families to leave.</p>
<h2>Rescue work</h2>
<p>Rescue teams from three provinces worked through the night, officials in the regional capital said.</p>
<p>The weather service expects more rain later in the week and urged residents to stay alert.</p>
</article><footer>Share on Facebook | Subscribe</footer></body></html>"""


def _docs(items):
    return [i for i in items if isinstance(i, RawDocument)]


def _errors(items):
    return [i for i in items if isinstance(i, ReadError)]


def test_plain_text_file_keeps_text_and_stem_id(tmp_path, sample_path):
    items = list(read_inputs([str(sample_path)]))
    assert len(items) == 1 and isinstance(items[0], RawDocument)
    assert items[0].id == sample_path.stem
    assert items[0].raw == sample_path.read_text(encoding="utf-8")
    assert items[0].format == "text" and items[0].encoding == "utf-8"


def test_latin1_file_is_detected_not_assumed_utf8(tmp_path):
    text = "Le ministre a déclaré que la réunion à Genève était très importante pour la région. " * 5
    (tmp_path / "fr.txt").write_bytes(text.encode("latin-1"))
    [doc] = _docs(read_inputs([str(tmp_path / "fr.txt")]))
    assert "déclaré" in doc.raw and "Genève" in doc.raw
    assert doc.encoding != "utf-8"


def test_utf16_with_bom_is_read(tmp_path):
    (tmp_path / "u16.txt").write_bytes("Ţara — «citat»".encode("utf-16"))
    [doc] = _docs(read_inputs([str(tmp_path / "u16.txt")]))
    assert doc.raw == "Ţara — «citat»"


def test_html_file_gets_metadata(tmp_path):
    (tmp_path / "flood.html").write_text(HTML, encoding="utf-8")
    [doc] = _docs(read_inputs([str(tmp_path / "flood.html")]))
    assert doc.format == "html"
    assert "Flood hits the valley" in doc.title
    assert doc.byline == ["Jane Roe"]
    assert doc.published == "2024-03-05"
    assert doc.site == "Daily Example"


def test_jsonl_lines_become_documents_and_bad_lines_are_errors(tmp_path):
    lines = [
        json.dumps({"id": "a1", "text": "First article text.", "url": "https://x.example/a1",
                    "title": "First", "published": "2023-01-02"}),
        "",
        "{not json",
        json.dumps({"id": "a2", "html": HTML}),
        json.dumps({"id": "a3", "title": "no body"}),
        json.dumps(["a", "list"]),
    ]
    (tmp_path / "batch.jsonl").write_text("\n".join(lines), encoding="utf-8")
    items = list(read_inputs([str(tmp_path / "batch.jsonl")]))
    docs, errors = _docs(items), _errors(items)
    assert [d.id for d in docs] == ["a1", "a2"]
    assert docs[0].url == "https://x.example/a1" and docs[0].title == "First" and docs[0].published == "2023-01-02"
    assert docs[1].format == "html" and docs[1].byline == ["Jane Roe"]
    assert [e.source.rsplit(":", 1)[1] for e in errors] == ["3", "5", "6"]
    assert "invalid JSON" in errors[0].reason and "text" in errors[1].reason


def test_directory_is_read_recursively_and_broken_files_do_not_stop_the_run(tmp_path):
    (tmp_path / "sub" / "deeper").mkdir(parents=True)
    (tmp_path / "a.txt").write_text("Alpha article body.", encoding="utf-8")
    (tmp_path / "sub" / "deeper" / "b.txt").write_text("Beta article body.", encoding="utf-8")
    (tmp_path / "sub" / "empty.txt").write_bytes(b"")
    (tmp_path / "sub" / "blank.txt").write_bytes(b"   \n\n  ")
    (tmp_path / "sub" / "image.txt").write_bytes(b"\x89PNG\r\n\x1a\n\x00\x00\x00\rIHDR" + bytes(range(256)))
    (tmp_path / ".hidden.txt").write_text("never read", encoding="utf-8")
    items = list(read_inputs([str(tmp_path), str(tmp_path / "missing.txt")]))
    assert sorted(d.id for d in _docs(items)) == ["a", "b"]
    reasons = {e.source.rsplit("/", 1)[-1]: e.reason for e in _errors(items)}
    assert reasons == {"blank.txt": "empty file", "empty.txt": "empty file",
                       "image.txt": "binary content, not text", "missing.txt": "no such file or directory"}


def test_unreadable_file_is_reported_with_the_os_reason(tmp_path):
    (tmp_path / "dir.txt").mkdir()  # os-level read failure (root can read any mode, not a directory)
    [error] = list(read_file(tmp_path / "dir.txt"))
    assert isinstance(error, ReadError)
    assert error.source.endswith("dir.txt") and error.reason == "Is a directory"


def test_stdin_is_read_and_sniffed():
    stream = io.BytesIO(b'{"id": "s1", "text": "From a pipe."}\n{"id": "s2", "text": "Second."}\n')
    docs = _docs(read_inputs(["-"], stdin=stream))
    assert [d.id for d in docs] == ["s1", "s2"]
    plain = _docs(read_inputs(["-"], stdin=io.BytesIO("Just text from stdin.".encode())))
    assert plain[0].source == "-" and plain[0].raw == "Just text from stdin."
