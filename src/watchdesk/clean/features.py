"""Line features for the flattened-text cleaner.

A flattened page is split into its non-blank lines; each line gets a vector of GENERAL
signals (length, sentence punctuation, stop-word density, link/interface vocabulary, bullet
and indent structure, repetition within the page, position) plus the same signals averaged
over windows of neighbouring lines. No site, article or name is special-cased.
"""
from __future__ import annotations

import math
import re
from dataclasses import dataclass

import numpy as np

WORD_RE = re.compile(r"\w+", re.UNICODE)
_ALPHA_WORD_RE = re.compile(r"[^\W\d_]+", re.UNICODE)

# Bullet glyphs a text browser emits for <li>, plus ASCII list markers.
BULLETS = "•□◦▪▫■●○·*-–—+>»‣⁃"
_BULLET_RE = re.compile(r"^(?P<b>[%s](?=\s)|\d{1,3}[.)](?=\s)|\[\d{1,3}\])\s*" % re.escape(BULLETS))
_URL_RE = re.compile(r"(https?://|www\.|\b[\w-]+\.(com|org|net|gov|edu|co\.uk|html?|php|aspx?)\b)", re.I)
_EMAIL_RE = re.compile(r"\b[\w.+-]+@[\w-]+\.[\w.]+\b")
_DATE_RE = re.compile(
    r"\b(jan|feb|mar|apr|may|jun|jul|aug|sep|sept|oct|nov|dec)[a-z]*\.?\s+\d{1,2}\b|"
    r"\b\d{1,2}[/.-]\d{1,2}[/.-]\d{2,4}\b|\b(19|20)\d\d\b|\b\d{1,2}:\d\d\s*(am|pm)?\b",
    re.I,
)
_BRACKET_RE = re.compile(r"^\[[^\]]*\]$")
_SENT_END_RE = re.compile(r"[.!?…][\"'”’»)\]]*$")
_INNER_SENT_RE = re.compile(r"[.!?][\"'”’»)]*\s+[\"'“‘«(]*[A-Z]")
_BOX_RE = re.compile(r"[│┌┐└┘├┤┬┴┼─━═║╔╗╚╝|]")

STOPWORDS = frozenset(
    """a about above after again against all am an and any are as at be because been before
    being below between both but by can could did do does doing down during each few for from
    further had has have having he her here hers herself him himself his how i if in into is it
    its itself just me more most my myself no nor not now of off on once only or other our ours
    ourselves out over own same she should so some such than that the their theirs them
    themselves then there these they this those through to too under until up very was we were
    what when where which while who whom why will with would you your yours yourself
    yourselves also said says may might must shall one two new like even still though since
    however than much many""".split()
)

# Interface vocabulary of web pages in general (menus, players, sharing, account, footer).
INTERFACE_WORDS = frozenset(
    """share shares shared sharing tweet tweets retweet print printer email e-mail mail
    subscribe subscription unsubscribe login logout log register registration signup sign
    comment comments commenting reply replies permalink cookie cookies clipboard copied
    copy download player flash javascript browser advertisement advertisements advert ads ad
    advertise advertising sponsored related similar read more follow followers facebook
    twitter linkedin pinterest reddit digg stumbleupon delicious google whatsapp tumblr
    instagram youtube rss feed feeds newsletter newsletters copyright rights reserved privacy
    policy terms home homepage menu search skip next previous prev back top click here loading
    video videos photo photos gallery galleries slideshow embed url media tags tag categories
    category archive archives contact sitemap password username profile account bookmark
    bookmarks popular trending recommended recommend view views edit posted submit cancel close
    enlarge zoom audio listen watch subscribers page pages""".split()
)
INTERFACE_PHRASES = (
    "share on", "share this", "read more", "similar articles", "related articles",
    "related stories", "related posts", "related links", "more stories", "most popular",
    "most read", "most viewed", "back to top", "all rights reserved", "terms of use",
    "privacy policy", "log in", "sign in", "sign up", "copied to your clipboard",
    "flash player", "media source", "you may also like", "comments", "leave a comment",
    "post a comment", "click here", "follow us", "email this", "print this", "skip to",
    "javascript", "cookies", "advertisement", "newsletter", "subscribe",
)

COMMENT_MARKERS = re.compile(
    r"\b(\d+\s+comments?|comments?\s*\(\d+\)|leave a (reply|comment)|post a comment|"
    r"add (a|your) comment|reply|responses?|trackbacks?|discussion)\b",
    re.I,
)


@dataclass
class Line:
    """One non-blank line of the (repaired) page."""

    idx: int  # 0-based line number in the repaired text
    raw: str  # the line as it appears, indentation included
    text: str  # stripped, bullet removed
    indent: int
    bullet: str  # "" when the line has no list marker
    blank_before: int  # blank lines immediately before
    blank_after: int


def norm_key(text: str) -> str:
    """Lowercased word tokens joined by spaces: the identity used for repetition."""
    return " ".join(WORD_RE.findall(text.lower()))


def split_lines(text: str) -> list[Line]:
    """Split repaired page text into non-blank :class:`Line` items."""
    out: list[Line] = []
    raw_lines = text.split("\n")
    blank = 0
    for i, raw in enumerate(raw_lines):
        s = raw.strip()
        if not s:
            blank += 1
            continue
        indent = len(raw) - len(raw.lstrip())
        m = _BULLET_RE.match(s)
        bullet = ""
        body = s
        if m and len(s) > len(m.group(0)):
            bullet = m.group("b")
            body = s[m.end():].strip()
        elif m and s in BULLETS:
            bullet, body = s, ""
        if out:
            out[-1].blank_after = blank
        out.append(Line(i, raw.rstrip(), body, indent, bullet, blank, 0))
        blank = 0
    if out:
        out[-1].blank_after = blank
    return out


_PHRASE_RE = re.compile("|".join(re.escape(p) for p in sorted(INTERFACE_PHRASES, key=len, reverse=True)))


def _interface_hits(low: str, words: list[str]) -> int:
    """Interface words plus interface phrases in a lowercased line."""
    return len([w for w in words if w in INTERFACE_WORDS]) + len(_PHRASE_RE.findall(low))


BASE_NAMES = [
    "log_tokens", "log_chars", "alpha_frac", "digit_frac", "upper_frac", "punct_frac",
    "ends_sentence", "ends_colon", "inner_sentences", "stop_ratio", "log_stops",
    "is_bullet", "is_numbered", "log_indent", "pipe_count", "url", "email", "bracketed",
    "iface_hits", "iface_ratio", "title_case_ratio", "date_like", "comma_per_tok",
    "avg_word_len", "copyright", "box_chars", "log_occ", "first_occ", "blank_before",
    "blank_after", "starts_lower", "starts_quote", "comment_marker", "has_by",
    "all_caps", "short_nonsentence",
]
CONTEXT_KEYS = [
    "log_tokens", "ends_sentence", "stop_ratio", "is_bullet", "iface_ratio",
    "short_nonsentence", "log_occ", "bracketed", "title_case_ratio",
]
PAGE_NAMES = [
    "rel_pos", "rel_char_pos", "log_nlines", "dist_longest", "before_longest",
    "frac_text_before", "frac_text_after", "comment_markers_before", "rel_tokens_to_max",
    "in_text_run", "text_run_len",
    # page-wide debris signals: a raw page repeats lines and carries interface/navigation
    # lines; an already-clean article does neither (this is what lets the classifier tell
    # its own output from a raw page and keep it whole, i.e. makes cleaning idempotent)
    "page_max_occ", "page_repeat_frac", "page_iface_frac", "page_bullet_frac", "page_short_frac",
]
WINDOWS = (1, 2, 4, 8)


def feature_names() -> list[str]:
    """Names of the columns of :func:`line_features`, in order."""
    names = list(BASE_NAMES) + list(PAGE_NAMES)
    for k in CONTEXT_KEYS:
        names += ["prev_" + k, "next_" + k]
        for w in WINDOWS:
            names.append("win%d_%s" % (w, k))
    return names


def _base(line: Line, key: str, occ: dict[str, int], seen: set[str]) -> list[float]:
    s = line.text
    low = s.lower()
    words = WORD_RE.findall(low)
    n = len(words)
    nc = len(s)
    letters = sum(map(str.isalpha, s))
    digits = sum(map(str.isdigit, s))
    upper = sum(map(str.isupper, s))
    punct = nc - sum(map(str.isalnum, s)) - s.count(" ")
    stops = len([w for w in words if w in STOPWORDS])
    ends = 1.0 if _SENT_END_RE.search(s) else 0.0
    caps_words = [w for w in _ALPHA_WORD_RE.findall(s)]
    tc = sum(1 for w in caps_words if w[0].isupper()) / len(caps_words) if caps_words else 0.0
    o = occ.get(key, 1)
    first = 1.0 if key not in seen else 0.0
    seen.add(key)
    iface = _interface_hits(low, words)
    return [
        math.log1p(n),
        math.log1p(nc),
        letters / nc if nc else 0.0,
        digits / nc if nc else 0.0,
        upper / letters if letters else 0.0,
        punct / nc if nc else 0.0,
        ends,
        1.0 if s.endswith(":") else 0.0,
        float(len(_INNER_SENT_RE.findall(s))),
        stops / n if n else 0.0,
        math.log1p(stops),
        1.0 if line.bullet and not line.bullet[0].isdigit() else 0.0,
        1.0 if line.bullet and line.bullet[0].isdigit() else 0.0,
        math.log1p(line.indent),
        float(s.count("|")),
        1.0 if _URL_RE.search(s) else 0.0,
        1.0 if _EMAIL_RE.search(s) else 0.0,
        1.0 if _BRACKET_RE.match(s) else 0.0,
        float(iface),
        iface / n if n else 1.0,
        tc,
        1.0 if _DATE_RE.search(s) else 0.0,
        s.count(",") / n if n else 0.0,
        sum(len(w) for w in words) / n if n else 0.0,
        1.0 if ("©" in s or "copyright" in low) else 0.0,
        1.0 if _BOX_RE.search(line.raw) else 0.0,
        math.log(o),
        first,
        float(min(line.blank_before, 3)),
        float(min(line.blank_after, 3)),
        1.0 if s[:1].islower() else 0.0,
        1.0 if s[:1] in "\"“‘'«" else 0.0,
        1.0 if COMMENT_MARKERS.search(s) and n <= 6 else 0.0,
        1.0 if low.startswith("by ") and n <= 12 else 0.0,
        1.0 if letters > 3 and upper == letters else 0.0,
        1.0 if (n < 10 and not ends) else 0.0,
    ]


def line_features(lines: list[Line]) -> np.ndarray:
    """Feature matrix (one row per line) with the columns named by :func:`feature_names`."""
    n = len(lines)
    names = feature_names()
    if n == 0:
        return np.zeros((0, len(names)), dtype=np.float64)
    occ: dict[str, int] = {}
    keys = [norm_key(ln.text) for ln in lines]
    for k in keys:
        occ[k] = occ.get(k, 0) + 1
    seen: set[str] = set()
    base = np.array([_base(ln, k, occ, seen) for ln, k in zip(lines, keys)], dtype=np.float64)
    col = {nm: i for i, nm in enumerate(BASE_NAMES)}

    ntok = np.expm1(base[:, col["log_tokens"]])
    textlike = (ntok >= 10) & (base[:, col["stop_ratio"]] >= 0.2) & (base[:, col["ends_sentence"]] > 0)
    text_tok = ntok * textlike
    cum = np.cumsum(text_tok)
    total = cum[-1] if n else 0.0
    longest = int(np.argmax(ntok))
    idxs = np.arange(n)
    chars = np.array([len(ln.text) for ln in lines], dtype=np.float64)
    cchars = np.cumsum(chars)
    markers = base[:, col["comment_marker"]]
    cm_before = np.cumsum(markers) - markers
    # runs of consecutive text-like lines
    run_id = np.zeros(n, dtype=np.int64)
    run_len = np.zeros(n, dtype=np.float64)
    r = 0
    i = 0
    while i < n:
        j = i
        while j < n and textlike[j]:
            j += 1
        if j > i:
            run_len[i:j] = j - i
            i = j
        else:
            i += 1
    _ = run_id, r
    occ_col = base[:, col["log_occ"]]
    many = ntok >= 3
    nmany = max(int(many.sum()), 1)
    page_wide = [
        float(occ_col[many].max()) if many.any() else 0.0,
        float(((base[:, col["first_occ"]] == 0) & many).sum()) / nmany,
        float((base[:, col["iface_ratio"]] >= 0.3).mean()),
        float(((base[:, col["is_bullet"]] > 0) | (base[:, col["is_numbered"]] > 0)).mean()),
        float(base[:, col["short_nonsentence"]].mean()),
    ]
    page = np.column_stack([
        idxs / max(n - 1, 1),
        (cchars - chars) / max(cchars[-1], 1.0),
        np.full(n, math.log1p(n)),
        np.abs(idxs - longest) / max(n, 1),
        (idxs < longest).astype(np.float64),
        (cum - text_tok) / total if total else np.zeros(n),
        (total - cum) / total if total else np.zeros(n),
        np.log1p(cm_before),
        ntok / max(ntok.max(), 1.0),
        textlike.astype(np.float64),
        np.log1p(run_len),
    ] + [np.full(n, v) for v in page_wide])

    ctx_cols = []
    for k in CONTEXT_KEYS:
        v = base[:, col[k]]
        prev = np.concatenate([[-1.0], v[:-1]])
        nxt = np.concatenate([v[1:], [-1.0]])
        ctx_cols += [prev, nxt]
        c = np.concatenate([[0.0], np.cumsum(v)])
        for w in WINDOWS:
            lo = np.maximum(idxs - w, 0)
            hi = np.minimum(idxs + w + 1, n)
            s = c[hi] - c[lo] - v
            cnt = (hi - lo - 1).astype(np.float64)
            ctx_cols.append(np.where(cnt > 0, s / np.maximum(cnt, 1), -1.0))
    return np.column_stack([base, page] + ctx_cols)
