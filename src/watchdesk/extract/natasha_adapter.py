"""The natasha analyser: Russian documents through ``watchdesk.extract.ru`` (natasha's models)."""
from __future__ import annotations

from dataclasses import dataclass, field

from ..types import ExtractedDocument, ReadError
from .languages import NATASHA_MAX_LENGTH


@dataclass
class NatashaAnalyser:
    """Analyses Russian documents; natasha's models load once per process."""

    spec: object  # PipelineSpec
    max_length: int = NATASHA_MAX_LENGTH
    models: object = field(default=None, repr=False)

    def __post_init__(self) -> None:
        from .ru.models import load_russian

        self.models = load_russian()

    def analyse(self, documents: list[ExtractedDocument]) -> list[ExtractedDocument | ReadError]:
        from .ru import analyse_russian, analyse_russian_batch

        try:
            return list(analyse_russian_batch(documents, self.models))
        except Exception:  # find the document that failed: analyse them one by one
            out: list[ExtractedDocument | ReadError] = []
            for document in documents:
                try:
                    out.append(analyse_russian(document, self.models))
                except Exception as exc:  # one bad document must not stop the run
                    out.append(ReadError(document.source, f"extraction failed ({self.spec.language} pipeline): "
                                                          f"{type(exc).__name__}: {exc}"))
            return out
