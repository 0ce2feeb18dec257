"""What a figure counts, reduced to a key that groups "foreign fighters" with "fighters"."""
from __future__ import annotations

import re

_WORD = re.compile(r"[A-Za-z][A-Za-z'-]*")
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


def unit_key(unit: str) -> str:
    """The counted thing's head noun, singular and lower-cased: "Russian-speaking militants" -> "militant"."""
    words = _WORD.findall(unit or "")
    return singular(words[-1]) if words else ""
