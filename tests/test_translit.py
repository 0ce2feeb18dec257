"""Cyrillic names in Latin script as English news spells them (watchdesk.resolve.translit)."""
from __future__ import annotations

import pytest

from watchdesk.resolve.translit import MAX_FORMS, best_latin, has_cyrillic, latin_forms, latin_names, script_of


@pytest.mark.parametrize("cyrillic,latin", [
    ("Шамиль Цунэока", "Shamil Tsuneoka"),
    ("Хабиб", "Khabib"),
    ("Дмитрий Песков", "Dmitry Peskov"),
    ("Сергей Лавров", "Sergey Lavrov"),
    ("Зеленский", "Zelensky"),
    ("Гелаев", "Gelayev"),
    ("Юлия Тимошенко", "Yulia Timoshenko"),
    ("Евгений", "Yevgeny"),
    ("Горбачёв", "Gorbachev"),
    ("Щукин", "Shchukin"),
    ("Жуков", "Zhukov"),
    ("Достоевская", "Dostoyevskaya"),
])
def test_best_form_is_the_news_spelling(cyrillic, latin):
    assert best_latin(cyrillic) == latin
    assert latin_forms(cyrillic)[0] == latin


@pytest.mark.parametrize("cyrillic,variant", [
    ("Гелаев", "Gelaev"),
    ("Дональд Трамп", "Donald Trump"),
    ("Джон", "Dzhon"),
    ("Джон", "Jon"),
    ("Алексей", "Alexey"),
    ("Дмитрий", "Dmitriy"),
    ("Васильев", "Vasiliev"),
    ("Пётр", "Petr"),
    ("Мария", "Mariya"),
    ("Хасан", "Hasan"),
])
def test_variants_english_papers_also_use(cyrillic, variant):
    assert variant in latin_forms(cyrillic)


def test_forms_are_deduplicated_bounded_and_cased():
    forms = latin_forms("Ахмед-Хаджи Кадыров Евгеньевич")
    assert 1 < len(forms) <= MAX_FORMS
    assert len(set(forms)) == len(forms)
    assert all(not has_cyrillic(f) for f in forms)
    assert forms[0].startswith("Akhmed-Khaji Kadyrov")
    assert latin_forms("ИГИШ") == ["IGISH"]  # an acronym stays in capitals
    assert latin_forms("Shamil Tsuneoka") == ["Shamil Tsuneoka"]  # Latin text as it is
    assert latin_forms("") == []


def test_scripts():
    assert has_cyrillic("Цунэока") and not has_cyrillic("Tsuneoka")
    assert script_of("Шамиль Цунэока") == "Cyrillic"
    assert script_of("Shamil Tsuneoka") == "Latin"
    assert script_of("Müller") == "Latin"
    assert script_of("ИГИШ (ISIS)") == "Mixed"
    assert script_of("2019") == "Other"
    assert script_of("الدولة") == "Other"


def test_entity_latin_names_attested_first():
    names = ["Шамиль Цунэока", "Цунэока", "Shamil Tsuneoka", "Гелаев"]
    latin = latin_names(names)
    assert latin[0] == "Shamil Tsuneoka"  # the attested spelling first
    assert "Tsuneoka" in latin and "Gelayev" in latin and "Gelaev" in latin
    assert latin.index("Gelayev") < latin.index("Gelaev")  # best forms before variants
    assert len(latin_names(names, limit=3)) == 3
