"""Readers: files, directories, JSONL and stdin become RawDocuments (or ReadErrors).

Every reader yields one item per article and never raises for a bad input: a broken
file becomes a ``ReadError`` naming the source and the reason, and reading goes on.
"""
from __future__ import annotations

import hashlib
import json
import os
import sys
from pathlib import Path
from typing import BinaryIO, Iterable, Iterator

from ..types import RawDocument, ReadError
from .decode import UnreadableInput, decode_bytes
from .html import html_metadata

TEXT_SUFFIXES = {".txt", ".text", ""}
HTML_SUFFIXES = {".html", ".htm", ".xhtml"}
JSONL_SUFFIXES = {".jsonl", ".ndjson"}
SKIP_NAMES = {".DS_Store", "Thumbs.db"}

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
        if isinstance(text, str) and text.strip():
            yield RawDocument(id=doc_id, source=where, raw=text, format="text", url=url,
                              title=title, published=published, encoding=encoding)
        else:
            yield _html_document(doc_id, where, html, encoding, url=url, title=title, published=published)


def read_bytes(data: bytes, source: str, path: Path | None = None) -> Iterator[ReadItem]:
    """Decode one input's bytes and yield its document(s)."""
    try:
        text, encoding = decode_bytes(data)
    except UnreadableInput as exc:
        yield ReadError(source, str(exc))
        return
    fmt = _format_of(path, text) if path else _sniff_format(text)
    doc_id = path.stem if path else _content_id(text)
    if fmt == "jsonl":
        yield from read_jsonl_lines(text.splitlines(), source, encoding)
    elif fmt == "html":
        yield _html_document(doc_id, source, text, encoding)
    else:
        yield RawDocument(id=doc_id, source=source, raw=text, format="text", encoding=encoding)


def read_file(path: Path) -> Iterator[ReadItem]:
    """Read one file; unreadable files become a ReadError with the OS's reason."""
    try:
        data = path.read_bytes()
    except OSError as exc:
        yield ReadError(str(path), exc.strerror or str(exc))
        return
    yield from read_bytes(data, str(path), path)


def iter_files(root: Path) -> Iterator[Path]:
    """Files under ``root`` in a stable (sorted) order, hidden files and folders skipped."""
    for dirpath, dirnames, filenames in os.walk(root):
        dirnames[:] = sorted(d for d in dirnames if not d.startswith("."))
        for name in sorted(filenames):
            if not name.startswith(".") and name not in SKIP_NAMES:
                yield Path(dirpath) / name


def read_inputs(inputs: Iterable[str], stdin: BinaryIO | None = None) -> Iterator[ReadItem]:
    """Read paths (files, directories recursively) and ``-`` (standard input), streaming."""
    for item in inputs:
        if item == "-":
            stream = stdin if stdin is not None else sys.stdin.buffer
            yield from read_bytes(stream.read(), "-")
            continue
        path = Path(item)
        if path.is_dir():
            for file in iter_files(path):
                yield from read_file(file)
        elif path.exists():
            yield from read_file(path)
        else:
            yield ReadError(item, "no such file or directory")
