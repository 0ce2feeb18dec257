"""Readers: files, directories, JSONL and stdin become RawDocuments (or ReadErrors).

Every reader yields one item per article and never raises for a bad input: a broken
file becomes a ``ReadError`` naming the source and the reason, and reading goes on.
"""
from __future__ import annotations

import gzip
import hashlib
import json
import os
import stat
import sys
import zlib
from pathlib import Path
from typing import BinaryIO, Iterable, Iterator

from ..types import RawDocument, ReadError
from .decode import UnreadableInput, decode_bytes, looks_binary
from .html import html_metadata
from .warc import WARC_SUFFIXES, read_warc

TEXT_SUFFIXES = {".txt", ".text", ""}
HTML_SUFFIXES = {".html", ".htm", ".xhtml"}
JSONL_SUFFIXES = {".jsonl", ".ndjson"}
SKIP_NAMES = {".DS_Store", "Thumbs.db"}
# Files holding many documents (JSONL lines, WARC records): `--workers` reads them in the main
# process and hands their documents out, instead of giving one worker the whole file.
CONTAINER_SUFFIXES = (*sorted(JSONL_SUFFIXES), *(s + ".gz" for s in sorted(JSONL_SUFFIXES)), *WARC_SUFFIXES)
GZIP_SUFFIX = ".gz"  # name.txt.gz, name.jsonl.gz, name.html.gz: the inner suffix gives the format
# Inputs (after decompression) larger than this are refused unread: the pipeline would not
# handle them in bounded memory and time, and a news article is never this large.
MAX_BYTES = 50 * 1024 * 1024

ReadItem = RawDocument | ReadError


def _sniff_format(text: str) -> str:
    head = text.lstrip()[:1000].lower()
    if head.startswith("{") and head.split("\n", 1)[0].rstrip().endswith("}"):
        return "jsonl"
    if head.startswith(("<!doctype html", "<html", "<?xml")) or "<body" in head or "<head" in head:
        return "html"
    return "text"


def _format_of(path: Path, text: str) -> str:
    suffix = path.suffix.lower()
    if suffix in HTML_SUFFIXES:
        return "html"
    if suffix in JSONL_SUFFIXES:
        return "jsonl"
    return _sniff_format(text)


def _mb(n: int) -> str:
    return f"{n / (1024 * 1024):.1f} MB"


def _too_large(size: int | None, limit: int) -> str:
    size_text = _mb(size) if size is not None else f"more than {_mb(limit)}"
    return f"file too large ({size_text} > {_mb(limit)} limit)"


def display_name(path: str | Path) -> str:
    """A path as a printable, storable string: bytes that are not UTF-8 become \\xNN escapes."""
    return os.fsencode(path).decode("utf-8", errors="backslashreplace")


def _read_limited(stream: BinaryIO, source: str, max_bytes: int, gzipped: bool) -> bytes:
    """At most ``max_bytes`` of the (decompressed) stream; UnreadableInput when there is more."""
    if gzipped:
        try:
            with gzip.GzipFile(fileobj=stream, mode="rb") as unzipped:
                data = unzipped.read(max_bytes + 1)  # decompresses no further than the limit
        except (OSError, EOFError, zlib.error) as exc:
            raise UnreadableInput(f"invalid gzip data: {exc}") from exc
        if len(data) > max_bytes:
            raise UnreadableInput(f"decompressed size exceeds the limit ({_too_large(None, max_bytes)})")
        return data
    data = stream.read(max_bytes + 1)
    if len(data) > max_bytes:
        raise UnreadableInput(_too_large(None, max_bytes))
    return data


def _content_id(text: str) -> str:
    return hashlib.sha1(text.encode("utf-8")).hexdigest()[:16]


def _html_document(doc_id: str, source: str, html: str, encoding: str | None,
                   url: str | None = None, **known: str | None) -> RawDocument:
    meta = html_metadata(html, url=url)
    return RawDocument(
        id=doc_id, source=source, raw=html, format="html", encoding=encoding,
        title=known.get("title") or meta.get("title"),
        byline=meta.get("byline") or [],
        published=known.get("published") or meta.get("published"),
        url=url or meta.get("url"), site=meta.get("site"),
    )


def read_jsonl_lines(lines: Iterable[str], source: str, encoding: str | None = None) -> Iterator[ReadItem]:
    """Yield one document per JSON line (``text`` or ``html``; optional url, title, published, id)."""
    for number, line in enumerate(lines, start=1):
        if not line.strip():
            continue
        where = f"{source}:{number}"
        try:
            record = json.loads(line)
        except json.JSONDecodeError as exc:
            yield ReadError(where, f"invalid JSON: {exc.msg} at column {exc.colno}")
            continue
        if not isinstance(record, dict):
            yield ReadError(where, "a JSONL line must be an object")
            continue
        text, html = record.get("text"), record.get("html")
        if not (isinstance(text, str) and text.strip()) and not (isinstance(html, str) and html.strip()):
            yield ReadError(where, 'no non-empty "text" or "html" field')
            continue
        doc_id = str(record.get("id") or _content_id(text or html))
        url, title, published = record.get("url"), record.get("title"), record.get("published")
        language = _language_field(record.get("language"))
        if isinstance(text, str) and text.strip():
            yield RawDocument(id=doc_id, source=where, raw=text, format="text", url=url,
                              title=title, published=published, encoding=encoding, language=language)
        else:
            document = _html_document(doc_id, where, html, encoding, url=url, title=title, published=published)
            document.language = language
            yield document


def _language_field(value: object) -> str | None:
    """A JSONL ``language`` as an ISO 639-1 code ("ru", "RU", "ru-RU" -> "ru"); anything else: detect."""
    if not isinstance(value, str):
        return None
    code = value.strip().lower().replace("_", "-").split("-")[0]
    return code if len(code) == 2 and code.isalpha() and code.isascii() else None


def _jsonl_with_binary_lines(data: bytes, source: str) -> Iterator[ReadItem] | None:
    """A JSONL file where only some lines are binary garbage: the other lines, or None.

    One corrupted line must not lose a whole feed; a file that is mostly binary stays refused.
    """
    lines = data.split(b"\n")
    bad = {n for n, line in enumerate(lines, start=1) if line.strip() and looks_binary(line)}
    if not bad or 2 * len(bad) > sum(1 for line in lines if line.strip()):
        return None
    try:
        text, encoding = decode_bytes(b"\n".join(b"" if n in bad else line
                                                 for n, line in enumerate(lines, start=1)))
    except UnreadableInput:
        return None
    items = [ReadError(f"{source}:{n}", "binary content, not text") for n in sorted(bad)]
    items += read_jsonl_lines(text.splitlines(), source, encoding)
    return iter(sorted(items, key=lambda item: int(item.source.rsplit(":", 1)[1])))


def read_bytes(data: bytes, source: str, path: Path | None = None) -> Iterator[ReadItem]:
    """Decode one input's bytes and yield its document(s)."""
    try:
        text, encoding = decode_bytes(data)
    except UnreadableInput as exc:
        partial = None
        if path is not None and path.suffix.lower() in JSONL_SUFFIXES:
            partial = _jsonl_with_binary_lines(data, source)
        if partial is not None:
            yield from partial
            return
        yield ReadError(source, str(exc))
        return
    fmt = _format_of(path, text) if path else _sniff_format(text)
    doc_id = display_name(path.stem) if path else _content_id(text)
    if fmt == "jsonl":
        yield from read_jsonl_lines(text.splitlines(), source, encoding)
    elif fmt == "html":
        try:
            document = _html_document(doc_id, source, text, encoding)
        except Exception as exc:  # a page the HTML parser cannot handle must not stop the run
            yield ReadError(source, f"unparsable HTML: {type(exc).__name__}: {exc}")
            return
        yield document
    else:
        yield RawDocument(id=doc_id, source=source, raw=text, format="text", encoding=encoding)


def read_file(path: Path, max_bytes: int = MAX_BYTES) -> Iterator[ReadItem]:
    """Read one file; unreadable files become a ReadError with the OS's reason.

    Only regular files are opened (a named pipe or device would block or never end); files
    over ``max_bytes`` are refused unread, and ``.gz`` files are decompressed up to that limit.
    """
    if path.name.lower().endswith(WARC_SUFFIXES):  # web archives stream record by record, any size
        yield from read_warc(path)
        return
    source = display_name(path)
    gzipped = path.suffix.lower() == GZIP_SUFFIX
    try:
        info = os.stat(path)
        if stat.S_ISDIR(info.st_mode):
            yield ReadError(source, "Is a directory")
            return
        if not stat.S_ISREG(info.st_mode):
            yield ReadError(source, "not a regular file (named pipe, socket or device)")
            return
        if not gzipped and info.st_size > max_bytes:
            yield ReadError(source, _too_large(info.st_size, max_bytes))
            return
        with open(path, "rb") as stream:
            data = _read_limited(stream, source, max_bytes, gzipped)
    except OSError as exc:
        yield ReadError(source, exc.strerror or str(exc))
        return
    except UnreadableInput as exc:
        yield ReadError(source, str(exc))
        return
    yield from read_bytes(data, source, path.with_suffix("") if gzipped else path)


def iter_files(root: Path) -> Iterator[Path]:
    """Files under ``root`` in a stable (sorted) order, hidden files and folders skipped."""
    for dirpath, dirnames, filenames in os.walk(root):
        dirnames[:] = sorted(d for d in dirnames if not d.startswith("."))
        for name in sorted(filenames):
            if not name.startswith(".") and name not in SKIP_NAMES:
                yield Path(dirpath) / name


def read_inputs(inputs: Iterable[str], stdin: BinaryIO | None = None,
                max_bytes: int = MAX_BYTES) -> Iterator[ReadItem]:
    """Read paths (files, directories recursively) and ``-`` (standard input), streaming.

    Each input is read up to ``max_bytes`` (after decompression); a larger one is a ReadError.
    """
    for item in inputs:
        if item == "-":
            stream = stdin if stdin is not None else sys.stdin.buffer
            head = stream.peek(2)[:2] if hasattr(stream, "peek") else b""
            if not head and hasattr(stream, "seekable") and stream.seekable():
                head = stream.read(2)
                stream.seek(-len(head), os.SEEK_CUR)
            try:
                data = _read_limited(stream, "-", max_bytes, gzipped=head == b"\x1f\x8b")
            except UnreadableInput as exc:
                yield ReadError("-", str(exc))
                continue
            yield from read_bytes(data, "-")
            continue
        path = Path(item)
        if path.is_dir():
            for file in iter_files(path):
                yield from read_file(file, max_bytes)
        elif os.path.lexists(path):
            yield from read_file(path, max_bytes)  # a dangling link or a link loop: the OS says which
        else:
            yield ReadError(display_name(item), "no such file or directory")
