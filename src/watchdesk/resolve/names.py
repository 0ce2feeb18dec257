"""Normalised name keys for matching names across documents.

A name as written ("Sheikh Abu Bakr al-Kurdi's", "AL-JAZIRA", "Dr. Sanjay Gupta", "U . S .") is
reduced to comparable forms:

* ``fold``: transliterated to ASCII and case-folded (Cyrillic by ``translit.best_latin``, the
  spelling English news uses: "Дмитрий" -> "dmitry", not unidecode's "dmitrii"; everything else by
  ``unidecode``; punctuation and
  whitespace squashed), apostrophes and possessives removed, hyphens and dots turned into
  token breaks, and spelled-out letters re-joined ("U . S ." and "U.S." -> "us");
* ``name_tokens``: the folded tokens with leading honorifics and titles (Sheikh, Mr, President,
  Dr, ...) and trailing generational suffixes (Jr, III) removed;
* ``NameForm.key``: those tokens without Arabic/Romance article particles ("al-", "el", "the"),
  so "Al-Jazira", "al Jazira" and "Al Jazira" all give "jazira";
* ``NameForm.phonetic``: a per-token phonetic skeleton (jellyfish Metaphone, initial vowels
  unified, the semivowels and "h" dropped after the first letter), so that Basaev/Basayev,
  Muhammad/Mohammed, Qadhafi/Gaddafi, Kadhafi/Gaddafi-style transliteration variants meet;
* ``NameForm.acronym``: the initials of a multi-word name, with and without its function words
  ("Islamic Army of Mesopotamia and Levant" -> "iaml" and "iamoal").

``name_similarity`` scores two names in [0, 1] from these forms (rapidfuzz Jaro-Winkler on
tokens and on the whole key, equal phonetic skeletons, acronym matches, surname matches).
Cyrillic names also meet Latin ones through their other news spellings (``translit.latin_forms``):
``blocking_keys`` indexes a Cyrillic name under the keys of each of its Latin forms and ``compare``
scores it by its best-matching form ("Гелаев" / "Gelaev", "Дональд Трамп" / "Donald Trump").
``base_form`` reduces an inflected Cyrillic alias to the words of the entity's nominative name
("Цунэокой" with the name "Шамиль Цунэока" -> "Цунэока").

Everything here is pure string work with no per-article lists; the title and particle lists are
generic closed classes of English (and transliterated Arabic) usage.
"""
from __future__ import annotations

import re
from dataclasses import dataclass
from functools import lru_cache

import jellyfish
from rapidfuzz.distance import JaroWinkler
from unidecode import unidecode

from watchdesk.resolve.translit import best_latin, has_cyrillic, latin_forms

# Honorifics, ranks and offices that precede a name and are not part of it.
TITLES = frozenset("""
mr mrs ms miss mister madam madame mme mlle dr doctor prof professor sir lady lord dame rev
reverend fr father sister brother sheikh sheik shaikh shaykh imam mullah mufti emir amir
ayatollah rabbi bishop archbishop cardinal pope saint st president pres vice premier prime
minister secretary chancellor ambassador general gen major maj colonel col lieutenant lt
captain capt sergeant sgt corporal cpl private pvt admiral adm commander cmdr marshal
king queen prince princess duke duchess count countess baron emperor mayor senator sen
representative rep congressman congresswoman governor gov judge justice chairman chairwoman
chief coach officer detective inspector constable commissioner sheriff agent director
president-elect
""".split())
# Generational and academic suffixes after a name.
SUFFIXES = frozenset("jr sr ii iii iv md phd esq".split())
# Article particles inside transliterated names ("al-Jazeera", "el-Sisi", "ad-Din").
PARTICLES = frozenset("al el ad ar as ash at az ul the".split())
# Function words skipped when forming initials ("Islamic Army of Mesopotamia and Levant" -> IAML).
FUNCTION_WORDS = frozenset("of and the for in on at de du des la le del da di von van y & to".split())
# Organisation-form words a name may drop ("Microsoft Corp." / "Microsoft").
ORG_FORMS = frozenset("inc corp corporation co ltd llc plc gmbh ag sa company group".split())

_APOS = re.compile(r"[’‘`´ʼ']")
_POSSESSIVE = re.compile(r"(?<=\w)['](?:s\b|(?=\s|$))")
_BREAK = re.compile(r"[\s\-‐‑‒–—/_.,;:()\[\]{}\"“”«»!?|]+")
_NON_WORD = re.compile(r"[^0-9a-z&]+")
_VOWELS = "AEIOU"


@lru_cache(maxsize=65536)
def fold(text: str) -> str:
    """ASCII, case-folded, possessive-free, space-separated form of a name."""
    text = text or ""
    s = unidecode(best_latin(text) if has_cyrillic(text) else text)
    s = _APOS.sub("'", s)
    s = _POSSESSIVE.sub("", s)
    s = s.replace("'", "")
    s = s.casefold()
    tokens = [_NON_WORD.sub("", t) for t in _BREAK.split(s)]
    tokens = [t for t in tokens if t]
    tokens = _join_letters(tokens)
    return " ".join(" ".join(tokens).split())


def _join_letters(tokens: list[str]) -> list[str]:
    """Re-join runs of single letters ("u s" from "U.S." or "U . S .") into one token."""
    out: list[str] = []
    run: list[str] = []
    for t in tokens:
        if len(t) == 1 and t.isalpha() and t != "&":
            run.append(t)
            continue
        if len(run) >= 2:
            out.append("".join(run))
        else:
            out.extend(run)
        run = []
        out.append(t)
    if len(run) >= 2:
        out.append("".join(run))
    else:
        out.extend(run)
    return out


def name_tokens(text: str) -> list[str]:
    """Folded tokens of a name without leading titles and trailing suffixes."""
    tokens = fold(text).split()
    while len(tokens) > 1 and tokens[0] in TITLES:
        tokens = tokens[1:]
    while len(tokens) > 1 and tokens[-1] in SUFFIXES:
        tokens = tokens[:-1]
    return tokens


def titles_of(text: str) -> list[str]:
    """The leading titles of a name ("Sheikh Abu" -> ["sheikh"])."""
    out = []
    for t in fold(text).split():
        if t not in TITLES:
            break
        out.append(t)
    return out


@lru_cache(maxsize=65536)
def phonetic(token: str) -> str:
    """Phonetic skeleton of one folded token: Metaphone, vowels unified, y/w/h dropped inside."""
    if not token:
        return ""
    if token.isdigit():
        return token
    m = jellyfish.metaphone(token)
    if not m:
        return token
    head = "A" if m[0] in _VOWELS else m[0]
    tail = "".join(c for c in m[1:] if c not in "YWH" + _VOWELS)
    # collapse doubled consonants the transliteration may double ("Gaddafi"/"Gadafi")
    tail = re.sub(r"(.)\1+", r"\1", tail)
    return head + tail


@dataclass(frozen=True)
class NameForm:
    """The comparable forms of one written name."""

    text: str
    tokens: tuple[str, ...]  # folded, titles/suffixes removed
    core: tuple[str, ...]  # tokens without article particles (and org-form words)
    titles: tuple[str, ...]

    @property
    def key(self) -> str:
        return " ".join(self.core)

    @property
    def phonetic(self) -> str:
        return " ".join(phonetic(t) for t in self.core)

    @property
    def acronyms(self) -> tuple[str, ...]:
        """Initials of the name (all words; content words only); empty for one-word names."""
        toks = [t for t in self.tokens if t and t not in ORG_FORMS]
        if len(toks) < 2:
            return ()
        full = "".join(t[0] for t in toks if t != "&")
        content = "".join(t[0] for t in toks if t not in FUNCTION_WORDS)
        out = []
        for a in (content, full):
            if len(a) >= 2 and a not in out:
                out.append(a)
        return tuple(out)

    @property
    def is_acronym_like(self) -> bool:
        """A single short token written in capitals or with dots ("IAML", "U.S.", "IE")."""
        if len(self.tokens) != 1:
            return False
        letters = [c for c in self.text if c.isalpha()]
        return 2 <= len(self.tokens[0]) <= 6 and bool(letters) and (
            all(c.isupper() for c in letters) or "." in self.text)


@lru_cache(maxsize=65536)
def name_form(text: str) -> NameForm:
    tokens = tuple(name_tokens(text))
    core = tuple(t for t in tokens if t not in PARTICLES) or tokens
    if len(core) > 1:
        core = tuple(t for t in core if t not in ORG_FORMS) or core
    return NameForm(text, tokens, core, tuple(titles_of(text)))


def name_key(text: str) -> str:
    """The main matching key: folded, no titles, suffixes, particles or org forms."""
    return name_form(text).key


def blocking_keys(text: str, label: str = "") -> set[str]:
    """Keys under which a name is indexed (a Cyrillic name: under those of each of its Latin
    forms, ``_latin_blocking_keys``)."""
    if has_cyrillic(text):
        keys: set[str] = set()
        for form in latin_forms(text):
            keys |= _latin_blocking_keys(form)
        return keys | _cyrillic_blocking_keys(text)
    return _latin_blocking_keys(text)


def _latin_blocking_keys(text: str) -> set[str]:
    """Keys under which a name is indexed; two names sharing a key are compared.

    ``k:`` the key itself; ``p:`` its phonetic skeleton; ``a:`` an acronym (a one-word name
    in capitals is indexed as one, a multi-word name under its initials); ``t:`` the phonetic
    skeleton of each content token (surnames, partial names: "Colts" / "Indianapolis Colts").
    """
    f = name_form(text)
    if not f.core:
        return set()
    keys = {"k:" + f.key}
    if f.is_acronym_like:
        keys.add("a:" + f.tokens[0])
        return keys
    keys.add("p:" + f.phonetic)
    for a in f.acronyms:
        keys.add("a:" + a)
    for t in f.core:
        if len(t) >= 3 and t not in FUNCTION_WORDS and not t.isdigit():
            keys.add("t:" + phonetic(t))
    return keys


SHORT_TOKEN = 6  # below this many letters a phonetic skeleton is too coarse on its own ("brown" / "bruno")


@lru_cache(maxsize=65536)
def vowel_pattern(token: str) -> str:
    """The token with every run of vowels (y included) as one "V" and doubled letters single:
    transliterations of one short name differ in their vowels ("omar"/"umar", "ahmed"/"ahmad",
    "yusuf"/"yousef"), other short names in their consonants ("brown"/"bruno", "tory"/"troy")."""
    return re.sub(r"[aeiouy]+", "V", re.sub(r"(.)\1+", r"\1", token))


def token_similarity(a: str, b: str) -> float:
    """Similarity of two folded tokens: 1 when equal, 0.95 when phonetically equal and close
    (for short tokens: only when they differ in their vowels alone)."""
    if a == b:
        return 1.0
    jw = JaroWinkler.similarity(a, b)
    if phonetic(a) == phonetic(b) and jw >= 0.75 and (
            min(len(a), len(b)) >= SHORT_TOKEN or vowel_pattern(a) == vowel_pattern(b)):
        return max(jw, 0.95)
    return jw


def tokens_similarity(a: tuple[str, ...], b: tuple[str, ...]) -> float:
    """Aligned token similarity of two names with the same number of tokens (else 0)."""
    if len(a) != len(b) or not a:
        return 0.0
    return min(token_similarity(x, y) for x, y in zip(a, b))


@dataclass(frozen=True)
class Match:
    """How two names relate: a score in [0, 1] and the kind of evidence."""

    score: float
    kind: str  # "exact" | "variant" | "acronym" | "surname" | "given" | "fuzzy" | "none"


NO_MATCH = Match(0.0, "none")


def _given_compatible(a: str, b: str) -> bool:
    """Two given names that may be the same: equal, a variant, an initial, or a short form
    that starts the longer one ("Fred"/"Frederick", "W"/"William")."""
    if token_similarity(a, b) >= 0.92:
        return True
    if len(a) == 1 or len(b) == 1:
        return a[0] == b[0]
    short, long_ = sorted((a, b), key=len)
    return len(short) >= 3 and long_.startswith(short)


def _compatible_full_names(a: tuple[str, ...], b: tuple[str, ...]) -> bool:
    """Two multi-word person names for one person: the same surname, and the given names of
    the shorter all fit (in order) given names of the longer (middle names and initials may be
    missing): "W. Mark Felt" / "Mark Felt", "Frederick C. LaRue" / "Fred LaRue"."""
    if token_similarity(a[-1], b[-1]) < 0.92:
        return False
    ga, gb = list(a[:-1]), list(b[:-1])
    if len(ga) > len(gb):
        ga, gb = gb, ga
    # each given name of the shorter must match a distinct given name of the longer, in order,
    # and the first given names must fit unless the longer starts with an initial
    j = 0
    for i, g in enumerate(ga):
        while j < len(gb) and not _given_compatible(g, gb[j]):
            if i == 0 and len(gb[j]) > 1:
                return False  # the first full given names differ: different people
            j += 1
        if j == len(gb):
            return False
        j += 1
    return True


def compare(a: str, b: str, person: bool = False) -> Match:
    """Compare two written names. ``person``: both are person names (enables surname matches).

    A Cyrillic name against a Latin one scores by its best-matching Latin form; two Cyrillic
    names by their best forms (the same rules spell both)."""
    if has_cyrillic(a) and has_cyrillic(b):
        m = _compare_latin(a, b, person)
        if m.kind in STRONG_MATCHES:
            return m
        if _inflections_of_one_name(a, b):
            return Match(0.9, "variant")
        return m if m.kind != "none" or person else _cyrillic_short_forms(a, b)
    if has_cyrillic(a) != has_cyrillic(b):
        cyr, lat = (a, b) if has_cyrillic(a) else (b, a)
        best = NO_MATCH
        for form in latin_forms(cyr):
            m = _compare_latin(form, lat, person)
            if m.score > best.score:
                best = m
                if m.score >= 1.0:
                    break
        return best
    return _compare_latin(a, b, person)


def _compare_latin(a: str, b: str, person: bool = False) -> Match:
    """``compare`` on names of one script (Cyrillic ones through their best Latin form)."""
    fa, fb = name_form(a), name_form(b)
    if not fa.core or not fb.core:
        return NO_MATCH
    if fa.key == fb.key:
        return Match(1.0, "exact")
    ta, tb = fa.core, fb.core
    if len(ta) == len(tb):
        s = tokens_similarity(ta, tb)
        if s >= 0.9:
            return Match(0.8 + 0.2 * (s - 0.9) / 0.1 if s < 1 else 1.0, "variant")
    # acronym against long form
    for x, y in ((fa, fb), (fb, fa)):
        if x.is_acronym_like and len(y.tokens) >= 2 and x.tokens[0] in y.acronyms:
            return Match(0.85, "acronym")
    # one name is the other with a word dropped or added ("Microsoft Corp", "Indianapolis Colts")
    short, long_ = (ta, tb) if len(ta) < len(tb) else (tb, ta)
    if person and len(short) >= 2 and len(long_) >= 2:
        if _compatible_full_names(ta, tb):
            return Match(0.85, "fullname")
    if person and len(short) < len(long_):
        n = len(short)
        if tokens_similarity(short, long_[-n:]) >= 0.92:
            return Match(0.7, "surname")  # "Gupta", "Lo Presti"
        if n == 1 and token_similarity(short[0], long_[0]) >= 0.92:
            return Match(0.4, "given")
    if not person and len(short) < len(long_):
        # contiguous part at the end or start ("Colts" / "Indianapolis Colts")
        n = len(short)
        if long_[-n:] == short or long_[:n] == short:
            return Match(0.55, "partial")
    s = JaroWinkler.similarity(fa.key, fb.key)
    if s >= 0.93 and min(len(fa.key), len(fb.key)) >= 8:
        return Match(0.75, "fuzzy")
    return NO_MATCH


STEM_MIN = 3  # letters an inflected word shares at least with its base form
ENDING_MAX = 3  # letters of an inflectional ending (either side)


def _stem_shared(word: str, base: str) -> int:
    """Letters a Cyrillic word shares with a base form when it may be one of its inflections
    ("Цунэокой" / "Цунэока": 6), else 0: a common start of at least ``STEM_MIN`` letters and
    endings of at most ``ENDING_MAX`` letters on either side."""
    w, b = word.casefold().replace("ё", "е"), base.casefold().replace("ё", "е")
    if w == b:
        return len(w) + 1
    p = 0
    while p < min(len(w), len(b)) and w[p] == b[p]:
        p += 1
    if p < STEM_MIN or len(w) - p > ENDING_MAX or len(b) - p > ENDING_MAX:
        return 0
    return p


def base_form(alias: str, name: str) -> str:
    """An inflected Cyrillic alias as the words of the (nominative) name it declines: each word
    of the alias, in order, goes to the word of the name it shares the longest stem with
    ("Шамиля Цунэоки" / "Шамиль Цунэока" -> "Шамиль Цунэока"; "Цунэокой" -> "Цунэока"). The alias
    as it is when it is not Cyrillic or a word has no such match."""
    if alias == name or not has_cyrillic(alias) or not has_cyrillic(name):
        return alias
    words, bases = alias.split(), name.split()
    if len(words) > len(bases):
        return alias
    out, j = [], 0
    for w in words:
        scores = [_stem_shared(w, b) for b in bases[j:]]
        best = max(scores, default=0)
        if best == 0:
            return alias
        k = j + scores.index(best)
        out.append(bases[k])
        j = k + 1
    return " ".join(out)


def name_keys_of(text: str) -> list[str]:
    """The normalised keys a name is looked up by: its key and, for a Cyrillic name, the keys of
    its other Latin forms ("Цунэока" -> ["tsuneoka"]; "Гелаев" -> ["gelayev", "gelaev"])."""
    keys = [name_key(text)]
    if has_cyrillic(text):
        keys += [name_key(f) for f in latin_forms(text)]
    return [k for i, k in enumerate(keys) if k and k not in keys[:i]]


# Russian function words left out of initials ("Министерство по чрезвычайным ситуациям" -> МЧС).
RU_FUNCTION_WORDS = frozenset("и в во на по для с со к ко о об от из при за над под до у без".split())
PIECE_MIN = 3  # letters of each word a compound abbreviation keeps ("Мин|здрав", "Евро|союз")
COMPOUND_MIN = 7  # letters of a one-word name that may be a compound abbreviation


def _cyrillic_words(text: str) -> list[str]:
    return [w for w in _BREAK.split(text.casefold().replace("ё", "е")) if w and w.isalpha()]


def _cyrillic_initials(text: str) -> tuple[str, ...]:
    """Initials of a multi-word Cyrillic name, with and without its function words."""
    words = _cyrillic_words(text)
    if len(words) < 2:
        return ()
    out = {"".join(w[0] for w in words), "".join(w[0] for w in words if w not in RU_FUNCTION_WORDS)}
    return tuple(a for a in out if len(a) >= 2)


def _cyrillic_acronym(text: str) -> str | None:
    """The letters of a one-word Cyrillic name written as an acronym ("ЕС", "ФРГ"), else None."""
    letters = [c for c in text if c.isalpha()]
    words = _cyrillic_words(text)
    if len(words) == 1 and 2 <= len(letters) <= 6 and all(c.isupper() for c in letters):
        return words[0]
    return None


def _cyrillic_blocking_keys(text: str) -> set[str]:
    """Cyrillic-only keys: ``ca:`` an acronym or a multi-word name's initials in Cyrillic letters
    (transliteration spells "Е" as "Ye" at a word start, so "ЕС" and "Европейский союз" meet here);
    ``cx:`` the first letters of a name that may be or have a compound abbreviation
    ("Евросоюз" / "Европейский союз")."""
    keys = set()
    acr = _cyrillic_acronym(text)
    if acr:
        return {"ca:" + acr}
    keys |= {"ca:" + a for a in _cyrillic_initials(text)}
    words = [w for w in _cyrillic_words(text) if w not in RU_FUNCTION_WORDS]
    if (len(words) >= 2 or (len(words) == 1 and len(words[0]) >= COMPOUND_MIN)) and len(words[0]) >= PIECE_MIN:
        keys.add("cx:" + words[0][:PIECE_MIN])
    return keys


def _is_compound_of(word: str, words: list[str]) -> bool:
    """Is one word the compound abbreviation of a multi-word name: a prefix of at least
    ``PIECE_MIN`` letters of each of its words in order, the last one whole, cut or inflected
    ("евросоюз" / "европейский союз", "минздрав" / "министерство здравоохранения")?"""
    return len(words) >= 2 and _pieces(word, words)


def _pieces(rest: str, words: list[str]) -> bool:
    w = words[0]
    if len(words) == 1:
        return rest == w or (len(rest) >= PIECE_MIN and (w.startswith(rest) or _stem_shared(rest, w) > 0))
    for n in range(min(len(w), len(rest) - PIECE_MIN), PIECE_MIN - 1, -1):
        if rest[:n] == w[:n] and _pieces(rest[n:], words[1:]):
            return True
    return False


def _cyrillic_short_forms(a: str, b: str) -> Match:
    """Short forms of an organisation or place written in Cyrillic that transliteration hides:
    an acronym of the other's initials ("ЕС" / "Европейский союз") or a compound abbreviation
    ("Евросоюз" / "Европейский союз"); scored as an acronym (a weak, context-bound match)."""
    for x, y in ((a, b), (b, a)):
        acr = _cyrillic_acronym(x)
        if acr and acr in _cyrillic_initials(y):
            return Match(0.85, "acronym")
        wx = _cyrillic_words(x)
        wy = [w for w in _cyrillic_words(y) if w not in RU_FUNCTION_WORDS]
        if len(wx) == 1 and len(wx[0]) >= COMPOUND_MIN and _is_compound_of(wx[0], wy):
            return Match(0.85, "acronym")
    return NO_MATCH


STRONG_MATCHES = frozenset({"exact", "variant", "fullname"})


def _inflections_of_one_name(a: str, b: str) -> bool:
    """Two Cyrillic names word by word the same words in other cases ("Асии Биби" / "Асия
    Биби", "Нидерландах" / "Нидерландов"): what a missed normal form leaves behind."""
    wa, wb = a.split(), b.split()
    return len(wa) == len(wb) and all(_stem_shared(x, y) > 0 for x, y in zip(wa, wb))


def is_short_form(short: str, long: str) -> bool:
    """Is ``short`` a Cyrillic acronym or compound abbreviation of the multi-word name ``long``
    ("ЕС" / "Европейский союз", "Евросоюз" / "Европейский союз")? For a document-level pass
    that links the short forms an article uses to the full name it gives."""
    return has_cyrillic(short) and has_cyrillic(long) and len(_cyrillic_words(long)) >= 2 \
        and _cyrillic_short_forms(short, long).kind == "acronym"
