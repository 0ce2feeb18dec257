"""HTML pages: trafilatura finds the main content; its XML keeps headings apart from paragraphs."""
from __future__ import annotations

from lxml import etree
import trafilatura

from ..types import Block, CleanDocument, RawDocument
from .repair import repair_text


def _block_text(element: etree._Element) -> str:
    return " ".join(repair_text("".join(element.itertext())).split())


def clean_html(raw: RawDocument) -> CleanDocument:
    """Title (from metadata), headings and paragraphs of an HTML page's main text."""
    xml = trafilatura.extract(raw.raw, url=raw.url, output_format="xml", include_comments=False,
                              include_tables=False, favor_precision=True, deduplicate=False)
    blocks: list[Block] = []
    title = repair_text(raw.title).strip() if raw.title else None
    if title:
        blocks.append(Block("title", title))
    if xml:
        root = etree.fromstring(xml.encode("utf-8"))
        main = root.find("main")
        for element in (main if main is not None else root).iter("head", "p", "item", "quote"):
            if element.tag in {"p", "quote"} and element.getparent() is not None \
                    and element.getparent().tag in {"item", "quote"}:
                continue  # counted through the enclosing item/quote
            text = _block_text(element)
            if not text or (title and not blocks[1:] and text == title):
                continue
            blocks.append(Block("heading" if element.tag == "head" else "paragraph", text))
    return CleanDocument(blocks=blocks, byline=list(raw.byline))
