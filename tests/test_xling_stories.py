"""One story across languages: an article, its translation and a garbled machine translation."""
from __future__ import annotations

from watchdesk.resolve.anchors import anchors, number_value, same_story, skeleton
from watchdesk.resolve.stories import signature
from watchdesk.store.db import Store
from watchdesk.types import ExtractedDocument

RU = (
    "Пожар на складе в Новосибирске уничтожил 17 тысяч тонн зерна\n"
    "Пожар на зерновом складе в Новосибирске 14 марта 2023 года уничтожил около 17 тысяч тонн зерна, "
    "сообщил губернатор области Андрей Травников.\n"
    "По его словам, огонь охватил площадь 4 500 квадратных метров, а тушение продолжалось 11 часов.\n"
    "Владелец склада, компания «Сибагро», оценила ущерб в 2,3 млрд рублей.\n"
    "Прокуратура Новосибирской области начала проверку, а директор компании Виктор Клементьев "
    "заявил, что склад был застрахован.\n"
    "В тушении участвовали 86 пожарных и 23 единицы техники, пострадавших нет.\n"
    "Травников поручил до 1 апреля проверить все зернохранилища региона.\n"
    "По данным министерства сельского хозяйства, в 2022 году в области собрали 3,1 млн тонн зерна, "
    "на 12% больше, чем годом ранее.\n"
    "Клементьев пообещал восстановить склад к сентябрю 2024 года."
)
EN = (
    "Warehouse fire in Novosibirsk destroys 17,000 tonnes of grain\n"
    "A fire at a grain warehouse in Novosibirsk on March 14, 2023 destroyed about 17,000 tonnes of grain, "
    "regional governor Andrei Travnikov said.\n"
    "According to him, the fire covered an area of 4,500 square metres and took 11 hours to put out.\n"
    "The owner of the warehouse, Sibagro, estimated the damage at 2.3 billion roubles.\n"
    "The Novosibirsk regional prosecutor's office has opened an inquiry, and the company's director "
    "Viktor Klementyev said the warehouse was insured.\n"
    "Some 86 firefighters and 23 vehicles fought the blaze; nobody was hurt.\n"
    "Travnikov ordered all grain stores in the region to be inspected by April 1.\n"
    "According to the agriculture ministry, the region harvested 3.1 million tonnes of grain in 2022, "
    "12% more than a year earlier.\n"
    "Klementyev promised to rebuild the warehouse by September 2024."
)
MT = (  # a weak machine translation: broken names, word salad, one figure garbled
    "Fire on warehouse in Novosibirske destroyed 17 thousand tons corn\n"
    "Fire on the corn storage in Novosibirske 14 March 2023 year destroyed near 17 thousand tons of corn, "
    "reported governor of the oblast Andrey Travnikov.\n"
    "By his words, the fire embraced square 4 500 of square meters, and extinguishing continued 11 hours.\n"
    "Owner of the storage, company Sibagro, valued damage in 2,3 billion rubles.\n"
    "Prosecution of Novosibirsk oblast started check, and director of company Victor Klementev "
    "declared that the storage was insured.\n"
    "In extinguishing participated 86 firemans and 23 units of technique, suffered no.\n"
    "Travnikov commanded until 1 April to check all corn storages of region.\n"
    "By data of ministry of agriculture, in 2022 year in oblast collected 3,1 mln tons of corn, "
    "on 21% more, than year earlier.\n"
    "Klementev promised to restore storage to September 2024 year."
)
# Two other stories on the same topic, with the same well-known names and places.
OTHER_1 = (
    "Grain exports from Novosibirsk fall as rail costs rise\n"
    "Grain shipments from the Novosibirsk region fell in the first quarter, governor Andrei Travnikov "
    "told regional lawmakers on Tuesday.\n"
    "Exporters sent 410,000 tonnes abroad between January and March, down from 655,000 a year ago.\n"
    "Travnikov blamed rail tariffs, which rose by 9.5% in January, and a shortage of wagons.\n"
    "Farmers in Novosibirsk have asked Moscow for subsidies to cover transport to ports in the Far East.\n"
    "The agriculture ministry said it would consider the request in June.\n"
    "Analysts at Sovecon expect the region's harvest to reach 2.8 million tonnes this year."
)
OTHER_2 = (
    "Novosibirsk opens new grain terminal\n"
    "A new grain terminal with a capacity of 250,000 tonnes opened near Novosibirsk on Friday.\n"
    "Governor Andrei Travnikov, who attended the ceremony, said the project cost 6.7 billion roubles "
    "and created 340 jobs.\n"
    "The terminal, built by a consortium led by Sibagro, will handle shipments to China and Kazakhstan.\n"
    "Trains will leave twice a week from October, the operator said.\n"
    "Travnikov said Novosibirsk farmers would save up to 15% on logistics.\n"
    "The region expects to export 1.2 million tonnes of grain in 2025."
)


def _doc(key: str, text: str, language: str) -> ExtractedDocument:
    return ExtractedDocument(id=key, source=f"{key}.txt", text=text, raw=text, language=language)


def _store_all(path, docs: list[tuple[str, str, str]]) -> tuple[Store, dict[str, int]]:
    store = Store(path)
    ids = {}
    for key, text, language in docs:
        ids[key] = store.add_document(_doc(key, text, language), signature=signature(text))
    return store, ids


def _story(store: Store, doc_id: int) -> int:
    return store.conn.execute("SELECT story_id FROM documents WHERE id = ?", (doc_id,)).fetchone()[0]


def test_figures_and_names_normalise_across_languages():
    assert number_value("17 000", None) == number_value("17,000", None) == number_value("17", "тысяч") == 17000
    assert number_value("2,3", "млрд") == number_value("2.3", "billion") == 2.3e9
    assert number_value("75,9", "тыс.") == 75900
    assert skeleton("Травников")[:3] == skeleton("Travnikov")[:3]
    assert skeleton("Клементьев") == skeleton("Klementyev") == skeleton("Klementev")
    assert skeleton("Москве")[:3] == skeleton("Moscow")[:3]
    # the same anchors, at the same places, come out of the two languages
    ru, en, other = anchors(RU), anchors(EN), anchors(OTHER_1)
    assert len({a.key for a in ru} & {a.key for a in en}) >= 12
    translation = same_story(ru, en, len(RU), len(EN), {}, 0)
    assert translation.same and translation.matched >= 12
    unrelated = same_story(ru, other, len(RU), len(OTHER_1), {}, 0)
    assert not unrelated.same and unrelated.score < translation.score / 2


def test_article_translation_and_machine_translation_are_one_story(tmp_path):
    store, ids = _store_all(tmp_path / "x.db", [("ru", RU, "ru"), ("en", EN, "en"), ("mt", MT, "en")])
    with store:
        stories = {_story(store, d) for d in ids.values()}
        assert stories == {ids["ru"]}
        # the translation pair is recorded, with the languages, for entity alignment later
        assert store.translation_pairs(ids["ru"]) == [ids["en"], ids["mt"]]
        assert store.translation_pairs(ids["en"]) == [ids["ru"]]
        links = store.story_links(ids["en"])
        assert links and links[0]["other"] == ids["ru"] and links[0]["kind"] == "translation"
        assert links[0]["language"] == "ru"
        (story,) = store.stories()
        assert [(c["id"], c["language"]) for c in story["copies"]] == [(ids["ru"], "ru"), (ids["en"], "en"),
                                                                       (ids["mt"], "en")]


def test_two_english_translations_join_without_the_original(tmp_path):
    store, ids = _store_all(tmp_path / "x.db", [("mt", MT, "en"), ("en", EN, "en")])
    with store:
        assert _story(store, ids["en"]) == ids["mt"]
        assert store.story_links(ids["en"])[0]["kind"] == "rewording"
        assert store.translation_pairs(ids["en"]) == []


def test_same_topic_same_names_other_stories_stay_apart(tmp_path):
    store, ids = _store_all(tmp_path / "x.db", [("ru", RU, "ru"), ("o1", OTHER_1, "en"), ("o2", OTHER_2, "en"),
                                                ("en", EN, "en")])
    with store:
        assert _story(store, ids["o1"]) == ids["o1"]
        assert _story(store, ids["o2"]) == ids["o2"]
        assert _story(store, ids["en"]) == ids["ru"]
        assert store.translation_pairs(ids["o1"]) == []
