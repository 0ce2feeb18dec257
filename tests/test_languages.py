"""Language of each document, one pipeline per language, chosen by configuration.

Real detector (lingua), real pipelines (spaCy English and French, natasha), real SQLite files.
"""
from __future__ import annotations

import json
import subprocess
import sys
from pathlib import Path

import pytest

from watchdesk.detect import LanguageDetector
from watchdesk.extract.languages import (Analysers, ConfigError, default_specs, load_config,
                                         parse_pipeline_option)
from watchdesk.parallel import run_task
from watchdesk.pipeline import extract, ingest
from watchdesk.read.readers import read_inputs
from watchdesk.store.db import Store

WATCHDESK = Path(sys.executable).parent / "watchdesk"

EN = ("The defence ministry said on Tuesday that about 300 soldiers had been sent to the border region "
      "after the attack, and that more would follow if the situation got worse.")
RU = ("Министерство обороны во вторник сообщило, что после нападения в приграничный район "
      "направлены около 300 военнослужащих, а если обстановка ухудшится, их станет больше.")
DE = ("Das Verteidigungsministerium teilte am Dienstag mit, dass nach dem Angriff etwa 300 Soldaten "
      "in die Grenzregion geschickt worden seien und weitere folgen könnten.")
FR_1 = ("Le président Emmanuel Macron a reçu mardi à l'Élysée le chancelier allemand Olaf Scholz pour "
        "parler de l'Ukraine.\n\nSelon l'Élysée, Emmanuel Macron et Olaf Scholz ont évoqué l'aide militaire "
        "et les sanctions contre la Russie. Macron a ensuite quitté Paris pour Bruxelles.")
FR_2 = ("À Bruxelles, Emmanuel Macron a défendu mercredi un nouveau paquet de sanctions européennes contre "
        "la Russie.\n\nLe chef de l'État a rencontré Ursula von der Leyen, présidente de la Commission "
        "européenne. Selon Macron, l'Union doit rester unie.")


@pytest.fixture(scope="module")
def detector() -> LanguageDetector:
    return LanguageDetector()


def run(*args: str, input: str | None = None, cwd: Path | None = None) -> subprocess.CompletedProcess:
    return subprocess.run([str(WATCHDESK), *args], capture_output=True, text=True, input=input, cwd=cwd,
                          timeout=600)


@pytest.mark.parametrize("text, code", [(EN, "en"), (RU, "ru"), (DE, "de"),
                                        ("Angela Merkel met Emmanuel Macron in Berlin on Friday.", "en"),
                                        ("Ryanair отменила рейсы в Варшаву и Берлин", "ru")])
def test_detects_the_language(detector, text, code):
    assert detector.detect(text).language == code


@pytest.mark.parametrize("text, why", [("12345 !!! ### 678", "too short"), ("OK, thanks", "too short"),
                                       (" ".join([RU[:90], EN[:90]]), "mixed"), ("", "too short")])
def test_cannot_tell_short_symbol_and_mixed_texts(detector, text, why):
    found = detector.detect(text)
    assert found.language is None and why in found.reason


def test_detector_answers_only_among_its_languages():
    assert LanguageDetector(["en", "ru"]).detect(DE).language in ("en", None)
    with pytest.raises(ValueError, match="xx"):
        LanguageDetector(["en", "xx"])


def test_pipeline_configuration_parses_and_refuses_nonsense(tmp_path):
    spec = parse_pipeline_option("fr=spacy:fr_core_news_sm")
    assert (spec.language, spec.engine, spec.model, spec.package) == ("fr", "spacy", "fr_core_news_sm",
                                                                      "fr-core-news-sm")
    assert "quotes" not in spec.passes  # a new language runs entities and aliases until it has cues
    for bad in ("fr", "fr=", "fr=stanza:x", "french=spacy:x", "fr=spacy"):
        with pytest.raises(ConfigError):
            parse_pipeline_option(bad)
    config = tmp_path / "pipelines.toml"
    config.write_text('[pipelines.fr]\nengine = "spacy"\nmodel = "fr_core_news_sm"\nlabels = {MISC = "NORP"}\n')
    assert dict(load_config(config)["fr"].labels) == {"MISC": "NORP"}
    config.write_text("[pipelines.fr]\nmodel = 3\n")
    with pytest.raises(ConfigError, match="engine"):
        load_config(config)
    assert set(default_specs()) == {"en", "ru"}


def _raw(tmp_path: Path, name: str, text: str) -> str:
    path = tmp_path / name
    path.write_text(text, encoding="utf-8")
    return str(path)


def test_each_document_goes_to_its_own_pipeline_and_only_needed_ones_load(tmp_path):
    analysers = Analysers()
    [en] = list(extract(read_inputs([_raw(tmp_path, "en.txt", EN)]), analysers, clean=False))
    assert en.language == "en" and en.analysed and analysers.loaded() == ("en",)
    [de] = list(extract(read_inputs([_raw(tmp_path, "de.txt", DE)]), analysers, clean=False))
    assert de.language == "de" and not de.analysed and de.note == "not analysed (no pipeline for de)"
    assert de.mentions == [] and analysers.loaded() == ("en",)  # never run through another language's model
    [ru] = list(extract(read_inputs([_raw(tmp_path, "ru.txt", RU)]), analysers, clean=False))
    assert ru.language == "ru" and ru.analysed and set(analysers.loaded()) == {"en", "ru"}
    assert ru.sentences and all(ru.text[s.start:s.end].strip() for s in ru.sentences)


def test_a_worker_task_loads_only_the_pipelines_its_documents_need(tmp_path):
    analysers = Analysers()
    task = [("path", _raw(tmp_path, "a.txt", EN)), ("path", _raw(tmp_path, "b.txt", DE))]
    results = run_task(task, nlp=analysers, clean=False)
    assert [r[0].language for r in results] == ["en", "de"]
    assert analysers.loaded() == ("en",)


def test_jsonl_language_field_and_language_option_override_detection(tmp_path):
    lines = [{"id": "a", "text": EN, "language": "ru-RU"}, {"id": "b", "text": EN}, {"id": "c", "text": "Short."}]
    path = tmp_path / "in.jsonl"
    path.write_text("\n".join(json.dumps(line) for line in lines), encoding="utf-8")
    docs = {d.id: d for d in extract(read_inputs([str(path)]), Analysers(), clean=False)}
    assert docs["a"].language == "ru"  # declared: the Russian pipeline analyses it whatever it looks like
    assert docs["b"].language == "en" and docs["b"].analysed
    assert docs["c"].language is None and not docs["c"].analysed and "language unknown" in docs["c"].note
    forced = {d.id: d for d in extract(read_inputs([str(path)]), Analysers(), clean=False, language="en")}
    assert forced["a"].language == "ru"  # the JSONL field still wins
    assert forced["c"].language == "en" and forced["c"].analysed


def test_unanalysed_documents_are_stored_searchable_and_counted(tmp_path):
    db = tmp_path / "desk.db"
    files = [_raw(tmp_path, "en.txt", EN), _raw(tmp_path, "de.txt", DE), _raw(tmp_path, "x.txt", "12 34 !!")]
    result = run("ingest", *files, "--no-clean", "--db", str(db), "-q")
    assert result.returncode == 0, result.stderr
    assert "languages: 1 de, 1 en, 1 unknown (2 not analysed" in result.stdout
    with Store(str(db)) as store:
        rows = {r["language"]: r for r in store.languages()}
        assert rows["de"]["not_analysed"] == 1 and rows["en"]["not_analysed"] == 0 and rows[None]["documents"] == 1
        assert [Path(hit.source).name for hit in store.search("Verteidigungsministerium")] == ["de.txt"]
    exported = [json.loads(line) for line in run("export", "--db", str(db), "--format", "jsonl").stdout.splitlines()]
    by_source = {Path(d["source"]).name: d for d in exported}
    assert by_source["de.txt"]["language"] == "de" and by_source["de.txt"]["mentions"] == []
    assert by_source["x.txt"]["language"] is None
    summary = run("summary", "--db", str(db)).stdout
    assert "languages: unknown 1 (1 not analysed), de 1 (1 not analysed), en 1" in summary


def test_a_configured_pipeline_that_is_not_installed_stops_with_one_clear_message(tmp_path):
    db = tmp_path / "desk.db"
    result = run("ingest", _raw(tmp_path, "en.txt", EN), "--db", str(db), "--pipeline", "de=spacy:de_core_news_sm")
    assert result.returncode == 1
    assert "pip install de-core-news-sm" in result.stderr and "Traceback" not in result.stderr
    assert not db.exists()  # checked before the store is touched
    result = run("ingest", _raw(tmp_path, "en.txt", EN), "--db", str(db), "--language", "de")
    assert result.returncode == 1 and "no pipeline is configured" in result.stderr


def test_french_is_a_configuration_change(tmp_path):
    """A third language spaCy supports: entities mapped to our labels and resolved across documents."""
    db = tmp_path / "fr.db"
    files = [_raw(tmp_path, "fr1.txt", FR_1), _raw(tmp_path, "fr2.txt", FR_2)]
    result = run("ingest", *files, "--no-clean", "--db", str(db), "-q", "--pipeline", "fr=spacy:fr_core_news_sm")
    assert result.returncode == 0, result.stderr
    assert "languages: 2 fr" in result.stdout
    exported = [json.loads(line) for line in run("export", "--db", str(db), "--format", "jsonl").stdout.splitlines()]
    assert [d["language"] for d in exported] == ["fr", "fr"]
    macron = {m["entity"] for d in exported for m in d["mentions"] if "Macron" in m["text"]}
    assert len(macron) == 1  # "Emmanuel Macron" and "Macron" in two documents: one global entity
    labels = {m["text"]: m["label"] for d in exported for m in d["mentions"]}
    assert labels["Emmanuel Macron"] == "PERSON" and labels.get("Olaf Scholz") == "PERSON"
    assert "Bruxelles" in labels and labels["Bruxelles"] in ("LOC", "GPE")


def test_python_api_ingest_counts_languages(tmp_path):
    with Store(str(tmp_path / "a.db")) as store:
        report = ingest([_raw(tmp_path, "en.txt", EN), _raw(tmp_path, "de.txt", DE)], store, clean=False)
    assert report.languages == {"en": 1, "de": 1} and report.not_analysed == 1 and report.added == 2
