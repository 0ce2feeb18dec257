"""Russian quotes, claims, quantities and dated events (real razdel / pymorphy2 / dateparser)."""
from __future__ import annotations

import re

import pytest

from watchdesk.extract.ru.attribution import find_ru_attributions
from watchdesk.extract.ru.events import find_ru_events
from watchdesk.extract.ru.quantities import find_ru_quantities
from watchdesk.types import DocEntity, Mention, Sentence


def _doc(text: str, names: list[tuple[str, str]]):
    """Sentences (razdel) and mentions of each (name, label): entity ids e1, e2 ... by name."""
    from razdel import sentenize

    mentions, entities = [], []
    for k, (name, label) in enumerate(names, 1):
        entities.append(DocEntity(id=f"e{k}", name=name, label=label))
        for m in re.finditer(re.escape(name), text):
            mentions.append(Mention(m.start(), m.end(), name, label, f"e{k}"))
    return [Sentence(s.start, s.stop) for s in sentenize(text)], mentions, entities


def _attr(text, names):
    s, m, e = _doc(text, names)
    quotes, claims, quantities = find_ru_attributions(text, s, m, e)
    for a in quotes + claims:
        for sp in (a.content, a.cue, a.speaker):
            assert sp is None or text[sp.start:sp.end] == sp.text
    for q in quantities:
        assert text[q.start:q.end] == q.text
    return quotes, claims, quantities


# --------------------------------------------------------------------------- quotes


def test_guillemets_with_dash_cue_after():
    q, c, _ = _attr("«Мы не отступим от своих планов», — сказал Иванов журналистам.",
                    [("Иванов", "PERSON")])
    assert len(q) == 1 and q[0].id == "q1" and q[0].direct
    assert q[0].content.text == "Мы не отступим от своих планов"
    assert q[0].cue.text == "сказал" and q[0].speaker.text == "Иванов" and q[0].entity == "e1"
    assert c == []


def test_cue_inside_guillemets_and_pronoun_speaker():
    text = ("Петрова прилетела в Берлин. «Мы обсуждаем это с правительством, — сказала она. — "
            "Ситуация очень „деликатная“».")
    q, _, _ = _attr(text, [("Петрова", "PERSON"), ("Берлин", "GPE")])
    assert len(q) == 1
    assert q[0].content.text.startswith("Мы обсуждаем") and q[0].content.text.endswith("„деликатная“")
    assert q[0].speaker.text == "она" and q[0].entity == "e1"


def test_colon_then_quote():
    q, c, _ = _attr("Министр Сергей Орлов заявил: «Переговоры продолжатся завтра».",
                    [("Сергей Орлов", "PERSON")])
    assert [a.content.text for a in q] == ["Переговоры продолжатся завтра"]
    assert q[0].cue.text == "заявил" and q[0].entity == "e1"
    assert c == []  # the cue of a quote is not also a claim


def test_dash_led_paragraph_with_continuation():
    text = "— Мы будем бороться до конца, — заявила Анна Смирнова. — Нас поддержат.\n\nВ Казани прошел митинг."
    q, _, _ = _attr(text, [("Анна Смирнова", "PERSON"), ("Казани", "GPE")])
    assert len(q) == 1 and q[0].entity == "e1" and q[0].cue.text == "заявила"
    assert q[0].content.text.startswith("Мы будем бороться") and "Нас поддержат" in q[0].content.text
    assert "митинг" not in q[0].content.text


def test_unmarked_speech_then_dash_cue():
    q, _, _ = _attr("Решение будет принято до конца недели, — сообщил Олег Белов.",
                    [("Олег Белов", "PERSON")])
    assert q[0].content.text == "Решение будет принято до конца недели"
    assert q[0].speaker.text == "Олег Белов" and q[0].cue.text == "сообщил"


def test_quoted_title_is_not_a_quote():
    text = "Об этом пишет «Новая газета». Журнал «Огонек» вышел в понедельник."
    q, _, _ = _attr(text, [("Новая газета", "ORG")])
    assert q == []


# --------------------------------------------------------------------------- claims


@pytest.mark.parametrize("text,names,cue,holder,content", [
    ("По данным ООН, в лагере живут более 50 тысяч беженцев.", [("ООН", "ORG")],
     "По данным", "ООН", "в лагере живут более 50 тысяч беженцев"),
    ("По словам Кравцова, переговоры зашли в тупик.", [("Кравцова", "PERSON")],
     "По словам", "Кравцова", "переговоры зашли в тупик"),
    ("Как сообщает ТАСС, в результате взрыва пострадали 12 человек.", [("ТАСС", "ORG")],
     "сообщает", "ТАСС", "в результате взрыва пострадали 12 человек"),
    ("В результате взрыва пострадали 12 человек, сообщило МЧС.", [("МЧС", "ORG")],
     "сообщило", "МЧС", "В результате взрыва пострадали 12 человек"),
    ("Кравцова заявила, что около тысячи человек остались без жилья.", [("Кравцова", "PERSON")],
     "заявила", "Кравцова", "около тысячи человек остались без жилья"),
    ("Аналитики Сбербанка утверждают, что кризис продлится два года.", [("Сбербанка", "ORG")],
     "утверждают", "Сбербанка", "кризис продлится два года"),
    ("Согласно докладу ВОЗ, число заболевших превысило 2,5 млн.", [("ВОЗ", "ORG")],
     "Согласно", "ВОЗ", "число заболевших превысило 2,5 млн"),
    ("По оценкам Всемирного банка, экономика региона сократится.", [("Всемирного банка", "ORG")],
     "По оценкам", "Всемирного банка", "экономика региона сократится"),
    ("Как передает Reuters, суд отложил заседание.", [("Reuters", "ORG")],
     "передает", "Reuters", "суд отложил заседание"),
    ("Тимур Алиев подчеркнул, что выборы пройдут честно.", [("Тимур Алиев", "PERSON")],
     "подчеркнул", "Тимур Алиев", "выборы пройдут честно"),
    ("По информации Интерфакса, поезд задержан на границе.", [("Интерфакса", "ORG")],
     "По информации", "Интерфакса", "поезд задержан на границе"),
])
def test_claim_cues(text, names, cue, holder, content):
    _, c, _ = _attr(text, names)
    assert len(c) == 1, c
    assert c[0].id == "c1" and not c[0].direct
    assert (c[0].cue.text, c[0].speaker.text, c[0].content.text) == (cue, holder, content)
    assert c[0].entity == "e1"


def test_cue_lemmas_cover_genders_and_pronouns():
    text = ("Марина Ковалева считает, что реформа провалилась. Она уверена, что суд будет честным. "
            "Депутаты отметили, что закон устарел.")
    _, c, _ = _attr(text, [("Марина Ковалева", "PERSON")])
    assert [a.cue.text for a in c] == ["считает", "уверена", "отметили"]
    assert c[1].speaker.text == "Она" and c[1].entity == "e1"
    assert c[2].speaker.text == "Депутаты" and c[2].entity is None


def test_quantity_linked_to_its_claim():
    _, c, qs = _attr("По данным ООН, в лагере живут более 50 тысяч беженцев.", [("ООН", "ORG")])
    assert [(q.text, q.low, q.claim) for q in qs] == [("более 50 тысяч беженцев", 50000, "c1")]


# --------------------------------------------------------------------------- quantities


@pytest.mark.parametrize("text,qtext,value,low,high,approx,qual,unit", [
    ("Там воюют около 17 тысяч боевиков.", "около 17 тысяч боевиков", 17000, None, None, True, "около", "боевиков"),
    ("Погибли около тысячи человек.", "около тысячи человек", 1000, None, None, True, "около", "человек"),
    ("Ранены более 50 человек.", "более 50 человек", 50, 50, None, False, "более", "человек"),
    ("В отряде 17 тыс. бойцов.", "17 тыс. бойцов", 17000, None, None, False, None, "бойцов"),
    ("Бюджет составил 2,5 млн рублей.", "2,5 млн рублей", 2.5e6, None, None, False, None, "рублей"),
    ("Пришли от 10 до 20 тысяч человек.", "от 10 до 20 тысяч человек", None, 10000, 20000, False, None, "человек"),
    ("Собрались несколько сотен сторонников.", "несколько сотен сторонников", None, 200, 900, True, "несколько", "сторонников"),
    ("Задержаны свыше 300 участников.", "свыше 300 участников", 300, 300, None, False, "свыше", "участников"),
    ("Погибли не менее 40 мирных жителей.", "не менее 40 мирных жителей", 40, 40, None, False, "не менее", "мирных жителей"),
    ("Зал вмещает до 20 человек.", "до 20 человек", 20, None, 20, False, "до", "человек"),
    ("Эвакуированы почти 1000 жителей.", "почти 1000 жителей", 1000, None, 1000, True, "почти", "жителей"),
    ("Привиты примерно 5 % населения.", "примерно 5 %", 5, None, None, True, "примерно", "%"),
    ("Там служат порядка десяти тысяч солдат.", "порядка десяти тысяч солдат", 10000, None, None, True, "порядка", "солдат"),
    ("Выпущено сто ракет.", "сто ракет", 100, None, None, False, None, "ракет"),
    ("На площадь вышли 17 000 демонстрантов.", "17 000 демонстрантов", 17000, None, None, False, None, "демонстрантов"),
    ("Выделено полтора миллиона долларов.", "полтора миллиона долларов", 1.5e6, None, None, False, None, "долларов"),
])
def test_quantities(text, qtext, value, low, high, approx, qual, unit):
    qs = find_ru_quantities(text)
    assert len(qs) == 1, qs
    q = qs[0]
    assert text[q.start:q.end] == q.text == qtext
    assert (q.value, q.low, q.high, q.approximate, q.qualifier, q.unit) == (value, low, high, approx, qual, unit)


def test_dates_times_durations_and_codes_are_not_quantities():
    text = ("В 2011 году, 15 ноября, в 10:30 через 8 лет 17-й съезд обсудил COVID-19, "
            "Boeing 737 и один из планов.")
    assert find_ru_quantities(text) == []


def test_quantities_window_offsets():
    text = "Вступление. Погибли 12 человек."
    qs = find_ru_quantities(text, start=12)
    assert [(q.start, q.text) for q in qs] == [(text.index("12"), "12 человек")]
    assert find_ru_quantities(text, start=0, end=11) == []


# --------------------------------------------------------------------------- events


def _events(text, names=(), published=None):
    s, m, e = _doc(text, list(names))
    evs = find_ru_events(text, s, m, e, published=published)
    for ev in evs:
        for sp in (ev.time, ev.trigger, ev.evidence):
            assert sp is None or text[sp.start:sp.end] == sp.text
    return evs


@pytest.mark.parametrize("text,time,date,end,precision,uncertain,trigger,published", [
    ("Митинг прошел 15 ноября 2013 года в центре Казани.", "15 ноября 2013 года", "2013-11-15", None, "day", False, "прошел", None),
    ("В ноябре 1999 года отряд вошел в город.", "В ноябре 1999 года", "1999-11", None, "month", False, "вошел", None),
    ("В 2011 г. губернатора убили.", "В 2011 г.", "2011", None, "year", False, "убили", None),
    ("Вчера суд оправдал женщину.", "Вчера", "2018-10-31", None, "day", False, "оправдал", "2018-11-01"),
    ("Вчера суд оправдал женщину.", "Вчера", None, None, "day", True, "оправдал", None),
    ("Переговоры начались 15 ноября.", "15 ноября", "2017-11-15", None, "day", False, "начались", "2018-11-01"),
    ("Переговоры начались 15 ноября.", "15 ноября", "--11-15", None, "day", True, "начались", None),
    ("В 2011-2013 годах он жил в Дамаске.", "В 2011-2013 годах", "2011", "2013", "range", False, "жил", None),
    ("Выборы пройдут в мае.", "в мае", "2019-05", None, "month", False, "пройдут", "2018-11-14"),
    ("Документ подписан 15.11.2013.", "15.11.2013", "2013-11-15", None, "day", False, "подписан", None),
])
def test_events(text, time, date, end, precision, uncertain, trigger, published):
    evs = _events(text, published=published)
    assert len(evs) == 1, evs
    ev = evs[0]
    assert (ev.id, ev.time.text, ev.date, ev.date_end, ev.precision, ev.uncertain) == \
        ("t1", time, date, end, precision, uncertain)
    assert ev.trigger.text == trigger
    assert ev.evidence.text == text


def test_event_entities_and_name_like_month():
    text = "Марта Лебедева приехала в Казань. В 2015 году Лебедева возглавила Совет."
    evs = _events(text, [("Лебедева", "PERSON"), ("Казань", "GPE"), ("Совет", "ORG")])
    assert [e.time.text for e in evs] == ["В 2015 году"]  # "Марта" is a name here
    assert evs[0].entities == ["e1", "e3"]


def test_empty_text():
    assert find_ru_attributions("", [], [], []) == ([], [], [])
    assert find_ru_quantities("") == []
    assert find_ru_events("", [], [], []) == []
    assert find_ru_events("   \n", [], [], [], published="2020-01-01") == []
