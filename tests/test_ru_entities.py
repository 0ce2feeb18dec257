"""Russian analysis (natasha + the document-level pass): nominative forms, entities, aliases.

The texts are written for these tests; they use the real natasha models.
"""
from __future__ import annotations

import pytest

pytest.importorskip("natasha")

from watchdesk.extract.ru import analyse_russian, analyse_russian_batch  # noqa: E402
from watchdesk.types import ExtractedDocument  # noqa: E402

VISIT = ("Вчера в Казани прошла встреча с Ренатом Галиуллиным. Галиуллин рассказал журналистам "
         "о планах. Позже Рената Галиуллина видели в Самаре. Ренат Галиуллин вернулся в Казань.")
ACRONYM = ("Представители Организации освобождения Арктики (ООА) приехали в Новосибирск. "
           "Лидер ООА Марина Веснина заявила, что Веснина не боится. "
           "Журналисты спросили Марину Веснину о Новосибирске.")
KNOWN_AS = "Агент Пётр Сомов, известный как Граф, бежал из Омска."
NOTHING = "Сегодня было тепло и солнечно, ветер слабый, а вечером пошёл дождь."


def _analyse(text: str) -> ExtractedDocument:
    return analyse_russian(ExtractedDocument(id="t", source="t", text=text))


def _by_text(doc: ExtractedDocument) -> dict[str, object]:
    return {m.text: m for m in doc.mentions}


@pytest.fixture(scope="module")
def visit() -> ExtractedDocument:
    return _analyse(VISIT)


@pytest.fixture(scope="module")
def acronym() -> ExtractedDocument:
    return _analyse(ACRONYM)


def test_language_and_offsets_exact(visit, acronym):
    for doc in (visit, acronym):
        assert doc.language == "ru"
        assert doc.mentions, "names expected"
        for m in doc.mentions:
            assert doc.text[m.start:m.end] == m.text
        starts = [m.start for m in doc.mentions]
        assert starts == sorted(starts)
        for a, b in zip(doc.mentions, doc.mentions[1:]):
            assert a.end <= b.start
        for s in doc.sentences:
            assert doc.text[s.start:s.end] == doc.text[s.start:s.end].strip()
        assert len(doc.sentences) >= 3


def test_labels_mapped(visit):
    labels = {m.text: m.label for m in visit.mentions}
    assert labels["Ренатом Галиуллиным"] == "PERSON"
    assert labels["Казани"] == "GPE"
    assert set(labels.values()) <= {"PERSON", "ORG", "GPE"}


def test_nominative_lemmas_of_inflected_names(visit, acronym):
    m = _by_text(visit)
    assert m["Ренатом Галиуллиным"].lemma == "Ренат Галиуллин"
    assert m["Рената Галиуллина"].lemma == "Ренат Галиуллин"
    assert m["Казани"].lemma == "Казань"
    assert m["Самаре"].lemma == "Самара"
    a = _by_text(acronym)
    assert a["Марину Веснину"].lemma == "Марина Веснина"
    assert a["Новосибирске"].lemma == "Новосибирск"
    # an organisation is inflected up to its head noun only
    assert a["Организации освобождения Арктики"].lemma == "Организация освобождения Арктики"


def test_inflections_grouped_and_surname_joins_full_name(visit):
    person = [e for e in visit.entities if e.label == "PERSON"]
    assert len(person) == 1
    ent = person[0]
    assert ent.name == "Ренат Галиуллин"
    assert ent.mentions == 4
    ids = {m.entity for m in visit.mentions if m.label == "PERSON"}
    assert ids == {ent.id}
    assert "Галиуллин" in ent.aliases and "Ренатом Галиуллиным" in ent.aliases
    city = next(e for e in visit.entities if e.name == "Казань")
    assert city.mentions == 2 and city.label == "GPE"


def test_acronym_alias_with_evidence(acronym):
    links = [a for a in acronym.aliases if a.kind == "acronym"]
    assert links, acronym.aliases
    link = links[0]
    assert link.alias == "ООА"
    assert link.name == "Организации освобождения Арктики"
    assert acronym.text[link.start:link.end] == "ООА"
    assert acronym.text[link.evidence_start:link.evidence_end] == link.evidence
    assert "(ООА)" in link.evidence
    org = next(e for e in acronym.entities if e.id == link.entity)
    assert org.name == "Организация освобождения Арктики"
    assert org.label == "ORG"
    # both occurrences of the acronym belong to the organisation
    assert [m.entity for m in acronym.mentions if m.text == "ООА"] == [org.id, org.id]


def test_known_as_alias():
    doc = _analyse(KNOWN_AS)
    link = next(a for a in doc.aliases if a.kind == "known as")
    assert (link.name, link.alias) == ("Пётр Сомов", "Граф")
    ent = next(e for e in doc.entities if e.id == link.entity)
    assert ent.name == "Пётр Сомов"
    assert "Граф" in ent.aliases


def test_text_without_entities():
    doc = _analyse(NOTHING)
    assert doc.language == "ru"
    assert doc.mentions == [] and doc.entities == [] and doc.aliases == []
    assert len(doc.sentences) == 1


def test_batch_equals_single(visit):
    docs = [ExtractedDocument(id=str(i), source=str(i), text=t)
            for i, t in enumerate((NOTHING, VISIT, ""))]
    out = analyse_russian_batch(docs)
    assert [d.id for d in out] == ["0", "1", "2"]
    assert [(m.start, m.end, m.lemma) for m in out[1].mentions] == \
        [(m.start, m.end, m.lemma) for m in visit.mentions]
    assert out[2].mentions == [] and out[2].sentences == []
