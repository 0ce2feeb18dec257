"""WARC and WARC.gz web archives: HTML response records become articles, streaming (warcio).

* A ``response`` record with HTTP status 200 and an HTML content type (``text/html``,
  ``application/xhtml+xml``) becomes a ``RawDocument`` (format "html"): url = WARC-Target-URI,
  source = ``FILE@OFFSET`` (the record's byte offset in the file, compressed offset for .gz),
  id = a hash of the WARC-Record-ID, published = the page's own date, else the WARC-Date (the
  crawl date, ISO day).
* Other records are skipped and counted in ``WarcStats``: non-response records (warcinfo,
  request, metadata, ...), non-200 responses, non-HTML responses; the counts are logged at the
  end of each file (logger ``watchdesk.read.warc``).
* A corrupt record becomes a ``ReadError`` naming the file and the record's offset; reading goes
  on at the next record start found after it (next ``WARC/`` header line, or next gzip member
  in a per-record compressed .warc.gz); when none is found the file ends there.

Records are read one at a time from the file: the archive is never held in memory.
"""
from __future__ import annotations

import hashlib
import logging
import zlib
from dataclasses import dataclass
from pathlib import Path
from typing import BinaryIO, Iterator

from warcio.archiveiterator import ArchiveIterator
from warcio.exceptions import ArchiveLoadFailed

from ..types import RawDocument, ReadError
from .decode import UnreadableInput, decode_bytes

WARC_SUFFIXES = (".warc", ".warc.gz")
HTML_TYPES = ("text/html", "application/xhtml+xml")
_GZIP_MAGIC = b"\x1f\x8b\x08"
_WARC_LINE = b"\nWARC/"
_CHUNK = 1 << 20

log = logging.getLogger(__name__)


@dataclass
class WarcStats:
    """What one or more WARC files held."""

    records: int = 0
    articles: int = 0
    not_response: int = 0  # warcinfo, request, metadata, revisit, resource ...
    not_200: int = 0
    not_html: int = 0
    errors: int = 0  # corrupt records (each also yielded as a ReadError)


def is_warc(path: Path | str) -> bool:
    return str(path).lower().endswith(WARC_SUFFIXES)


def _crawl_day(warc_date: str | None) -> str | None:
    return warc_date[:10] if warc_date and len(warc_date) >= 10 else None


def _resync(fh: BinaryIO, start: int, compressed: bool) -> int | None:
    """Offset of the next record start at or after ``start`` (None when there is none)."""
    needle = _GZIP_MAGIC if compressed else _WARC_LINE
    skip = 0 if compressed else 1  # the WARC/ line starts after the newline
    pos = start
    tail = b""
    while True:
        fh.seek(pos)
        chunk = fh.read(_CHUNK)
        if not chunk:
            return None
        data = tail + chunk
        found = data.find(needle)
        if found >= 0:
            return pos - len(tail) + found + skip
        tail = data[-(len(needle) - 1):]
        pos += len(chunk)


def _is_compressed(fh: BinaryIO) -> bool:
    fh.seek(0)
    head = fh.read(3)
    fh.seek(0)
    return head == _GZIP_MAGIC


def _article(record, source: str) -> RawDocument | ReadError:
    from .readers import _html_document  # shared HTML metadata path (trafilatura)

    body = record.content_stream().read()
    try:
        html, encoding = decode_bytes(body)
    except UnreadableInput as exc:
        return ReadError(source, str(exc))
    headers = record.rec_headers
    record_id = headers.get_header("WARC-Record-ID") or source
    doc_id = hashlib.sha1(record_id.encode("utf-8")).hexdigest()[:16]
    url = headers.get_header("WARC-Target-URI")
    doc = _html_document(doc_id, source, html, encoding, url=url)
    if not doc.published:
        doc.published = _crawl_day(headers.get_header("WARC-Date"))
    return doc


def _classify(record, stats: WarcStats) -> bool:
    """True when the record is an HTML 200 response (an article); counts the others."""
    if record.rec_type != "response" or record.http_headers is None:
        stats.not_response += 1
        return False
    if record.http_headers.get_statuscode() != "200":
        stats.not_200 += 1
        return False
    ctype = (record.http_headers.get_header("Content-Type") or "").lower()
    if not ctype.startswith(HTML_TYPES):
        stats.not_html += 1
        return False
    return True


def read_warc(path: Path | str, stats: WarcStats | None = None) -> Iterator[RawDocument | ReadError]:
    """Yield the HTML articles of one WARC / WARC.gz file, one record at a time."""
    path = Path(path)
    own = WarcStats()
    try:
        fh = open(path, "rb")
    except OSError as exc:
        yield ReadError(str(path), exc.strerror or str(exc))
        return
    with fh:
        compressed = _is_compressed(fh)
        start: int | None = 0
        while start is not None:
            fh.seek(start)
            iterator = ArchiveIterator(fh)
            offset = start
            try:
                for record in iterator:
                    offset = iterator.offset  # the current record's start (absolute: fh was seeked)
                    own.records += 1
                    if _classify(record, own):
                        item = _article(record, f"{path}@{offset}")
                        if isinstance(item, RawDocument):
                            own.articles += 1
                        yield item
                start = None
            except (ArchiveLoadFailed, EOFError, OSError, ValueError, zlib.error) as exc:
                own.errors += 1
                offset = max(offset, iterator.offset)  # a header that failed to parse: its own start
                reason = str(exc).strip().splitlines()[0] if str(exc).strip() else type(exc).__name__
                yield ReadError(f"{path}@{offset}", f"corrupt WARC record at offset {offset}: {reason}")
                start = _resync(fh, offset + 1, compressed)
    log.info("%s: %d records, %d articles, skipped %d non-response, %d non-200, %d non-HTML, %d corrupt",
             path, own.records, own.articles, own.not_response, own.not_200, own.not_html, own.errors)
    if stats is not None:
        for name in ("records", "articles", "not_response", "not_200", "not_html", "errors"):
            setattr(stats, name, getattr(stats, name) + getattr(own, name))
