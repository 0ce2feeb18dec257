"""WARC / WARC.gz input: HTML 200 responses become articles, the rest is skipped and counted,
a corrupt record is a ReadError naming file and offset and reading goes on. The archives are
written here with warcio."""
from __future__ import annotations

import io
from pathlib import Path

import pytest
from warcio.statusandheaders import StatusAndHeaders
from warcio.warcwriter import WARCWriter

from watchdesk.pipeline import ingest
from watchdesk.read.readers import read_inputs
from watchdesk.read.warc import WarcStats, read_warc
from watchdesk.store.db import Store
from watchdesk.types import RawDocument, ReadError

ARTICLE = """<!DOCTYPE html><html><head><title>Dam talks resume in Cairo</title>
<meta name="author" content="Omar Haddad"><meta property="article:published_time" content="2021-04-05">
</head><body><article><h1>Dam talks resume in Cairo</h1>
<p>Negotiators from Egypt, Sudan and Ethiopia met in Cairo on Monday to resume talks on the dam.</p>
<p>The African Union has mediated the talks since last year, Egyptian officials said.</p>
</article></body></html>"""

UNDATED = """<!DOCTYPE html><html><head><title>Port strike ends in Rotterdam</title></head><body>
<article><h1>Port strike ends in Rotterdam</h1>
<p>Dockworkers in Rotterdam returned to work after the union reached a deal with the port operator.</p>
</article></body></html>"""


def _response(writer: WARCWriter, url: str, body: bytes, status: str = "200 OK",
              ctype: str = "text/html; charset=utf-8", date: str = "2024-03-01T10:00:00Z"):
    http = StatusAndHeaders(status, [("Content-Type", ctype), ("Content-Length", str(len(body)))],
                            protocol="HTTP/1.1")
    return writer.create_warc_record(url, "response", payload=io.BytesIO(body), http_headers=http,
                                     warc_headers_dict={"WARC-Date": date})


def write_archive(path: Path, gzip: bool, corrupt_after: int | None = None) -> list[int]:
    """A small crawl; returns the byte offset of each record. With ``corrupt_after`` = i, a
    corrupt record is written after record i."""
    offsets = []
    with open(path, "wb") as fh:
        writer = WARCWriter(fh, gzip=gzip)
        records = [
            writer.create_warcinfo_record(path.name, {"software": "watchdesk-test"}),
            _response(writer, "https://news.example/cairo-dam", ARTICLE.encode()),
            _response(writer, "https://news.example/missing", b"<html><body>Not found</body></html>",
                      status="404 Not Found"),
            _response(writer, "https://news.example/logo.png", b"\x89PNG\r\n\x1a\n....", ctype="image/png"),
            writer.create_warc_record("https://news.example/cairo-dam", "request",
                                      payload=io.BytesIO(b"GET /cairo-dam HTTP/1.1\r\n\r\n")),
            _response(writer, "https://news.example/rotterdam", UNDATED.encode(), date="2023-07-09T08:30:00Z"),
        ]
        for i, record in enumerate(records):
            offsets.append(fh.tell())
            writer.write_record(record)
            if corrupt_after == i:
                offsets.append(fh.tell())
                if gzip:  # a gzip member whose data is garbage
                    fh.write(b"\x1f\x8b\x08\x00\x00\x00\x00\x00\x00\xff" + b"not deflate data at all" * 4)
                else:  # bytes where a WARC header should start
                    fh.write(b"\x00\x17garbage, not a WARC record\r\nContent-Length: 12\r\n\r\nbroken\r\n\r\n")
    return offsets


@pytest.mark.parametrize("gzip", [False, True], ids=["warc", "warc.gz"])
def test_html_responses_become_articles(tmp_path, gzip):
    path = tmp_path / ("crawl.warc.gz" if gzip else "crawl.warc")
    offsets = write_archive(path, gzip)
    stats = WarcStats()
    items = list(read_warc(path, stats))
    assert all(isinstance(i, RawDocument) for i in items), items
    assert [d.url for d in items] == ["https://news.example/cairo-dam", "https://news.example/rotterdam"]
    cairo, rotterdam = items
    assert cairo.format == "html" and "African Union" in cairo.raw
    assert cairo.title == "Dam talks resume in Cairo" and cairo.published == "2021-04-05"  # the page's date
    assert rotterdam.published == "2023-07-09"  # no date in the page: the crawl date
    assert cairo.source == f"{path}@{offsets[1]}" and rotterdam.source == f"{path}@{offsets[5]}"
    assert cairo.id != rotterdam.id
    assert (stats.records, stats.articles, stats.not_response, stats.not_200, stats.not_html, stats.errors) == \
        (6, 2, 2, 1, 1, 0)
    # dispatched by suffix from the ordinary readers
    assert [d.url for d in read_inputs([str(path)])] == [d.url for d in items]


@pytest.mark.parametrize("gzip", [False, True], ids=["warc", "warc.gz"])
def test_corrupt_record_is_an_error_and_reading_goes_on(tmp_path, gzip):
    path = tmp_path / ("bad.warc.gz" if gzip else "bad.warc")
    offsets = write_archive(path, gzip, corrupt_after=1)
    stats = WarcStats()
    items = list(read_warc(path, stats))
    errors = [i for i in items if isinstance(i, ReadError)]
    docs = [i for i in items if isinstance(i, RawDocument)]
    assert len(errors) == 1 and stats.errors == 1
    bad_offset = offsets[2]
    assert errors[0].source == f"{path}@{bad_offset}"
    assert str(path) in errors[0].source and f"offset {bad_offset}" in errors[0].reason
    # the records after the corrupt one are still read
    assert [d.url for d in docs] == ["https://news.example/cairo-dam", "https://news.example/rotterdam"]


def test_ingest_warc_into_store(tmp_path):
    path = tmp_path / "crawl.warc.gz"
    write_archive(path, gzip=True)
    with Store(tmp_path / "desk.db") as store:
        report = ingest([str(path)], store)
        assert report.added == 2 and not report.errors
        names = {e.name for d in store.iter_documents() for e in d.entities}
        urls = {d.url for d in store.iter_documents()}
    assert {"Cairo", "Rotterdam"} <= names
    assert urls == {"https://news.example/cairo-dam", "https://news.example/rotterdam"}
