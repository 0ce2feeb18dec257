"""Cyrillic names in Latin script, the way English-language news spells them.

Assigns: ``latin_forms(name)`` -> the best news spelling of a Russian (Cyrillic) name first, then a
few variants (deduplicated, at most ``MAX_FORMS``); ``has_cyrillic(s)`` and ``script_of(s)``
("Cyrillic" / "Latin" / "Mixed" / "Other"); ``latin_names(names)`` -> the Latin-script forms of an
entity that holds those names (attested Latin names first, then transliterations).

The rules are a news-style romanisation (close to BGN/PCGN with the simplifications English
papers make), not ISO 9 and not unidecode's: Дж -> J, Ц -> Ts, Х -> Kh, Ж -> Zh, Ч -> Ch, Ш -> Sh,
Щ -> Shch, Ю -> Yu, Я -> Ya, Э -> E, Ы -> Y, Ь/Ъ dropped; Е -> Ye at the start of a word and after a
vowel or soft/hard sign, else E; Ё -> Yo (E after ж ч ш щ); final -ий/-ый -> -y; Й -> Y.
Where news spellings vary, each letter sequence has alternatives with a cost (Е after a vowel:
"ye" or "e" -> Gelayev / Gelaev; -ий: "y", "iy", "i"; Дж: "j" or "dzh"; Кс: "ks" or "x"; ия:
"ia" or "iya"; ье: "ye" or "ie"; Х: "kh" or "h"; А in a closed syllable of a borrowed name: "a"
or "u", as English /ʌ/ is written in Russian: Трамп / Trump). Variants are the combinations of
alternatives in order of total cost. No name is listed anywhere: only letters and sequences.
Ukrainian letters (і ї є ґ) are read too; Ukrainian names come out Russian-style.
"""
from __future__ import annotations

import itertools
import re
import unicodedata
from functools import lru_cache

MAX_FORMS = 6  # forms returned per name (the best first)
MAX_CHANGES = 2  # less usual alternatives combined in one variant
MAX_COMBOS = 2048  # variant spellings enumerated per name before ordering by cost
LATIN_MAX = 12  # Latin-script forms kept for one entity

# One letter -> its best news spelling (lower case).
LETTERS = {
    "а": "a", "б": "b", "в": "v", "г": "g", "д": "d", "е": "e", "ё": "yo", "ж": "zh", "з": "z",
    "и": "i", "й": "y", "к": "k", "л": "l", "м": "m", "н": "n", "о": "o", "п": "p", "р": "r",
    "с": "s", "т": "t", "у": "u", "ф": "f", "х": "kh", "ц": "ts", "ч": "ch", "ш": "sh",
    "щ": "shch", "ъ": "", "ы": "y", "ь": "", "э": "e", "ю": "yu", "я": "ya",
    "і": "i", "ї": "yi", "є": "ye", "ґ": "g", "ў": "w",
}
VOWELS = frozenset("аеёиоуыэюяіїє")
SIGNS = frozenset("ьъ")
HUSHING = frozenset("жчшщ")
CONSONANTS = frozenset(LETTERS) - VOWELS - SIGNS - {"й"}
# Clusters after which a Russian "а" in a closed syllable usually renders English /ʌ/ ("u").
STRUT_NEXT = frozenset(["мп", "мб", "нт", "нд", "нк", "нг", "фф", "сс", "тт", "пп", "бб", "лл", "дд", "гг"])

# Costs of the less usual spellings (0 is the best form).
COST_COMMON = 1  # a spelling news uses about as often (Gelaev, Dmitriy, Alexey)
COST_RARE = 2  # a spelling some papers use (Dmitri, Habib, Dzhon)
COST_GUESS = 3  # a guess at the source language's spelling (Trump for Трамп)

_WORD_SPLIT = re.compile(r"([^\w]+)")

Alt = tuple[tuple[str, int], ...]  # alternatives of one unit: (spelling, cost), best first


def has_cyrillic(s: str) -> bool:
    """Does the text hold a Cyrillic letter?"""
    return any("\u0400" <= c <= "\u052f" for c in s or "")


def script_of(s: str) -> str:
    """"Cyrillic", "Latin", "Mixed" (both) or "Other" (neither, or other scripts only) by its letters."""
    cyr = lat = False
    for c in s or "":
        if not c.isalpha():
            continue
        if "\u0400" <= c <= "\u052f":
            cyr = True
        elif unicodedata.name(c, "").startswith("LATIN"):
            lat = True
    if cyr and lat:
        return "Mixed"
    return "Cyrillic" if cyr else "Latin" if lat else "Other"


def _at_word_start(w: str, i: int) -> bool:
    return i == 0 or not w[i - 1].isalpha()


def _ending(w: str, i: int, n: int) -> bool:
    """Do ``n`` letters from ``i`` end the word?"""
    return i + n == len(w) or not w[i + n].isalpha()


def _e_alts(w: str, i: int) -> Alt:
    prev = w[i - 1] if i > 0 else ""
    if _at_word_start(w, i):
        return (("ye", 0), ("e", COST_COMMON))
    if prev in VOWELS:
        return (("ye", 0), ("e", COST_COMMON))
    if prev in SIGNS:
        return (("ye", 0), ("ie", COST_COMMON))  # Vasilyev / Vasiliev (the sign read as i)
    return (("e", 0),)


def _yo_alts(w: str, i: int) -> Alt:
    prev = w[i - 1] if i > 0 else ""
    if prev in HUSHING:
        return (("e", 0), ("o", COST_COMMON))  # Gorbachev; Khrushchev
    return (("yo", 0), ("e", COST_COMMON))


def _a_alts(w: str, i: int) -> Alt:
    prev, nxt = (w[i - 1] if i > 0 else ""), w[i + 1:i + 3]
    if prev in CONSONANTS and nxt in STRUT_NEXT:
        return (("a", 0), ("u", COST_GUESS))
    return (("a", 0),)


def _units(w: str) -> list[Alt]:
    """The word (lower case) as a sequence of units, each with its alternative spellings."""
    out: list[Alt] = []
    i = 0
    while i < len(w):
        c, two = w[i], w[i:i + 2]
        if two == "дж":
            out.append((("j", 0), ("dzh", COST_RARE)))
            i += 2
        elif two == "кс":
            out.append((("ks", 0), ("x", COST_COMMON)))
            i += 2
        elif two in ("ий", "ый") and _ending(w, i, 2) and i > 0:
            out.append((("y", 0), ("iy", COST_COMMON), ("i", COST_RARE)) if c == "и"
                       else (("y", 0), ("iy", COST_COMMON)))
            i += 2
        elif two == "ия" and i > 0:
            out.append((("ia", 0), ("iya", COST_COMMON)))
            i += 2
        elif c == "е":
            out.append(_e_alts(w, i))
            i += 1
        elif c == "ё":
            out.append(_yo_alts(w, i))
            i += 1
        elif c == "а":
            out.append(_a_alts(w, i))
            i += 1
        elif c == "й":
            out.append((("y", 0), ("i", COST_COMMON)))
            i += 1
        elif c == "х":
            out.append((("kh", 0), ("h", COST_RARE)))
            i += 1
        else:
            out.append(((LETTERS.get(c, c), 0),))
            i += 1
    return out


def _recase(src: str, out: str) -> str:
    """Give the Latin word the case pattern of its source word (Title, UPPER or lower)."""
    letters = [c for c in src if c.isalpha()]
    if len(letters) > 1 and all(c.isupper() for c in letters):
        return out.upper()
    if letters and src[:1].isupper():
        return out[:1].upper() + out[1:]
    return out


def _tokens(name: str) -> list[str]:
    """The name cut into words and the separators between them (kept, in order)."""
    return [p for p in _WORD_SPLIT.split(name) if p]


def _spellings(units: list[Alt]):
    """Choices of one alternative per unit (indexes), cheapest first: the best spelling, then
    every combination of up to ``MAX_CHANGES`` less usual alternatives, ordered by cost."""
    changes = [(u, a, alts[a][1]) for u, alts in enumerate(units) for a in range(1, len(alts))]
    picks = []
    for n in range(0, MAX_CHANGES + 1):
        for combo in itertools.combinations(changes, n):
            if len({u for u, _, _ in combo}) == n:
                picks.append((sum(c for _, _, c in combo), n, combo))
            if len(picks) >= MAX_COMBOS:
                break
    picks.sort(key=lambda p: (p[0], p[1]))
    for _, _, combo in picks:
        choice = [0] * len(units)
        for u, a, _ in combo:
            choice[u] = a
        yield choice


@lru_cache(maxsize=65536)
def latin_forms(name: str) -> list[str]:
    """The name in Latin script: the best news spelling first, then variants by cost (at most
    ``MAX_FORMS``, deduplicated). A name without Cyrillic letters comes back as it is."""
    name = " ".join((name or "").split())
    if not has_cyrillic(name):
        return [name] if name else []
    parts = _tokens(name)
    word_units = [(p, _units(p.lower())) if has_cyrillic(p) else (p, [((p, 0),)]) for p in parts]
    units = [u for _, us in word_units for u in us]
    forms: list[str] = []
    for choice in _spellings(units):
        k, words = 0, []
        for src, us in word_units:
            spelled = "".join(units[k + j][choice[k + j]][0] for j in range(len(us)))
            k += len(us)
            words.append(_recase(src, spelled) if has_cyrillic(src) else spelled)
        form = "".join(words)
        if form not in forms:
            forms.append(form)
        if len(forms) >= MAX_FORMS:
            break
    return forms


def best_latin(name: str) -> str:
    """The best news spelling of a name (the name itself when it has no Cyrillic letters)."""
    forms = latin_forms(name)
    return forms[0] if forms else ""


def latin_names(names: list[str], limit: int = LATIN_MAX) -> list[str]:
    """The Latin-script forms of an entity with these names: its names written in Latin script
    (attested spellings) first, then the transliterations of its Cyrillic names (each name's
    best form before any variant); deduplicated, at most ``limit``."""
    out: list[str] = []

    def add(s: str) -> None:
        if s and s not in out and len(out) < limit:
            out.append(s)

    for n in names:
        if script_of(n) == "Latin":
            add(n)
    cyrillic = [latin_forms(n) for n in names if has_cyrillic(n)]
    for rank in range(MAX_FORMS):
        for forms in cyrillic:
            if rank < len(forms):
                add(forms[rank])
    return out
