"""The typed items that travel between pipeline stages.

read  -> RawDocument
clean -> CleanDocument (blocks + removed lines; ``text`` is what every offset points into)
extract -> ExtractedDocument (mentions and document entities with offsets into ``text``)
"""
from __future__ import annotations

from dataclasses import asdict, dataclass, field
from typing import Any


@dataclass
class RawDocument:
    """One article as read from its source, before any cleaning."""

    id: str  # stable id: file stem, JSONL "id", or a hash for stdin
    source: str  # input path, "path#line" for JSONL, or "-" for stdin
    raw: str  # decoded input text (HTML markup for HTML inputs)
    format: str = "text"  # "text" (flattened page) or "html"
    title: str | None = None
    byline: list[str] = field(default_factory=list)
    published: str | None = None  # ISO date when known
    url: str | None = None
    site: str | None = None
    encoding: str | None = None  # detected input encoding
    language: str | None = None  # declared language (JSONL "language", ISO 639-1); None: detect it


@dataclass
class RemovedLine:
    """A line the cleaner dropped, with the reason it gave."""

    line: int  # 0-based line number in the (repaired) input
    text: str
    reason: str


@dataclass
class Block:
    """One kept unit of the clean article: title, subtitle, heading or paragraph."""

    kind: str  # "title" | "subtitle" | "heading" | "paragraph"
    text: str


@dataclass
class CleanDocument:
    """The article after cleaning. ``text`` joins the blocks with blank lines."""

    blocks: list[Block]
    byline: list[str] = field(default_factory=list)
    removed: list[RemovedLine] = field(default_factory=list)

    @property
    def title(self) -> str | None:
        return next((b.text for b in self.blocks if b.kind == "title"), None)

    @property
    def subtitle(self) -> str | None:
        return next((b.text for b in self.blocks if b.kind == "subtitle"), None)

    @property
    def headings(self) -> list[str]:
        return [b.text for b in self.blocks if b.kind == "heading"]

    @property
    def paragraphs(self) -> list[str]:
        return [b.text for b in self.blocks if b.kind == "paragraph"]

    @property
    def text(self) -> str:
        return "\n\n".join(b.text for b in self.blocks)

    def to_dict(self) -> dict[str, Any]:
        return {
            "title": self.title,
            "subtitle": self.subtitle,
            "byline": self.byline,
            "headings": self.headings,
            "body": self.paragraphs,
            "blocks": [asdict(b) for b in self.blocks],
            "removed": [asdict(r) for r in self.removed],
            "text": self.text,
        }


@dataclass
class Mention:
    """A span of ``text`` that names an entity. ``entity`` is the document entity id."""

    start: int
    end: int
    text: str
    label: str  # spaCy label: PERSON, ORG, GPE, LOC, NORP, ...
    entity: str | None = None
    lemma: str | None = None  # normal (nominative) form where the language inflects names ("Асии" -> "Асия")


@dataclass
class DocEntity:
    """Mentions of one thing inside one document, grouped; ``name`` is the fullest form."""

    id: str  # document-local id, e.g. "e3"
    name: str
    label: str
    aliases: list[str] = field(default_factory=list)  # distinct surface forms, name first
    mentions: int = 0


@dataclass
class Span:
    """A part of an extracted item: ``text == document.text[start:end]``."""

    start: int
    end: int
    text: str


@dataclass
class Quantity:
    """A number with what it counts: "about 17,000 foreign fighters" -> 17000, approximate."""

    start: int
    end: int
    text: str
    value: float | None  # the point value (None for a pure range)
    low: float | None = None  # range bounds; open bounds are None ("more than 50": low=50)
    high: float | None = None
    approximate: bool = False
    qualifier: str | None = None  # "about", "more than", "at least", "up to", "several" ...
    unit: str | None = None  # what is counted, as written ("foreign fighters")
    claim: str | None = None  # id of the claim or quote it occurs in


@dataclass
class Attribution:
    """Who said or claims what. Quotes are direct speech; claims are indirect or sourced."""

    id: str  # "q1" for quotes, "c1" for claims
    content: Span
    cue: Span | None = None  # "said", "according to", ":" ...
    speaker: Span | None = None  # the mention as written ("he", "US intelligence")
    entity: str | None = None  # document entity id the speaker resolves to
    direct: bool = True  # False for claims (a claim may still carry a quoted part)


@dataclass
class Relation:
    """Who did what to whom, from the dependency parse: "Tsuneoka visited Syria"."""

    id: str  # "r1" ...
    subject: Span
    predicate: Span  # the verb (or verb + particle/preposition) as written
    object: Span
    relation: str  # normalised predicate: the verb lemma ("meet", "join", "lead", ...)
    evidence: Span  # the sentence that says so
    subject_entity: str | None = None  # document entity ids where the arguments resolve
    object_entity: str | None = None


@dataclass
class Event:
    """Something that happened at a time the text gives: a time expression resolved to dates."""

    id: str  # "t1" ...
    time: Span  # the time expression as written ("in November 1999", "On November 15")
    date: str | None  # ISO start: "1999-11", "2001", "2013-11-15"; None if unresolvable
    date_end: str | None = None  # ISO end for ranges
    precision: str = "day"  # "day" | "month" | "year" | "decade" | "range"
    uncertain: bool = False  # e.g. a year-less date with no publication date to anchor it
    evidence: Span | None = None  # the sentence
    trigger: Span | None = None  # the event's verb or noun ("arrived", "announced", "video")
    entities: list[str] = field(default_factory=list)  # document entities taking part


@dataclass
class AliasLink:
    """Evidence that ``alias`` names the same thing as ``name`` (both as written).

    ``entity``: the document entity id they now share; ``kind``: the cue ("known as",
    "a.k.a.", "nicknamed", "real name", "parenthesised name", "acronym", "acronym letters");
    ``start``/``end``: the alias as written; ``evidence_start``/``evidence_end``/``evidence``:
    the sentence (or span) that establishes the link, ``evidence == text[evidence_start:
    evidence_end]``.
    """

    entity: str
    name: str
    alias: str
    kind: str
    start: int
    end: int
    evidence_start: int
    evidence_end: int
    evidence: str


@dataclass
class Sentence:
    start: int
    end: int


@dataclass
class ExtractedDocument:
    """A document with everything extracted from it; all offsets are into ``text``."""

    id: str
    source: str
    text: str
    title: str | None = None
    byline: list[str] = field(default_factory=list)
    published: str | None = None
    language: str | None = "en"  # ISO 639-1 code detected (or given); None when it cannot be told
    analysed: bool = True  # False: stored and searchable, but no pipeline ran (see ``note``)
    note: str | None = None  # e.g. "not analysed (no pipeline for de)"
    url: str | None = None
    site: str | None = None
    raw: str = ""
    format: str = "text"  # format of ``raw``: "text" or "html"
    encoding: str | None = None
    cleaned: bool = True  # False with --no-clean: ``text`` is the input exactly
    removed: list[RemovedLine] = field(default_factory=list)
    sentences: list[Sentence] = field(default_factory=list)
    mentions: list[Mention] = field(default_factory=list)
    entities: list[DocEntity] = field(default_factory=list)
    quotes: list[Attribution] = field(default_factory=list)
    claims: list[Attribution] = field(default_factory=list)
    quantities: list[Quantity] = field(default_factory=list)
    relations: list[Relation] = field(default_factory=list)
    events: list[Event] = field(default_factory=list)
    aliases: list[AliasLink] = field(default_factory=list)  # names the article says are the same

    def to_json(self) -> dict[str, Any]:
        """The public JSON schema written by ``extract`` and ``export``."""
        return {
            "id": self.id,
            "source": self.source,
            "title": self.title,
            "byline": self.byline,
            "published": self.published,
            "language": self.language,
            "analysed": self.analysed,
            "note": self.note,
            "url": self.url,
            "text": self.text,
            "mentions": [asdict(m) for m in self.mentions],
            "entities": [asdict(e) for e in self.entities],
            "aliases": [asdict(a) for a in self.aliases],
            "quotes": [asdict(q) for q in self.quotes],
            "claims": [asdict(c) for c in self.claims],
            "quantities": [asdict(q) for q in self.quantities],
            "relations": [asdict(r) for r in self.relations],
            "events": [asdict(e) for e in self.events],
        }


@dataclass
class ReadError:
    """An input that could not be read, named with the reason; the run goes on without it."""

    source: str
    reason: str
