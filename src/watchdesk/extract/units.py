"""What a figure counts, reduced to a key that groups "foreign fighters" with "fighters".

English: the last word, singular. Russian (Cyrillic units): the first noun's normal form
through pymorphy2 ("своих граждан" -> "гражданин", "боевиков" -> "боевик"), since the counted
noun leads a Russian noun phrase ("граждан Таджикистана").
"""
from __future__ import annotations

import re

_WORD = re.compile(r"[A-Za-z][A-Za-z'-]*")
_CYRILLIC_WORD = re.compile(r"[А-Яа-яЁё][А-Яа-яЁё-]*")
_IRREGULAR = {"people": "person", "men": "man", "women": "woman", "children": "child", "police": "police"}


def singular(word: str) -> str:
    """A plain English singular for a plural noun (good enough to group counted things)."""
    w = word.lower()
    if w in _IRREGULAR:
        return _IRREGULAR[w]
    for suffix, repl in (("ies", "y"), ("sses", "ss"), ("shes", "sh"), ("ches", "ch"), ("xes", "x")):
        if w.endswith(suffix) and len(w) > len(suffix) + 2:
            return w[: -len(suffix)] + repl
    if w.endswith("s") and not w.endswith(("ss", "us", "is")) and len(w) > 3:
        return w[:-1]
    return w


def _russian_head(words: list[str]) -> str:
    from .ru.quantities import lemma, pos

    noun = next((w for w in words if pos(w) == "NOUN"), words[-1])
    return lemma(noun).lower()


def unit_key(unit: str) -> str:
    """The counted thing's head noun, singular and lower-cased: "Russian-speaking militants" -> "militant"."""
    cyrillic = _CYRILLIC_WORD.findall(unit or "")
    if cyrillic:
        return _russian_head(cyrillic)
    words = _WORD.findall(unit or "")
    return singular(words[-1]) if words else ""
