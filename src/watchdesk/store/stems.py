"""Search keys of words: the normal form under which full-text search matches inflected forms.

Assigns to every word of a text a *key*: for a Cyrillic word, its Russian stem with the noun,
adjective and surname case endings removed ("Пакистане", "Пакистана" → "пакистан"; "Асии",
"Асия" → "аси"; "боевиков" → "боевик"; "Гелаева" → "гела"); for any other word, the word as
SQLite's ``unicode61 remove_diacritics 2`` tokenizer reads it (case and accents folded), so
English and other Latin-script words match exactly as they do in the main index.

Why not Snowball's Russian stemmer: it also strips verb and participle endings, which a
nominative noun or name often ends in, while its oblique forms keep them: Snowball stems
"Пакистан" to "пакиста" but "Пакистане" to "пакистан", "Брексит" to "брекс" but "Брекситом" to
"брексит". A search for a name in the nominative would then miss the article that declines it.
This light stemmer (after Savoy's light stemmer for Russian: remove the case ending, keep the
rest) removes nominal case endings only. Measured on the SlavicNER development names (1,079
inflected forms with their gold nominative): a form and its nominative share a key for 95.6% of
the forms here, 88.6% with Snowball; against pymorphy2's dictionary lemmas of the words of the
Russian development texts, noun forms are joined 97.2% (Snowball 94.7%) with fewer wrong joins
(pair precision 0.874 vs 0.760), but verb forms only 15.7% (Snowball 62.7%): verbs keep their
tense and person endings ("заявил", "заявила", "заявили" meet; "заявляет" stays apart).

Also builds the text indexed in ``documents_stems`` (one key per word, in order, so phrase
queries keep their meaning) and the FTS5 query for the keys of what a user types.
"""
from __future__ import annotations

import bisect
import re
import unicodedata

KEYS_VERSION = 1  # raise when the keys change: every store's key index is then rebuilt (stem_index.py)

# Shortest stem left after removing an ending (letters): shorter words keep more of their ending.
MIN_STEM = 3

# Nominal case endings of Russian (nouns, adjectives, pronominal adjectives, surnames), a closed
# class; the longest ending that leaves a stem of at least MIN_STEM letters is removed.
ENDINGS = sorted({
    # nouns
    "а", "я", "о", "е", "ь", "ы", "и", "у", "ю", "й",
    "ом", "ем", "ой", "ей", "ою", "ею", "ам", "ям", "ах", "ях", "ами", "ями", "ов", "ев",
    "ия", "ии", "ию", "ие", "ий", "ией", "иям", "иях", "иями", "ием", "иею",
    "ье", "ья", "ью", "ьи", "ьей", "ьем", "ьям", "ьях", "ьями",
    # adjectives and participles used as adjectives
    "ый", "ая", "яя", "ое", "ее", "ые", "ие", "ого", "его", "ому", "ему", "ым", "им", "ую", "юю",
    "ых", "их", "ыми", "ими",
}, key=len, reverse=True)

# Endings a word's nominative (or genitive plural) may end in without being inflected: "Гелаев",
# "Амстердам", "Хадим", "проблем". Removed again after the case ending ("Гелаев-а" → "гелаев" →
# "гела"), so that every form of the word meets its nominative.
BARE_ENDINGS = ("ов", "ев", "ам", "ям", "им", "ым", "ом", "ем", "ах", "ях", "их", "ых", "ей", "ой", "ий", "ый")
VOWELS = "аеиоуыэюя"  # a stem's last vowel goes too ("Серге-я", "Сергей" → "серг"; "Кита-я", "Китай" → "кит")

CYRILLIC = re.compile(r"[\u0400-\u04ff]")
# A word as unicode61 sees one: a run of letters, digits and combining marks.
WORD = re.compile(r"(?:[^\W_]|[\u0300-\u036f])+")
QUERY_TERM = re.compile(r'"([^"]+)"|(\S+)')


def russian_stem(word: str) -> str:
    """The key of one lower-case Cyrillic word: its case ending removed, then bare endings and a last vowel."""
    word = word.replace("ё", "е")
    for ending in ENDINGS:
        if word.endswith(ending) and len(word) - len(ending) >= MIN_STEM:
            word = word[:-len(ending)]
            break
    while word.endswith(BARE_ENDINGS) and len(word) - 2 >= MIN_STEM:
        word = word[:-2]
    if word[-1:] in VOWELS and len(word) - 1 >= MIN_STEM:
        word = word[:-1]
    return word


def fold(word: str) -> str:
    """Case and diacritics folded, as FTS5's unicode61 tokenizer does with remove_diacritics 2."""
    decomposed = unicodedata.normalize("NFD", word.casefold())
    return "".join(c for c in decomposed if not unicodedata.combining(c))


_keys: dict[str, str] = {}
KEY_CACHE = 200_000  # word forms remembered (news vocabulary repeats; cleared when full)


def word_key(word: str) -> str:
    """The search key of one word (see the module docstring)."""
    key = _keys.get(word)
    if key is None:
        if CYRILLIC.search(word):
            key = russian_stem(unicodedata.normalize("NFC", word).lower())
        else:
            key = fold(word)
        if len(_keys) >= KEY_CACHE:
            _keys.clear()
        _keys[word] = key
    return key


def has_cyrillic(*texts: str | None) -> bool:
    return any(t and CYRILLIC.search(t) for t in texts)


def keyed_text(text: str | None) -> str:
    """What ``documents_stems`` indexes for ``text``: the keys of its words, in order."""
    return " ".join(word_key(m.group()) for m in WORD.finditer(text or ""))


def query_phrases(query: str) -> list[list[str]]:
    """The phrases of a user's query as lists of keys: each word alone, each "quoted phrase" whole."""
    phrases = []
    for phrase, word in QUERY_TERM.findall(query):
        keys = [word_key(w) for w in WORD.findall(phrase or word)]
        if keys:
            phrases.append(keys)
    return phrases


def stems_query(query: str) -> str | None:
    """The FTS5 query over ``documents_stems`` for ``query``; None when it has no Cyrillic word
    (then the main index answers, exactly as before). Phrases are ANDed, each one quoted."""
    if not has_cyrillic(query):
        return None
    phrases = query_phrases(query)
    return " ".join('"' + " ".join(keys) + '"' for keys in phrases) or None


ELLIPSIS = " … "
HIT_SCORE, REPEAT_SCORE = 1000, 1  # a window's score: each phrase found in it, then each more hit


def _candidates(phrases: list[list[str]]) -> re.Pattern:
    """Where a phrase may start: a key is the start of its word, lower-cased, ё read as е."""
    firsts = sorted({p[0] for p in phrases}, key=len, reverse=True)
    return re.compile("|".join(re.escape(k).replace("е", "[её]") for k in firsts), re.IGNORECASE)


def phrase_hits(text: str, spans: list[tuple[int, int]], phrases: list[list[str]]) -> list[tuple[int, int, int]]:
    """(first word, word count, phrase number) of every occurrence of a phrase's keys, in order.

    Only the words where a phrase's first key could start are keyed (a snippet is cut from long
    articles: keying every word would cost more than the search)."""
    starts = [start for start, _ in spans]

    def key(i: int) -> str | None:
        return word_key(text[spans[i][0]:spans[i][1]]) if i < len(spans) else None

    hits = []
    for m in _candidates(phrases).finditer(text):
        i = bisect.bisect_right(starts, m.start()) - 1
        if i < 0 or starts[i] != m.start():
            continue  # inside a word
        for n, phrase in enumerate(phrases):
            if all(key(i + j) == k for j, k in enumerate(phrase)):
                hits.append((i, len(phrase), n))
    return sorted(set(hits))


def _best_window(hits: list[tuple[int, int, int]], count: int, size: int) -> int:
    """First word of the ``size``-word window holding the most phrases (then hits), hits centred."""
    best, best_score = 0, -1
    for a, (i, _, _) in enumerate(hits):
        inside = []
        for h in hits[a:]:
            if h[0] + h[1] > i + size:
                break
            inside.append(h)
        score = HIT_SCORE * len({h[2] for h in inside}) + REPEAT_SCORE * len(inside)
        if inside and score > best_score:
            last = max(h[0] + h[1] for h in inside)
            best, best_score = max(0, i - (size - (last - i)) // 2), score
    return max(0, min(best, count - size))


def snippet(text: str, phrases: list[list[str]], mark_start: str, mark_end: str, size: int) -> str:
    """About ``size`` words of ``text`` around the words matching ``phrases`` (lists of keys),
    each occurrence marked, like FTS5's snippet() but on inflected forms: the article's own
    words are shown. Without a match in ``text`` (a title match), its first ``size`` words."""
    spans = [m.span() for m in WORD.finditer(text)]
    if not spans:
        return text
    hits = phrase_hits(text, spans, phrases)
    first = _best_window(hits, len(spans), size)
    last = min(len(spans), first + size)
    out, pos = [], spans[first][0] if first else 0
    for i, length, _ in hits:
        if i < first or i + length > last or spans[i][0] < pos:
            continue
        out += [text[pos:spans[i][0]], mark_start, text[spans[i][0]:spans[i + length - 1][1]], mark_end]
        pos = spans[i + length - 1][1]
    out.append(text[pos:spans[last - 1][1] if last < len(spans) else len(text)])
    return (ELLIPSIS if first else "") + "".join(out) + (ELLIPSIS if last < len(spans) else "")
