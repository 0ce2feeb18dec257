"""The pipeline as a Python API: read -> clean -> extract -> store. The CLI only calls these."""
from __future__ import annotations

from dataclasses import dataclass, field
from typing import Callable, Iterable, Iterator

from spacy.language import Language
from spacy.tokens import Doc

from .clean import clean_text
from .clean.html import clean_html
from .extract.aliases import find_aliases
from .extract.attribution import find_attributions
from .extract.entities import find_entities
from .extract.events import find_events
from .extract.relations import find_relations
from .extract.nlp import DEFAULT_MODEL, load_nlp
from .read.readers import MAX_BYTES, read_inputs
from .resolve.propn import add_propn_mentions, split_compound_mentions
from .resolve.stories import signature
from .store.db import Store, StoreError, content_hash
from .types import CleanDocument, ExtractedDocument, RawDocument, ReadError, Sentence

BATCH_SIZE = 32
# A raw document may be this many times the NLP limit (nlp.max_length) before cleaning.
RAW_LIMIT_FACTOR = 10


def clean_document(raw: RawDocument, clean: bool = True) -> CleanDocument | None:
    """Clean one raw document (None with ``clean=False`` for text input: the text stays as is)."""
    if raw.format == "html":
        return clean_html(raw)
    if not clean:
        return None
    return clean_text(raw.raw)


def prepare_document(raw: RawDocument, clean: bool = True) -> ExtractedDocument:
    """The document before NLP: clean text and metadata, nothing extracted yet."""
    cleaned = clean_document(raw, clean)
    if cleaned is None:
        text, title, byline, removed = raw.raw, raw.title, list(raw.byline), []
    else:
        text, title, removed = cleaned.text, cleaned.title or raw.title, cleaned.removed
        byline = list(raw.byline) or cleaned.byline
    return ExtractedDocument(id=raw.id, source=raw.source, text=text, title=title, byline=byline,
                             published=raw.published, url=raw.url, site=raw.site, raw=raw.raw,
                             format=raw.format, encoding=raw.encoding, cleaned=cleaned is not None,
                             removed=removed)


def sentences_of(doc: Doc) -> list[Sentence]:
    """Sentence spans (whitespace trimmed); paragraphs when the pipeline sets no boundaries."""
    text = doc.text
    if doc.has_annotation("SENT_START"):
        spans = [(s.start_char, s.end_char) for s in doc.sents]
    else:
        spans, pos = [], 0
        for part in text.split("\n\n"):
            spans.append((pos, pos + len(part)))
            pos += len(part) + 2
    out = []
    for start, end in spans:
        chunk = text[start:end]
        stripped = chunk.strip()
        if stripped:
            lead = len(chunk) - len(chunk.lstrip())
            out.append(Sentence(start + lead, start + lead + len(stripped)))
    return out


def annotate(document: ExtractedDocument, doc: Doc) -> ExtractedDocument:
    """Fill sentences, mentions and entities of ``document`` from its parsed spaCy Doc."""
    document.language = doc.lang_  # the language the text was analysed as (the pipeline's)
    document.sentences = sentences_of(doc)
    mentions, entities = find_entities(doc)
    mentions, entities = split_compound_mentions(doc, mentions, entities)
    mentions, entities = add_propn_mentions(doc, mentions, entities)
    aliases = find_aliases(doc.text, mentions, entities)
    document.mentions, document.entities, document.aliases = aliases.mentions, aliases.entities, aliases.links
    document.quotes, document.claims, document.quantities = find_attributions(
        doc, document.mentions, document.entities)
    document.relations = find_relations(doc, document.mentions, document.entities, quotes=document.quotes)
    document.events = find_events(doc, document.mentions, document.entities, published=document.published,
                                  quotes=document.quotes)
    return document


def extract(items: Iterable[RawDocument | ReadError], nlp: Language, clean: bool = True,
            batch_size: int = BATCH_SIZE) -> Iterator[ExtractedDocument | ReadError]:
    """Stream documents through cleaning and NLP; read errors and cleaning failures pass through."""
    failures: list[ReadError] = []

    def prepared() -> Iterator[tuple[str, ExtractedDocument]]:
        for item in items:
            if isinstance(item, ReadError):
                failures.append(item)
                continue
            if len(item.raw) > RAW_LIMIT_FACTOR * nlp.max_length:  # bounds the cleaner's time and memory
                failures.append(ReadError(item.source, f"document too long ({len(item.raw):,} characters > "
                                                       f"{RAW_LIMIT_FACTOR * nlp.max_length:,})"))
                continue
            try:
                document = prepare_document(item, clean)
            except Exception as exc:  # one bad document must not stop the run
                failures.append(ReadError(item.source, f"cleaning failed: {type(exc).__name__}: {exc}"))
                continue
            if not document.text.strip():  # nothing to analyse: storing it would add an empty document
                failures.append(ReadError(item.source, f"no article text left after cleaning "
                                                       f"({len(document.removed)} lines removed)"))
                continue
            if len(document.text) > nlp.max_length:  # spaCy would raise and end the whole stream
                failures.append(ReadError(item.source, f"text too long to analyse ({len(document.text):,} "
                                                       f"characters > {nlp.max_length:,})"))
                continue
            yield document.text, document

    for doc, document in nlp.pipe(prepared(), as_tuples=True, batch_size=batch_size):
        while failures:
            yield failures.pop(0)
        try:
            annotated = annotate(document, doc)
        except Exception as exc:  # an extractor bug on one document must not stop the run
            yield ReadError(document.source, f"extraction failed: {type(exc).__name__}: {exc}")
            continue
        yield annotated
    yield from failures


@dataclass
class IngestReport:
    """What one ingest run did."""

    added: int = 0
    unchanged: int = 0  # same content already stored
    entities: int = 0
    mentions: int = 0
    global_entities: int = 0  # after resolution across documents
    errors: list[ReadError] = field(default_factory=list)


def ingest(inputs: Iterable[str], store: Store, model: str = DEFAULT_MODEL, clean: bool = True,
           on_item: Callable[[ExtractedDocument | ReadError], None] | None = None,
           max_bytes: int = MAX_BYTES, workers: int = 1) -> IngestReport:
    """Read, clean, extract and store every input; already stored content is skipped before NLP.

    With ``workers`` > 1, reading, cleaning, NLP and extraction run in that many processes
    (``watchdesk.parallel``); this process writes to the store in input order, as with one.
    """
    report = IngestReport()
    nlp = load_nlp(model) if workers <= 1 else None

    def new_items() -> Iterator[RawDocument | ReadError]:
        for item in read_inputs(inputs, max_bytes=max_bytes):
            if isinstance(item, RawDocument) and store.has_content(content_hash(item.raw)):
                report.unchanged += 1
                if on_item:
                    on_item(item)
                continue
            yield item

    def parallel_items() -> Iterator[tuple[ExtractedDocument | ReadError, object]]:
        from .parallel import Unchanged, extract_parallel

        db = store.path if store.path != ":memory:" else None
        for result in extract_parallel(inputs, workers, model, clean, db=db, max_bytes=max_bytes):
            if isinstance(result, Unchanged):
                report.unchanged += 1
                if on_item:
                    on_item(result.raw)
            else:
                yield result if isinstance(result, tuple) else (result, None)

    items = parallel_items() if workers > 1 else ((item, None) for item in extract(new_items(), nlp, clean))
    for item, sig in items:
        store_item(store, report, item, model, sig)
        if on_item:
            on_item(item)
    return finish_ingest(store, report)


def store_item(store: Store, report: IngestReport, item: ExtractedDocument | ReadError, model: str | None,
               sig: object = None) -> None:
    """Store one extracted document (or record its error) and count it in ``report``."""
    if isinstance(item, ReadError):
        report.errors.append(item)
        return
    try:
        added = store.add_document(item, model=model, signature=sig or signature(item.text))
    except StoreError:  # the database itself failed (full, read-only, locked): stop the run
        raise
    except Exception as exc:  # rolled back by the store; report and go on
        report.errors.append(ReadError(item.source, f"store failed: {type(exc).__name__}: {exc}"))
        return
    if added is None:
        report.unchanged += 1
    else:
        report.added += 1
        report.entities += len(item.entities)
        report.mentions += len(item.mentions)


def finish_ingest(store: Store, report: IngestReport) -> IngestReport:
    """Resolve the new documents across the store (when any were added)."""
    if report.added:
        from .resolve.run import resolve_pending

        report.global_entities = resolve_pending(store).global_entities
    return report
