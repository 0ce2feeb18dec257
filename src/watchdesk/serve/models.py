"""Response models of the JSON API (they make the OpenAPI schema FastAPI publishes at /openapi.json)."""
from __future__ import annotations

from pydantic import BaseModel, Field


class Error(BaseModel):
    detail: str


class ArticleRef(BaseModel):
    """The fields every listing of an article carries."""

    id: int
    title: str | None
    source: str
    site: str | None
    url: str | None
    published: str | None
    story: int | None


class ArticleSummary(ArticleRef):
    byline: list[str]


class Page(BaseModel):
    total: int
    limit: int
    offset: int


class ArticlePage(Page):
    items: list[ArticleSummary]


class SpanModel(BaseModel):
    start: int
    end: int
    text: str


class SentenceModel(BaseModel):
    start: int
    end: int


class MentionModel(BaseModel):
    start: int
    end: int
    text: str
    label: str
    entity: str | None
    local_id: str | None


class AttributionModel(BaseModel):
    kind: str
    id: str
    content: SpanModel
    cue: SpanModel | None
    speaker: SpanModel | None
    entity: str | None
    holder: str | None


class RemovedModel(BaseModel):
    line: int
    text: str
    reason: str


class CopyModel(BaseModel):
    id: int
    title: str | None
    source: str
    url: str | None
    site: str | None
    published: str | None
    language: str | None = None  # copies of one story may be translations


class ArticleEntity(BaseModel):
    entity: str
    local_id: str
    name: str
    label: str
    mentions: int
    global_name: str
    first: list[int] | None


class Article(BaseModel):
    id: int
    doc_key: str
    source: str
    format: str
    url: str | None
    site: str | None
    title: str | None
    byline: list[str]
    published: str | None
    language: str | None  # ISO 639-1, detected or declared; None when it could not be told
    analysed: bool  # False: no pipeline for its language (stored and searchable only)
    note: str | None  # why not analysed
    ingested_at: str
    cleaned: bool
    story: int | None
    copies: list[CopyModel]
    text: str
    raw: str
    removed: list[RemovedModel]
    sentences: list[SentenceModel]
    mentions: list[MentionModel]
    attributions: list[AttributionModel]
    entities: list[ArticleEntity]


class EntitySummary(BaseModel):
    id: str
    name: str
    label: str
    aliases: list[str]
    documents: int
    mentions: int


class EntityHit(EntitySummary):
    matched: list[str]


class EntityPage(Page):
    items: list[EntitySummary]


class CopyRef(BaseModel):
    """The same item in another copy of the story, with its evidence sentence."""

    doc_id: int
    anchor: int | None
    title: str | None = None
    published: str | None = None
    site: str | None = None


class InCopies(BaseModel):
    """An item listed once per story, with the other copies of the story holding it."""

    copies: list[CopyRef]  # the first few other copies holding it (copy order)
    copies_total: int  # every other copy holding it


class AliasSeen(BaseModel):
    """Where a name is first seen in one story: a copy and its sentence, and the other copies."""

    doc_id: int
    anchor: int
    copies: list[CopyRef]  # the first few other copies (copy order)
    copies_total: int  # every other copy naming it


class AliasCount(BaseModel):
    alias: str
    count: int  # mentions, copies of a story counted once (the copy naming it most)
    documents: list[int]  # every copy it is seen in (the first `limit` by id)
    documents_total: int
    stories: int
    seen: list[AliasSeen]  # one per story, the first `limit`; `stories` counts them all


class ScriptName(BaseModel):
    name: str
    count: int  # mentions, copies of a story counted once


class ScriptNames(BaseModel):
    """The entity's names written in one script ("Latin", "Cyrillic", "Mixed", "Other")."""

    script: str
    count: int
    names: list[ScriptName]


class AliasEvidence(InCopies):
    name: str
    alias: str
    kind: str
    doc_id: int
    anchor: int
    sentence: str


class EntityArticleCopy(BaseModel):
    id: int
    title: str | None
    source: str
    published: str | None
    story_id: int | None
    site: str | None
    mentions: int


class EntityArticle(EntityArticleCopy):
    """One story: its earliest published copy, the story's count and the other copies."""

    story_mentions: int
    copies: list[EntityArticleCopy]  # the first few other copies (copy order)
    copies_total: int  # every other copy naming it


class EvidenceModel(InCopies):
    doc_id: int
    start: int
    end: int
    mention: str
    sentence: str
    anchor: int


class StatementModel(InCopies):
    kind: str
    doc_id: int
    title: str | None
    content: str
    speaker: str | None
    holder: str | None
    holder_id: str | None
    anchor: int
    published: str | None


class EntityRef(BaseModel):
    id: str
    name: str


class RelationModel(InCopies):
    doc_id: int
    relation: str
    predicate: str
    subject: str
    object: str
    subject_entity: EntityRef | None
    object_entity: EntityRef | None
    sentence: str
    anchor: int
    published: str | None


class EventModel(InCopies):
    doc_id: int
    date: str | None
    date_end: str | None
    uncertain: bool
    precision: str | None
    time: str
    trigger: str | None
    sentence: str
    anchor: int
    published: str | None


class CoMention(BaseModel):
    id: str
    name: str
    label: str
    stories: int
    documents: int


class Entity(BaseModel):
    """One entity. Each list holds at most 200 entries (co_mentions 40); its ``<list>_total`` is the full count.
    For lists of items once per story (evidence, quotes, claims, about, relations, events,
    alias_evidence), a story beyond those read counts as its copy with the most items."""

    id: str
    name: str
    label: str
    resolved: bool
    members: list[str]
    members_total: int
    aliases: list[AliasCount]
    aliases_total: int
    names_by_script: list[ScriptNames]  # the names above grouped by script, Latin first
    latin: list[str]  # Latin-script forms: its Latin names, then transliterations of its Cyrillic names
    alias_evidence: list[AliasEvidence]
    alias_evidence_total: int
    mentions: int  # copies of a story counted once
    mentions_with_copies: int
    stories: int
    documents: int
    articles: list[EntityArticle]  # one per story
    articles_total: int
    evidence: list[EvidenceModel]
    evidence_total: int
    quotes_by: list[StatementModel]
    quotes_by_total: int
    claims_by: list[StatementModel]
    claims_by_total: int
    about: list[StatementModel]
    about_total: int
    relations: list[RelationModel]
    relations_total: int
    events: list[EventModel]
    events_total: int
    co_mentions: list[CoMention]
    co_mentions_total: int


class SearchHitModel(ArticleRef):
    snippet: str
    score: float


class SearchResult(Page):
    total_exact: bool = Field(description="false when a filtered total was counted up to 1000 only")
    matches: int = Field(description="articles containing the words, before filters (exact)")
    ranked_among: int | None = Field(description="when this many or more articles match, only the newest "
                                     "ranked_among of them are ranked (else null)")
    articles: list[SearchHitModel]
    entities: list[EntityHit]


class Node(BaseModel):
    id: str
    name: str
    label: str
    mentions: int
    documents: int


class EdgeRelation(BaseModel):
    subject: str
    object: str
    relation: str
    count: int


class Edge(BaseModel):
    source: str
    target: str
    weight: int
    co_mentions: int
    relations: list[EdgeRelation]


class GraphCount(BaseModel):
    nodes: int
    edges: int


class Graph(BaseModel):
    nodes: list[Node]
    edges: list[Edge]
    min_weight: int  # the minimum weight applied (chosen when auto)
    auto: bool
    total: GraphCount  # entities matching the filters; links among the candidates
    shown: GraphCount
    pool: int  # candidates: the most mentioned entities (or the centre's neighbours)


class Figure(BaseModel):
    unit: str
    value: float | None
    low: float | None
    high: float | None
    text: str
    approximate: bool
    qualifier: str | None
    holder: str | None
    holder_id: str | None
    speaker: str | None
    kind: str
    statement: str
    doc_id: int
    title: str | None
    source: str
    published: str | None
    story: int | None
    start: int | None
    end: int | None
    anchor: int | None  # start of the sentence stating it: /article/DOC#s-ANCHOR
    copies: list[CopyRef]


class ClaimGroup(BaseModel):
    counts: str
    conflicting: bool
    figures: list[Figure]


class StoryCopy(CopyModel):
    ingested_at: str


class Story(BaseModel):
    story: int
    copies: list[StoryCopy]


class StoryPage(Page):
    items: list[Story]
