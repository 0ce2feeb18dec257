"""Aliases an article itself declares: names it says belong to the same entity.

``find_aliases(doc_text, mentions, entities)`` runs after ``find_entities`` and merges document
entities on explicit textual evidence only (no similarity guessing):

* alias cues between two names: "X, known (among jihadists) as Y", "also known as", "better
  known as", "a.k.a."/"aka", "alias", "nicknamed", "(real name Y)", "whose real name is Y",
  "X's real name is Y", "née Y", ", also called Y";
* an alternative name inside a person's name: "Ibragim (Ruslan) Dudayev", "Adam "Pacman" Jones";
* an acronym introduced in parentheses after (or before) its long form: "the National Liberation
  Front (NLF)", "IAML (Islamic Army of Mesopotamia and Levant)" (Schwartz & Hearst's letter alignment);
* an acronym in the text whose letters are the initials of a capitalised name in the same
  article ("IAML" ... "Islamic Army of Mesopotamia and Levant", function words of/and/the optional).

Names the cue clearly marks (capitalised tokens right after it) become mentions when spaCy
missed them, and a mention is widened or replaced when the marked name is longer ("Sheikh Abu Bakr
al-Kurdi" over spaCy's "Abu Bakr al-Kurdi"; "Islamic Army of Mesopotamia and Levant" over "Islamic
Army of Mesopotamia" + "Levant"). Every mention keeps ``text == doc_text[start:end]``. Each merge is
returned as an ``AliasLink`` with the character span of the evidence (the sentence that states
it) so a reader can check it. Entity ids of surviving entities are kept (no renumbering); an
entity left without mentions is dropped; new entities get ids after the highest existing one.
"""
from __future__ import annotations

import re
from collections import Counter, defaultdict
from dataclasses import dataclass, field

from watchdesk.types import AliasLink, DocEntity, Mention

# Lower-case particles that may sit inside a name ("Abu Bakr al-Kurdi", "Osama bin Laden").
NAME_PARTICLES = frozenset(
    "al el ad ar as ash at az bin ibn bint abu abd de da di del della der den van von du la le "
    "dos das do y".split())
FUNCTION_WORDS = frozenset("of and the for in on at de du des la le del da di von van y & to".split())
# Words that may follow a complete name ("... known as Sheikh Abu, who", "... as X and").
FOLLOWERS = frozenset("""
and or but who whom whose which that is was are were has had have will would said says told
in on at for from to with by of after before since during when while as he she it they his
her their its also then now
""".split())
QUOTES_OPEN = ("``", "“", "\"", "‘", "'", "«")
QUOTES_CLOSE = ("''", "”", "\"", "’", "'", "»")
MAX_NAME_TOKENS = 6

_CUES = [
    # (regex for the text between the two names, kind); the regex must match the whole gap
    (r"\s*[,(]?\s*(?:who\s+(?:is|was)\s+|(?:is|was)\s+)?(?:(?:also|better|widely|commonly|"
     r"popularly|locally|formerly|previously|otherwise|sometimes|now|simply)\s+)?known"
     r"(?:\s+(?:among|to|by|in|on|within|across)\s+(?:[a-z][\w'-]*\s+){1,3}?)?\s*as\s+", "known as"),
    (r"\s*[,(]?\s*(?:a\.\s?k\.\s?a\.?|aka|a/k/a|alias)\s*[,:]?\s+", "a.k.a."),
    (r"\s*[,(]?\s*(?:(?:who\s+(?:is|was)\s+)?(?:also\s+)?(?:nicknamed|nick-named))\s+", "nicknamed"),
    (r"\s*[,(]\s*(?:also\s+)?(?:called|dubbed)\s+|\s+also\s+called\s+", "called"),
    (r"\s*[,(]\s*(?:whose\s+)?(?:real|true|birth|given)\s+name\s+(?:is\s+|was\s+|being\s+)?:?\s*"
     r"|['’]s\s+(?:real|true|birth)\s+name\s+(?:is|was)\s+", "real name"),
    (r"\s*[,(]\s*(?:née|nee)\s+", "née"),
]
_CUE_RES = [(re.compile(p), kind) for p, kind in _CUES]
_CUE_ANCHOR = re.compile(
    r"\bknown\b|\ba\.\s?k\.\s?a\b|\baka\b|\ba/k/a\b|\balias\b|\bnick-?named\b|\bcalled\b|\bdubbed\b"
    r"|\bname\b|\bn[ée]e\b")

_TOKEN = re.compile(r"\S+")
_ACRONYM = re.compile(r"^[A-Z][A-Za-z0-9.&-]*$")
_PAREN_ACRONYM = re.compile(r"\(\s*([A-Z][A-Za-z0-9.&-]{1,11})\s*\)")
_SENT_END = re.compile(r"[.!?][\"'”’)]*\s+(?=[A-Z“\"'(])|\n")


@dataclass
class AliasResult:
    mentions: list[Mention]
    entities: list[DocEntity]
    links: list[AliasLink] = field(default_factory=list)
    merged: dict[str, str] = field(default_factory=dict)  # old entity id -> surviving id


# --------------------------------------------------------------------------- helpers


def _is_cap_word(w: str) -> bool:
    w = w.lstrip("\"'“‘`(")
    return bool(w) and w[0].isupper() and any(c.isalpha() for c in w)


def _is_acronym(w: str) -> bool:
    letters = [c for c in w if c.isalpha()]
    return (len(letters) >= 2 and _ACRONYM.match(w) is not None
            and sum(c.isupper() for c in letters) >= max(2, len(letters) - 1)
            and len(letters) <= 10)


def sentence_span(text: str, start: int, end: int) -> tuple[int, int]:
    """The sentence (or line) around ``[start, end)``: split at line breaks and at . ! ? ."""
    s = 0
    for m in _SENT_END.finditer(text, 0, start):
        s = m.end()
    e = len(text)
    m = _SENT_END.search(text, end)
    if m:
        e = m.start() + 1 if text[m.start()] != "\n" else m.start()
    while s < e and text[s].isspace():
        s += 1
    while e > s and text[e - 1].isspace():
        e -= 1
    return s, e


def _name_run(text: str, pos: int, limit: int) -> tuple[int, int] | None:
    """A capitalised name starting at ``pos`` (after spaces, an opening quote, "the"): its span.

    Tokens are capitalised words, lower-case name particles followed by a capitalised word, or
    particle-hyphen-name ("al-Kurdi"). The run stops at punctuation, a closing quote, a line
    break or a lower-case word; it is refused when a lower-case content word follows it (then
    the capitalised words only modify something else: "Watergate scandal informant").
    """
    line_end = text.find("\n", pos)
    if line_end < 0:
        line_end = len(text)
    limit = min(limit, line_end)
    toks = [(m.start(), m.end()) for m in _TOKEN.finditer(text, pos, limit)]
    i = 0
    quoted = False
    if i < len(toks) and text[toks[i][0]:toks[i][1]] in QUOTES_OPEN:
        quoted, i = True, i + 1
    elif i < len(toks) and text[toks[i][0]] in "“\"‘«`" and len(text[toks[i][0]:toks[i][1]]) > 1:
        # quote glued to the word: "“Chin"
        quoted = True
    if i < len(toks) and text[toks[i][0]:toks[i][1]] in ("the", "The") and i + 1 < len(toks) \
            and _is_cap_word(text[toks[i + 1][0]:toks[i + 1][1]]):
        i += 1
    start = None
    end = None
    n = 0
    stop_after = False
    while i < len(toks) and n < MAX_NAME_TOKENS:
        ts, te = toks[i]
        core_s, core_e = ts, te
        while core_s < core_e and text[core_s] in "“\"‘«`'(":
            core_s += 1
        while core_e > core_s and text[core_e - 1] in ".,;:!?”\"’»')":
            if text[core_e - 1] == "." and _abbrev(text[core_s:core_e]):
                break
            core_e -= 1
            stop_after = True
        core = text[core_s:core_e]
        if not core:
            break
        low = core.split("-", 1)[0].lower()
        if core[0].isupper() and any(c.isalpha() for c in core):
            pass
        elif low in NAME_PARTICLES and ("-" in core and core.split("-", 1)[1][:1].isupper()):
            pass
        elif core.lower() in NAME_PARTICLES and start is not None and i + 1 < len(toks) \
                and _is_cap_word(text[toks[i + 1][0]:toks[i + 1][1]]):
            pass
        else:
            if start is not None and not quoted and core[0].islower() \
                    and core.lower() not in FOLLOWERS and core.isalpha():
                return None  # "Watergate scandal": the capitalised word is a modifier
            break
        if start is None:
            start = core_s
        end = core_e
        n += 1
        i += 1
        if stop_after:
            break
    if start is None:
        return None
    return start, end


def _name_run_back(text: str, end: int, max_tokens: int = MAX_NAME_TOKENS) -> tuple[int, int] | None:
    """A capitalised name ending at ``end`` (the tokens just before it)."""
    line_start = text.rfind("\n", 0, end) + 1
    toks = [(m.start(), m.end()) for m in _TOKEN.finditer(text, line_start, end)]
    start = None
    n = 0
    for ts, te in reversed(toks):
        w = text[ts:te]
        if te != end and start is None:
            return None
        if w and w[-1] in ",;:!?)\"”" and start is not None:
            break
        low = w.split("-", 1)[0].lower()
        if _is_cap_word(w) or (start is not None and (low in NAME_PARTICLES)):
            start = ts
            n += 1
            if n >= max_tokens:
                break
            continue
        break
    if start is None:
        return None
    while start < end and text[start] in "\"'“‘`(":
        start += 1
    return (start, end) if end > start else None


def _abbrev(w: str) -> bool:
    """"U.S." / "Jr." / "St." keep their final dot; an ordinary sentence-final word does not."""
    body = w.rstrip(".")
    return ("." in body) or (len(body) <= 3 and body[:1].isupper() and body.isalpha()
                             and body in ("Jr", "Sr", "St", "Mr", "Dr", "Mrs", "Ms", "Co", "Inc",
                                          "Ltd", "Corp", "Mt", "Ft", "Gen", "Col", "Lt", "Sgt"))


def schwartz_hearst(short: str, long: str) -> int | None:
    """Start offset in ``long`` of the long form that ``short`` abbreviates, or None.

    Schwartz & Hearst (2003): match the abbreviation's letters right to left in the candidate,
    its first letter at the start of a word; the long form starts at that word.
    """
    s = len(short) - 1
    i = len(long) - 1
    while s >= 0:
        c = short[s].lower()
        if not c.isalnum():
            s -= 1
            continue
        while i >= 0 and (long[i].lower() != c or (s == 0 and i > 0 and long[i - 1].isalnum())):
            i -= 1
        if i < 0:
            return None
        i -= 1
        s -= 1
    start = long.rfind(" ", 0, i + 1) + 1
    return start


def initials_variants(words: list[str]) -> set[str]:
    """Initials of a word sequence: all words, content words only, hyphen parts split."""
    out = set()
    for split_hyphen in (False, True):
        ws = []
        for w in words:
            if split_hyphen:
                ws.extend(p for p in re.split(r"[-‐‑]", w) if p)
            else:
                ws.append(w)
        alnum = [w for w in ws if any(c.isalnum() for c in w)]
        full = "".join(next(c for c in w if c.isalnum()) for w in alnum).lower()
        content = "".join(next(c for c in w if c.isalnum()) for w in alnum
                          if w.lower() not in FUNCTION_WORDS).lower()
        out.update({full, content})
    return {x for x in out if len(x) >= 2}


# --------------------------------------------------------------------------- the pass


class _State:
    def __init__(self, text: str, mentions: list[Mention], entities: list[DocEntity]):
        self.text = text
        self.mentions = [Mention(m.start, m.end, m.text, m.label, m.entity) for m in mentions]
        self.entities = {e.id: DocEntity(e.id, e.name, e.label, list(e.aliases), e.mentions)
                         for e in entities}
        self.order = [e.id for e in entities]
        self.parent: dict[str, str] = {e.id: e.id for e in entities}
        self.links: list[AliasLink] = []
        self.names: dict[str, str] = {}  # entity id -> preferred name set by a rule
        self.extra_aliases: dict[str, list[str]] = defaultdict(list)
        nums = [int(e.id[1:]) for e in entities if e.id[1:].isdigit()]
        self.next_id = max(nums, default=0) + 1

    # entities ------------------------------------------------------------------------
    def find(self, eid: str) -> str:
        while self.parent[eid] != eid:
            self.parent[eid] = self.parent[self.parent[eid]]
            eid = self.parent[eid]
        return eid

    def union(self, a: str, b: str) -> str:
        ra, rb = self.find(a), self.find(b)
        if ra == rb:
            return ra
        # the earlier entity (first mentioned) survives
        if self.order.index(rb) < self.order.index(ra):
            ra, rb = rb, ra
        self.parent[rb] = ra
        return ra

    def new_entity(self, name: str, label: str) -> str:
        eid = f"e{self.next_id}"
        self.next_id += 1
        self.entities[eid] = DocEntity(eid, name, label, [name], 0)
        self.order.append(eid)
        self.parent[eid] = eid
        return eid

    # mentions ------------------------------------------------------------------------
    def mention_at(self, s: int, e: int) -> Mention | None:
        for m in self.mentions:
            if m.start == s and m.end == e:
                return m
        return None

    def overlapping(self, s: int, e: int) -> list[Mention]:
        return [m for m in self.mentions if m.start < e and s < m.end]

    def ending_at(self, e: int) -> Mention | None:
        best = None
        for m in self.mentions:
            if m.end == e and (best is None or m.start < best.start):
                best = m
        return best

    def starting_in(self, s: int, e: int) -> Mention | None:
        for m in sorted(self.mentions, key=lambda m: m.start):
            if s <= m.start < e:
                return m
        return None

    def put_mention(self, s: int, e: int, label: str | None, entity: str | None = None) -> Mention:
        """Make ``[s, e)`` a mention, replacing mentions it overlaps; its entity is the given
        one, else that of the longest replaced mention, else a new entity."""
        existing = self.mention_at(s, e)
        if existing is not None:
            if entity is not None:
                self.union(entity, existing.entity)
            return existing
        over = self.overlapping(s, e)
        if entity is None and over:
            longest = max(over, key=lambda m: (m.end - m.start, -m.start))
            if longest.end - longest.start >= 0.6 * (e - s):
                # the new span widens that mention ("Abu Bakr al-Kurdi" -> "Sheikh Abu Bakr ...");
                # a small piece ("Islamic" in "Islamic Army ...") keeps its own entity
                entity = longest.entity
            label = label or longest.label
        if entity is None:
            entity = self.new_entity(self.text[s:e], label or "PERSON")
        for m in over:
            self.mentions.remove(m)
        m = Mention(s, e, self.text[s:e], label or self.entities[self.find(entity)].label, entity)
        self.mentions.append(m)
        self.mentions.sort(key=lambda m: m.start)
        return m

    def link(self, a: Mention, b: Mention, kind: str, ev: tuple[int, int],
             alias_span: tuple[int, int] | None = None) -> None:
        root = self.union(a.entity, b.entity)
        a.entity = self.find(a.entity)
        b.entity = self.find(b.entity)
        s, e = alias_span or (b.start, b.end)
        self.links.append(AliasLink(root, a.text, self.text[s:e], kind, s, e, ev[0], ev[1],
                                    self.text[ev[0]:ev[1]]))

    # result --------------------------------------------------------------------------
    def result(self) -> AliasResult:
        text = self.text
        for m in self.mentions:
            m.entity = self.find(m.entity) if m.entity in self.parent else m.entity
        by_ent: dict[str, list[Mention]] = defaultdict(list)
        for m in self.mentions:
            by_ent[m.entity].append(m)
        # label: the label with most mentions among the merged entities (PERSON wins ties)
        groups: dict[str, list[str]] = defaultdict(list)
        for eid in self.order:
            groups[self.find(eid)].append(eid)
        out: list[DocEntity] = []
        merged: dict[str, str] = {}
        for root in self.order:
            if self.find(root) != root:
                continue
            ms = by_ent.get(root, [])
            if not ms:
                continue
            for eid in groups[root]:
                if eid != root:
                    merged[eid] = root
            votes = Counter(m.label for m in ms)
            for eid in groups[root]:
                old = self.entities[eid]
                votes[old.label] += 0.5
            label = max(votes.items(), key=lambda kv: (kv[1], kv[0] == "PERSON", kv[0]))[0]
            if len(groups[root]) == 1 and root not in self.names:
                ent = self.entities[root]
                texts = {m.text for m in ms}
                if texts <= set(ent.aliases) and ent.name in texts:
                    aliases = [a for a in ent.aliases if a in texts]
                    out.append(DocEntity(root, ent.name, label, aliases, len(ms)))
                    continue
            name = self.names.get(root) or self._pick_name(groups[root], ms)
            aliases = [name]
            for m in ms:
                if m.text not in aliases:
                    aliases.append(m.text)
            for eid in groups[root]:
                for a in self.extra_aliases.get(eid, []):
                    if a not in aliases:
                        aliases.append(a)
            out.append(DocEntity(root, name, label, aliases, len(ms)))
        for m in self.mentions:
            ent = next((e for e in out if e.id == m.entity), None)
            if ent is not None:
                m.label = ent.label
            assert m.text == text[m.start:m.end]
        for ln in self.links:
            ln.entity = self.find(ln.entity)
        return AliasResult(self.mentions, out, self.links, merged)

    def _pick_name(self, eids: list[str], ms: list[Mention]) -> str:
        """The name of a merged entity: the name of its part with most mentions (ties: first)."""
        counts = Counter(m.text for m in ms)
        best = None
        for eid in eids:
            own = [m for m in ms if m.text in self.entities[eid].aliases]
            score = (len(own), -self.order.index(eid))
            if best is None or score > best[0]:
                best = (score, eid)
        if best is None:
            return _fullest(ms)
        ent = self.entities[best[1]]
        if any(m.text == ent.name for m in ms):
            return ent.name
        return max(counts, key=lambda s: (len(s.split()), counts[s]))


def _fullest(ms: list[Mention]) -> str:
    counts = Counter(m.text for m in ms)
    return max(counts, key=lambda s: (len(s.split()), not s.isupper(), counts[s]))


def find_aliases(doc_text: str, mentions: list[Mention], entities: list[DocEntity]) -> AliasResult:
    """Merge the document entities that the article itself declares to be the same.

    Returns new lists (the inputs are not modified) and the alias links with their evidence.
    """
    st = _State(doc_text, mentions, entities)
    _parenthesised_names(st)
    _cue_aliases(st)
    _paren_acronyms(st)
    _letter_acronyms(st)
    return st.result()


# --------------------------------------------------------------------------- rules


_PAREN_NAME = re.compile(
    r"(?P<first>[A-Z][\w'’.-]*)\s+(?:\(\s*(?P<alt>[A-Z][\w'’-]*(?:\s+[A-Z][\w'’-]*)?)\s*\)"
    r"|(?:``|“|\"|‘|')\s*(?P<nick>[A-Z][\w'’ -]{0,30}?[\w.])\s*(?:''|”|\"|’|'))"
    r"\s+(?P<last>[A-Z][\w'’-]*(?:\s+(?:Jr|Sr|II|III)\.?)?)")


def _parenthesised_names(st: _State) -> None:
    """"Ibragim (Ruslan) Dudayev", "Adam "Pacman" Jones": one person, the middle an alias."""
    text = st.text
    for m in _PAREN_NAME.finditer(text):
        s, e = m.start("first"), m.end("last")
        if "\n" in text[s:e]:
            continue
        over = st.overlapping(s, e)
        # a person name: spaCy saw one of its parts as a person
        if not any(o.label == "PERSON" for o in over):
            continue
        if any(o.start < s or o.end > e for o in over):
            continue  # the parts belong to a longer name: not this pattern
        first, last = m.group("first"), m.group("last")
        alt = m.group("alt") or m.group("nick")
        alt_s = m.start("alt") if m.group("alt") else m.start("nick")
        alt_e = m.end("alt") if m.group("alt") else m.end("nick")
        persons = [o for o in over if o.label == "PERSON"]
        ent = persons[0].entity
        for o in over:
            st.union(ent, o.entity)
        mention = st.put_mention(s, e, "PERSON", ent)
        root = st.find(mention.entity)
        full = f"{first} {last}"
        st.names[root] = full
        extra = [full, alt]
        if m.group("alt") and " " not in alt:
            extra.append(f"{alt} {last}")  # an alternative given name
        st.extra_aliases[root].extend(extra)
        ev = sentence_span(text, s, e)
        st.links.append(AliasLink(root, full, alt, "parenthesised name", alt_s, alt_e, ev[0], ev[1],
                                  text[ev[0]:ev[1]]))


def _cue_aliases(st: _State) -> None:
    text = st.text
    for anchor in _CUE_ANCHOR.finditer(text):
        # the gap around the anchor: find a mention/name ending before it and a cue regex
        line_start = text.rfind("\n", 0, anchor.start()) + 1
        window_start = max(line_start, anchor.start() - 60)
        for rx, kind in _CUE_RES:
            found = None
            for left_end in _left_ends(st, window_start, anchor.start()):
                gm = rx.match(text, left_end)
                if gm and gm.start() == left_end and gm.end() > anchor.start():
                    found = (left_end, gm.end())
                    break
            if not found:
                continue
            left_end, right_start = found
            right = _name_run(text, right_start, len(text))
            if right is None:
                continue
            rs, re_ = right
            left_m = st.ending_at(left_end)
            if left_m is None:
                back = _name_run_back(text, left_end)
                if back is None:
                    continue
                left_span = back
            else:
                left_span = (left_m.start, left_m.end)
            # the alias name: an existing mention starting inside the run widens it
            inner = st.starting_in(rs, re_)
            if inner is not None and inner.end > re_:
                re_ = inner.end
            right_m = st.mention_at(rs, re_)
            if left_m is None and right_m is None and inner is None:
                continue  # neither side is a recognised name: not clear enough
            if left_m is None:
                label = (right_m or inner).label
                left_m = st.put_mention(*left_span, label)
            if right_m is None:
                right_m = st.put_mention(rs, re_, left_m.label if inner is None else None,
                                         None if inner is not None else left_m.entity)
            if right_m.entity == left_m.entity and st.find(right_m.entity) == st.find(left_m.entity) \
                    and any(ln.start == right_m.start for ln in st.links):
                break
            ev = sentence_span(text, left_m.start, right_m.end)
            st.link(left_m, right_m, kind, ev)
            break


def _left_ends(st: _State, lo: int, hi: int) -> list[int]:
    """Candidate ends of the first name, nearest to the cue first: mention ends and ends of
    capitalised words in ``[lo, hi]``."""
    ends = {m.end for m in st.mentions if lo <= m.end <= hi}
    for m in _TOKEN.finditer(st.text, lo, hi):
        w = m.group()
        if _is_cap_word(w):
            e = m.end()
            while e > m.start() and st.text[e - 1] in ",;:)\"”'’":
                e -= 1
            ends.add(e)
    return sorted(ends, reverse=True)


def _paren_acronyms(st: _State) -> None:
    """"the National Liberation Front (NLF)" and "NLF (National Liberation Front)"."""
    text = st.text
    for pm in _PAREN_ACRONYM.finditer(text):
        abbr_s, abbr_e = pm.start(1), pm.end(1)
        abbr = pm.group(1)
        if not _is_acronym(abbr):
            continue
        # long form before the parenthesis
        before = pm.start()
        while before > 0 and text[before - 1] == " ":
            before -= 1
        line_start = text.rfind("\n", 0, before) + 1
        n_letters = sum(c.isalnum() for c in abbr)
        toks = [(m.start(), m.end()) for m in _TOKEN.finditer(text, line_start, before)]
        toks = toks[-(n_letters + 4):]
        if not toks:
            continue
        cand_s = toks[0][0]
        cand = text[cand_s:before]
        off = schwartz_hearst(abbr, cand)
        if off is None:
            continue
        ls = cand_s + off
        long_words = text[ls:before].split()
        if not long_words or not _is_cap_word(long_words[0]):
            continue
        if len(long_words) > min(n_letters + 5, 2 * n_letters) or len(long_words) < 2:
            continue
        if not all(_is_cap_word(w) or w.lower() in FUNCTION_WORDS or w in "-&'s" for w in long_words):
            continue
        if any(c in text[ls:before] for c in ",;()"):
            continue
        long_m = st.mention_at(ls, before)
        over = st.overlapping(ls, before)
        label = "ORG"
        if over:
            label = max(over, key=lambda m: m.end - m.start).label
        if label in ("GPE", "NORP", "LOC") and len(over) > 1:
            label = "ORG"
        if long_m is None:
            if any(o.start < ls or o.end > before for o in over):
                # a mention that sticks out of the long form: keep it, do not cut names
                continue
            long_m = st.put_mention(ls, before, label, None)
        abbr_m = st.mention_at(abbr_s, abbr_e)
        if abbr_m is None:
            if st.overlapping(abbr_s, abbr_e):
                continue
            abbr_m = st.put_mention(abbr_s, abbr_e, long_m.label, long_m.entity)
        ev = sentence_span(text, ls, abbr_e)
        st.link(long_m, abbr_m, "acronym", ev)
    # "ABBR (Long Form)"
    for pm in re.finditer(r"\(\s*([A-Z][^()\n]{3,80}?)\s*\)", text):
        inner_s, inner_e = pm.start(1), pm.end(1)
        words = text[inner_s:inner_e].split()
        if len(words) < 2 or not all(_is_cap_word(w) or w.lower() in FUNCTION_WORDS for w in words):
            continue
        before = pm.start()
        while before > 0 and text[before - 1] == " ":
            before -= 1
        abbr_m = st.ending_at(before)
        if abbr_m is None or not _is_acronym(abbr_m.text):
            continue
        if fold_letters(abbr_m.text) not in initials_variants(words):
            continue
        long_m = st.mention_at(inner_s, inner_e)
        if long_m is None:
            if any(o.start < inner_s or o.end > inner_e for o in st.overlapping(inner_s, inner_e)):
                continue
            long_m = st.put_mention(inner_s, inner_e, abbr_m.label, None)
        ev = sentence_span(text, abbr_m.start, pm.end())
        st.link(long_m, abbr_m, "acronym", ev)


def fold_letters(abbr: str) -> str:
    return "".join(c for c in abbr if c.isalnum()).lower()


_CAP_RUN = re.compile(
    r"(?<![\w'’-])[A-Z][\w'’-]*(?:[ ]+(?:(?:of|and|the|for|de|du|la|le|del|al|el|&)[ ]+)*[A-Z][\w'’-]*)+")


def _letter_acronyms(st: _State) -> None:
    """An acronym mention whose letters are the initials of a capitalised name in the article."""
    text = st.text
    acr_ents: dict[str, list[Mention]] = defaultdict(list)
    for m in st.mentions:
        if " " in m.text or not _is_acronym(m.text):
            continue
        if _in_caps_line(text, m.start):
            continue
        letters = fold_letters(m.text)
        if len(letters) < 3:
            continue
        acr_ents[letters].append(m)
    # acronyms spaCy did not tag: capital-letter words outside headlines and mentions
    loose: dict[str, list[tuple[int, int]]] = defaultdict(list)
    for am in re.finditer(r"(?<![\w.'’-])[A-Z]{3,8}(?![\w'’-])", text):
        if _in_caps_line(text, am.start()) or st.overlapping(am.start(), am.end()):
            continue
        loose[am.group().lower()].append((am.start(), am.end()))
    if not acr_ents and not loose:
        return
    # candidate long forms: sub-runs of capitalised runs that start and end with a capital word
    found: dict[str, dict[str, list[tuple[int, int]]]] = defaultdict(lambda: defaultdict(list))
    for rm in _CAP_RUN.finditer(text):
        if _in_caps_line(text, rm.start()):
            continue
        words = [(w.start(), w.end()) for w in re.finditer(r"\S+", rm.group())]
        words = [(rm.start() + a, rm.start() + b) for a, b in words]
        for i in range(len(words)):
            if not _is_cap_word(text[words[i][0]:words[i][1]]):
                continue
            for j in range(i + 1, min(len(words), i + 12)):
                if not _is_cap_word(text[words[j][0]:words[j][1]]):
                    continue
                ws = [text[a:b] for a, b in words[i:j + 1]]
                for acr in initials_variants(ws) & (acr_ents.keys() | loose.keys()):
                    found[acr][text[words[i][0]:words[j][1]]].append((words[i][0], words[j][1]))
    for acr, forms in sorted(found.items()):
        if len(forms) != 1:
            continue  # two different long forms fit the letters: no evidence which one
        (long_text, spans), = forms.items()
        abbr_ms = list(acr_ents.get(acr, []))
        new_abbr = [sp for sp in loose.get(acr, []) if not st.overlapping(*sp)]
        if not abbr_ms and not new_abbr:
            continue
        for ls, le in spans:
            over = st.overlapping(ls, le)
            if any(o.start < ls or o.end > le for o in over):
                continue
            if not over and len(long_text.split()) < 3:
                continue  # a two-word capitalised pair nobody tagged: too weak
            label = abbr_ms[0].label if abbr_ms else "ORG"
            long_m = st.mention_at(ls, le) or st.put_mention(ls, le, label, None)
            for sp in new_abbr:
                if not st.overlapping(*sp):
                    abbr_ms.append(st.put_mention(sp[0], sp[1], long_m.label, None))
            new_abbr = []
            ev = sentence_span(text, ls, le)
            for am in abbr_ms:
                if st.find(am.entity) != st.find(long_m.entity):
                    st.link(long_m, am, "acronym letters", ev)


def _in_caps_line(text: str, pos: int) -> bool:
    s = text.rfind("\n", 0, pos) + 1
    e = text.find("\n", pos)
    line = text[s:e if e >= 0 else len(text)]
    letters = [c for c in line if c.isalpha()]
    return len(letters) >= 8 and sum(c.isupper() for c in letters) >= 0.8 * len(letters)
