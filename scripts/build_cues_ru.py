#!/usr/bin/env python3
"""Derive the Russian attribution cue lexicon from Russian news and write src/watchdesk/data/cues_ru.json.

Usage:
    .venv/bin/python scripts/build_cues_ru.py [--shared DIR] [--out FILE]

There is no Russian attribution gold, so the lexicon is learned from the *shapes* that
introduce reported speech in Russian news, counted over the 504 texts of
``data/slavicner_ru/dev`` (their gold PER/ORG mentions say where a person or organisation is):

  ``comp``   a verb-like word followed (within ``COMP_GAP`` words) by ", что / будто / якобы"
  ``colon``  a verb-like word followed (within ``COLON_GAP`` words) by ":"
  ``dash``   a verb-like word right after ", —" / "! —" / "? —" / "» —" (dash-led direct speech)
  ``source`` a verb-like word right after "," or "как" with a PER/ORG mention starting within
             ``AFTER_WINDOW`` words after it ("…, сообщает ТАСС." / "как передает X, …")

A frame occurrence counts only when a person or organisation is next to the word (a gold PER/ORG
mention within ``HOLDER_WINDOW`` tokens in the same sentence, or он/она/они right beside it).
For every lemma (pymorphy2 normal form of finite verbs, infinitives, gerunds, short participles
and short adjectives; not infinitives, and a colon right after a word that opens its line is
a label, not a cue) the file stores ``n`` (all occurrences), ``cue`` (occurrences in a frame
with a holder, by frame) and ``p`` = cue / n. The extractor accepts a lemma when ``cue`` >=
``min_cue`` and ``p`` >= ``min_p`` (both stored in the file).

Source phrases "по <noun> X, …" are counted the same way: for every noun after "по", how often
"по <noun>" is followed by a PER/ORG mention and then a comma (``source_nouns``).

``seed_verbs`` / ``seed_nouns`` are the cues named in issue 11 (заявить, утверждать, сообщить,
отметить, подчеркнуть, рассказать, считать, уверенный, передавать; по данным / словам /
информации / оценкам; согласно): they are accepted whatever their counts, and the file says
which cues came from the data and which only from the seed list. Nothing here names words of
one article.
"""
from __future__ import annotations

import argparse
import json
import sys
from collections import Counter, defaultdict
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT / "src"))

from watchdesk.extract.ru.quantities import analyse, tokens  # noqa: E402

COMP_GAP = 3
COLON_GAP = 3
HOLDER_WINDOW = 6
AFTER_WINDOW = 3
MIN_CUE = 3
MIN_P = 0.15
VERB_POS = frozenset({"VERB", "GRND", "PRTS", "ADJS"})  # no infinitives: "Читать также:"
COMPLEMENTISERS = frozenset({"что", "будто", "якобы"})
DASHES = frozenset({"—", "–", "-"})
SPEECH_END = frozenset({",", "!", "?", "…", "»", "\"", "“", "”"})
PRONOUNS = frozenset({"он", "она", "они"})
STOP = frozenset({".", "!", "?", ";"})
SEED_VERBS = ["заявить", "заявлять", "утверждать", "сообщить", "сообщать", "сообщаться",
              "отметить", "отмечать", "подчеркнуть", "подчеркивать", "рассказать",
              "рассказывать", "считать", "уверенный", "передавать", "передать", "сказать",
              "говорить", "говориться"]
SEED_NOUNS = ["данным", "словам", "информации", "оценкам", "мнению", "сведениям"]
SEED_PREPS = ["согласно"]


def verb_lemma(word: str) -> str | None:
    for normal, pos, _ in analyse(word)[:1]:
        if pos in VERB_POS:
            return normal
    return None


def frames(toks, k: int) -> list[str]:
    out = []
    j = k + 1
    while j < len(toks) and j - k <= COMP_GAP + 1 and toks[j].text not in STOP:
        if toks[j].text == "," and j + 1 < len(toks) and toks[j + 1].text.lower() in COMPLEMENTISERS:
            out.append("comp")
            break
        if toks[j].text == ":" and j - k <= COLON_GAP + 1:
            out.append("colon")
            break
        if not toks[j].text[:1].isalnum():
            break
        j += 1
    if k >= 2 and toks[k - 1].text in DASHES and toks[k - 2].text in SPEECH_END:
        out.append("dash")
    elif k >= 1 and toks[k - 1].text.lower() in (",", "как"):
        out.append("source")  # "…, сообщает X." / "как сообщает X, …" (holder checked after)
    return out


def has_holder(toks, k: int, starts: set[int], sent: tuple[int, int]) -> bool:
    lo, hi = max(0, k - HOLDER_WINDOW), min(len(toks), k + HOLDER_WINDOW + 1)
    for j in range(lo, hi):
        t = toks[j]
        if not sent[0] <= t.start < sent[1]:
            continue
        if t.start in starts:
            return True
        if abs(j - k) <= 2 and t.text.lower() in PRONOUNS:
            return True
    return False


def main() -> None:
    ap = argparse.ArgumentParser()
    ap.add_argument("--shared", default=str(ROOT.parent / "shared"))
    ap.add_argument("--out", default=str(ROOT / "src/watchdesk/data/cues_ru.json"))
    args = ap.parse_args()
    from razdel import sentenize

    gold = Path(args.shared) / "data/slavicner_ru/dev/gold.jsonl"
    n_all: Counter = Counter()
    cue: dict[str, Counter] = defaultdict(Counter)
    po_all: Counter = Counter()
    po_src: Counter = Counter()
    docs = 0
    for line in gold.open(encoding="utf-8"):
        d = json.loads(line)
        docs += 1
        text = d["text"]
        starts = {m["start"] for m in d["mentions"] if m["label"] in ("PER", "ORG")}
        for s in sentenize(text):
            toks = tokens(text, s.start, s.stop)
            for k, t in enumerate(toks):
                low = t.text.lower()
                if low == "по" and k + 1 < len(toks):
                    noun = toks[k + 1].text.lower().replace("ё", "е")
                    po_all[noun] += 1
                    nxt = [x for x in toks[k + 2:k + 6]]
                    if any(x.start in starts for x in nxt) and \
                            any(x.text == "," for x in toks[k + 2:k + 10]):
                        po_src[noun] += 1
                    continue
                lem = verb_lemma(t.text)
                if lem is None:
                    continue
                n_all[lem] += 1
                fr = frames(toks, k)
                if "colon" in fr and (text[:t.start].rstrip(" \t").endswith("\n") or k == 0):
                    fr.remove("colon")  # a label at the start of a line ("Обновлено:")
                if "source" in fr and not any(x.start in starts for x in toks[k + 1:k + 1 + AFTER_WINDOW]):
                    fr.remove("source")
                if fr and has_holder(toks, k, starts, (s.start, s.stop)):
                    for f in fr:
                        cue[lem][f] += 1
                    cue[lem]["cue"] += 1
    verbs = {}
    for lem, c in cue.items():
        if c["cue"] >= MIN_CUE or lem in SEED_VERBS:
            verbs[lem] = dict(n=n_all[lem], cue=c["cue"], p=round(c["cue"] / n_all[lem], 4),
                              frames={f: c[f] for f in ("comp", "colon", "dash", "source") if c[f]})
    for lem in SEED_VERBS:
        verbs.setdefault(lem, dict(n=n_all[lem], cue=0, p=0.0, frames={}))
    nouns = {w: dict(n=po_all[w], cue=po_src[w], p=round(po_src[w] / po_all[w], 4))
             for w in po_all if po_src[w] >= 2 or w in SEED_NOUNS}
    out = {
        "source": f"data/slavicner_ru/dev texts ({docs} articles) + gold PER/ORG mention positions",
        "method": __doc__.split("\n\n")[2].strip().replace("\n", " "),
        "min_cue": MIN_CUE, "min_p": MIN_P,
        "seed_verbs": SEED_VERBS, "seed_nouns": SEED_NOUNS, "seed_preps": SEED_PREPS,
        "verbs": dict(sorted(verbs.items(), key=lambda kv: -kv[1]["cue"])),
        "source_nouns": dict(sorted(nouns.items(), key=lambda kv: -kv[1]["cue"])),
    }
    Path(args.out).write_text(json.dumps(out, ensure_ascii=False, indent=1) + "\n", encoding="utf-8")
    acc = [v for v, e in verbs.items() if e["cue"] >= MIN_CUE and e["p"] >= MIN_P]
    print(f"{docs} docs; {len(verbs)} verb lemmas kept, {len(acc)} accepted from data: "
          + ", ".join(acc))
    print("source nouns:", {w: (e["cue"], e["n"]) for w, e in out["source_nouns"].items()})


if __name__ == "__main__":
    main()
