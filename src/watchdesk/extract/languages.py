"""One analysis pipeline per language, chosen by configuration.

A ``PipelineSpec`` says which engine analyses a language and how:

* ``engine = "spacy"``: any installed spaCy pipeline package (``model``), its entity labels
  mapped onto ours (``labels``, e.g. French ``PER -> PERSON``), and the passes that run on its
  parse (``passes``: entities, aliases, propn, quotes, relations, events; the English cue
  lexicon drives quotes, relations and events, so a new language runs entities and aliases
  until it has a cue list of its own, ``cues``);
* ``engine = "natasha"``: the Russian pipeline (``watchdesk.extract.ru``).

``Analysers(specs)`` holds the specs of a run and loads each pipeline the first time a
document in its language arrives, so a worker process loads only the pipelines its documents
need. ``parse_pipeline_option("fr=spacy:fr_core_news_sm")`` and ``load_config(path)`` (TOML,
``[pipelines.fr] engine = "spacy" model = "fr_core_news_sm"``) turn configuration into specs.
Every analyser turns a batch of prepared ``ExtractedDocument``s into analysed ones (or a
``ReadError`` for a document that failed), all producing the same typed items.
"""
from __future__ import annotations

import importlib.util
import tomllib
from dataclasses import dataclass, field, replace
from pathlib import Path
from typing import Iterable, Protocol

from ..settings import DEFAULT_LANGUAGE, DEFAULT_PIPELINES
from ..types import ExtractedDocument, ReadError
from .nlp import ModelNotInstalledError

ENGINES = ("spacy", "natasha")
ALL_PASSES = ("entities", "aliases", "propn", "quotes", "relations", "events")
NEW_LANGUAGE_PASSES = ("entities", "aliases")  # a spaCy language without its own cue list
NATASHA_MAX_LENGTH = 1_000_000  # characters, as spaCy's default nlp.max_length


class ConfigError(ValueError):
    """A pipeline configuration that cannot be used (unknown engine, malformed option)."""


@dataclass(frozen=True)
class PipelineSpec:
    """How one language is analysed."""

    language: str  # ISO 639-1
    engine: str  # "spacy" | "natasha"
    model: str | None = None  # spaCy pipeline package name (or path)
    package: str | None = None  # what to `pip install` when it is missing
    labels: tuple[tuple[str, str], ...] = ()  # engine label -> our label
    passes: tuple[str, ...] = ALL_PASSES
    cues: str | None = None  # path of the cue lexicon for quotes (spaCy engines)

    @property
    def name(self) -> str:
        return f"{self.engine}:{self.model}" if self.model else self.engine


def make_spec(language: str, engine: str, model: str | None = None, package: str | None = None,
              labels: dict[str, str] | None = None, passes: Iterable[str] | None = None,
              cues: str | None = None) -> PipelineSpec:
    """A checked ``PipelineSpec`` (the English spaCy pipeline gets every pass by default)."""
    language = language.strip().lower()
    if len(language) != 2 or not language.isalpha():
        raise ConfigError(f"language must be an ISO 639-1 code such as 'fr', not {language!r}")
    if engine not in ENGINES:
        raise ConfigError(f"unknown engine {engine!r} for {language} (known: {', '.join(ENGINES)})")
    if engine == "spacy" and not model:
        raise ConfigError(f"a spacy pipeline for {language} needs a model name, e.g. {language}=spacy:MODEL")
    if passes is None:
        passes = ALL_PASSES if (language == "en" or cues) else NEW_LANGUAGE_PASSES
    unknown = set(passes) - set(ALL_PASSES)
    if unknown:
        raise ConfigError(f"unknown passes {sorted(unknown)} (known: {', '.join(ALL_PASSES)})")
    return PipelineSpec(language, engine, model, package or (model.replace("_", "-") if model else engine),
                        tuple(sorted((labels or {}).items())), tuple(passes), cues)


def default_specs() -> dict[str, PipelineSpec]:
    return {lang: make_spec(lang, **conf) for lang, conf in DEFAULT_PIPELINES.items()}


def parse_pipeline_option(option: str) -> PipelineSpec:
    """``xx=ENGINE[:MODEL]`` -> spec (``fr=spacy:fr_core_news_sm``, ``ru=natasha``)."""
    lang, sep, rest = option.partition("=")
    if not sep or not rest:
        raise ConfigError(f"--pipeline takes LANG=ENGINE[:MODEL] (e.g. fr=spacy:fr_core_news_sm), not {option!r}")
    engine, _, model = rest.partition(":")
    return make_spec(lang, engine.strip(), model.strip() or None)


def load_config(path: str | Path) -> dict[str, PipelineSpec]:
    """Pipelines from a TOML file: ``[pipelines.xx]`` tables with engine, model, labels, passes, cues."""
    try:
        data = tomllib.loads(Path(path).read_text(encoding="utf-8"))
    except (OSError, tomllib.TOMLDecodeError, UnicodeDecodeError) as exc:
        raise ConfigError(f"cannot read pipeline configuration {path}: {exc}") from exc
    specs = {}
    for lang, conf in (data.get("pipelines") or {}).items():
        if not isinstance(conf, dict) or "engine" not in conf:
            raise ConfigError(f"{path}: [pipelines.{lang}] needs at least engine = \"spacy\" or \"natasha\"")
        try:
            spec = make_spec(lang, **conf)
        except TypeError as exc:
            raise ConfigError(f"{path}: [pipelines.{lang}]: {exc}") from exc
        specs[spec.language] = spec
    return specs


def with_english_model(specs: dict[str, PipelineSpec], model: str | None) -> dict[str, PipelineSpec]:
    """``--model`` keeps working: it names the spaCy pipeline of the default language."""
    spec = specs.get(DEFAULT_LANGUAGE)
    if not model or spec is None or spec.engine != "spacy" or spec.model == model:
        return specs
    return {**specs, DEFAULT_LANGUAGE: replace(spec, model=model)}


def check_installed(spec: PipelineSpec) -> None:
    """Raise ``ModelNotInstalledError`` naming the package when the spec's pipeline is missing."""
    if spec.engine == "natasha":
        if importlib.util.find_spec("natasha") is None:
            raise ModelNotInstalledError(f"the {spec.language} pipeline needs natasha, which is not installed: "
                                         f"pip install {spec.package or 'natasha'}")
        return
    import spacy.util

    if not (spacy.util.is_package(spec.model) or Path(spec.model).is_dir()):
        raise ModelNotInstalledError(f"the {spec.language} pipeline needs the spaCy pipeline {spec.model!r}, "
                                     f"which is not installed: pip install {spec.package}")


class Analyser(Protocol):
    """Analyses prepared documents of one language."""

    spec: PipelineSpec
    max_length: int

    def analyse(self, documents: list[ExtractedDocument]) -> list[ExtractedDocument | ReadError]: ...


@dataclass
class Analysers:
    """The pipelines of one run, loaded on first use; ``forced``: the language every document gets."""

    specs: dict[str, PipelineSpec] = field(default_factory=default_specs)
    forced: str | None = None
    _loaded: dict[str, Analyser] = field(default_factory=dict, repr=False)

    @property
    def languages(self) -> tuple[str, ...]:
        return tuple(self.specs)

    def get(self, language: str | None) -> Analyser | None:
        """The analyser of ``language`` (loaded now if needed), or None without a pipeline."""
        if language is None or language not in self.specs:
            return None
        if language not in self._loaded:
            self._loaded[language] = _load(self.specs[language])
        return self._loaded[language]

    def loaded(self) -> tuple[str, ...]:
        return tuple(self._loaded)

    @classmethod
    def single(cls, nlp) -> "Analysers":
        """Every document analysed by one spaCy pipeline (the Python API's ``extract(items, nlp)``)."""
        from .spacy_adapter import SpacyAnalyser

        lang = nlp.lang if len(nlp.lang) == 2 else DEFAULT_LANGUAGE
        spec = make_spec(lang, "spacy", nlp.meta.get("name") or "custom", passes=ALL_PASSES)
        return cls({lang: spec}, forced=lang, _loaded={lang: SpacyAnalyser(spec, nlp)})


def _load(spec: PipelineSpec) -> Analyser:
    check_installed(spec)
    if spec.engine == "natasha":
        from .natasha_adapter import NatashaAnalyser

        return NatashaAnalyser(spec)
    from .nlp import load_nlp
    from .spacy_adapter import SpacyAnalyser

    return SpacyAnalyser(spec, load_nlp(spec.model))
