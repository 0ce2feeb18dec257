"""HTML: metadata (title, author, date, site) and main text through trafilatura."""
from __future__ import annotations

import logging

import trafilatura

# trafilatura logs every page it finds hard; our own error reporting covers real failures.
logging.getLogger("trafilatura").setLevel(logging.ERROR)


def _split_authors(author: str | None) -> list[str]:
    if not author:
        return []
    parts = [p.strip() for p in author.replace(" and ", ";").split(";")]
    return [p for p in parts if p]


def html_metadata(html: str, url: str | None = None) -> dict:
    """Title, byline, published date (ISO), site name and URL of an HTML page."""
    meta = trafilatura.extract_metadata(html, default_url=url)
    if meta is None:
        return {}
    return {
        "title": meta.title,
        "byline": _split_authors(meta.author),
        "published": meta.date,
        "site": meta.sitename or meta.hostname,
        "url": meta.url,
    }


def html_main_text(html: str, url: str | None = None) -> str:
    """The main article text of a page (paragraphs separated by newlines), or ''."""
    text = trafilatura.extract(html, url=url, include_comments=False, include_tables=False,
                               favor_precision=True, deduplicate=False)
    return text or ""
