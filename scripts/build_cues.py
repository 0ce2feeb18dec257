#!/usr/bin/env python3
"""Learn the attribution cue lexicon from PolNeAR train and write src/watchdesk/data/cues.json.

Usage:
    .venv/bin/python scripts/build_cues.py [--shared DIR] [--cache FILE.spacy] [--out FILE]

For every gold attribution in ``data/polnear/train/gold.jsonl`` the cue's head token (the token
of the cue span whose syntactic head lies outside the span) is located in the spaCy parse of the
article text, and its lemma counted. Every token of the corpus is also counted by lemma and by
*frame*, the syntactic shape that lets a word introduce reported content:

  ``comp``   the word governs a clausal complement (ccomp / a "that"-clause / parataxis)
  ``quote``  the word is next to a quotation (within a few tokens of a quote mark)
  ``prep``   the word opens a source phrase ("according to X", "citing X") -- prep/advcl heads
  ``any``    any occurrence (outside quotations: gold cues almost never lie inside one)
  ``obj`` / ``xcomp`` / ``pobj``  a verb with a direct object, an open complement ("wants to
             …"), or a prepositional object ("called for …") and no clausal complement

For each lemma and frame the file holds ``cue`` (how often it was a gold cue in that frame),
``n`` (how often it occurred in that frame) and ``p`` = cue / n, the precision of the lemma as
a cue in that frame. The extractor accepts a cue when the frame's precision reaches a
threshold (see watchdesk.extract.cues). Also written: the colon statistics (how often
"NAME:" + quotation is an attribution) and the share of gold content spans that start with the
complementiser ("that") -- conventions the extractor follows.

Per lemma, ``content`` counts whether the gold content was governed by the cue (``under_cue``:
"X said [that …]", "citing [the report]") or governed it (``governs_cue``: "[…], according to
X") -- which side of a source phrase is the reported content.

The parse of the 840 training articles takes a few minutes on one core; ``--cache`` keeps it
as a DocBin so later runs are quick. Nothing here is specific to one article.
"""
from __future__ import annotations

import argparse
import json
import sys
from collections import Counter, defaultdict
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT / "src"))

from watchdesk.extract.cues import QUOTE_CHARS, frames_of, quoted_chars  # noqa: E402
from watchdesk.extract.nlp import DEFAULT_MODEL, load_nlp  # noqa: E402

MIN_CUE = 3  # a lemma must be a gold cue at least this often to be kept


def parse(texts: list[str], model: str, cache: Path | None):
    from spacy.tokens import DocBin

    nlp = load_nlp(model)
    if cache and cache.exists():
        docs = list(DocBin().from_disk(cache).get_docs(nlp.vocab))
        if len(docs) == len(texts) and all(d.text == t for d, t in zip(docs, texts)):
            return docs
    docs = list(nlp.pipe(texts, batch_size=16))
    if cache:
        db = DocBin(store_user_data=False)
        for d in docs:
            db.add(d)
        cache.parent.mkdir(parents=True, exist_ok=True)
        db.to_disk(cache)
    return docs


def cue_head(doc, start: int, end: int):
    """The token of doc[start:end] (chars) whose head is outside the span, verbs first."""
    span = doc.char_span(start, end, alignment_mode="expand")
    if span is None or not len(span):
        return None
    toks = [t for t in span if not t.is_punct] or list(span)
    roots = [t for t in toks if not (span.start <= t.head.i < span.end) or t.head.i == t.i]
    for pool in (roots, toks):
        for t in pool:
            if t.pos_ in ("VERB", "AUX"):
                return t
    return roots[0] if roots else toks[0]


def main(argv: list[str] | None = None) -> int:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[1])
    ap.add_argument("--shared", type=Path, default=ROOT.parent / "shared")
    ap.add_argument("--cache", type=Path, default=Path("/tmp/watchdesk_polnear_train.spacy"))
    ap.add_argument("--model", default=DEFAULT_MODEL)
    ap.add_argument("--out", type=Path, default=ROOT / "src" / "watchdesk" / "data" / "cues.json")
    ap.add_argument("--split", default="train")
    args = ap.parse_args(argv)

    gold_path = args.shared / "data" / "polnear" / args.split / "gold.jsonl"
    if not gold_path.exists():
        print(f"not found: {gold_path}", file=sys.stderr)
        return 2
    gold = [json.loads(line) for line in gold_path.open(encoding="utf-8") if line.strip()]
    docs = parse([g["text"] for g in gold], args.model, args.cache)

    cue_counts: dict[str, Counter] = defaultdict(Counter)  # lemma -> frame -> gold cue count
    tot_counts: dict[str, Counter] = defaultdict(Counter)  # lemma -> frame -> occurrences
    colon = Counter()
    direction: dict[str, Counter] = defaultdict(Counter)
    that_start = Counter()
    src_rel = Counter()
    n_att = 0
    for g, doc in zip(gold, docs):
        text = g["text"]
        heads = {}
        for a in g["attributions"]:
            n_att += 1
            if not a.get("cue"):
                continue
            c = a["cue"]
            if text[c["start"]:c["end"]].strip() == ":":
                colon["gold_colon_cue"] += 1
                continue
            t = cue_head(doc, c["start"], c["end"])
            if t is None:
                continue
            heads[t.i] = a
            cs = doc.char_span(a["content"]["start"], a["content"]["end"], alignment_mode="expand")
            if cs is not None and len(cs):
                # is the content governed by the cue (a complement) or governing it (the
                # clause a source phrase like "according to X" hangs from)?
                if any(x.i == t.head.i for x in cs) and not (cs.start <= t.i < cs.end):
                    direction[t.lemma_.lower()]["governs_cue"] += 1
                elif any(x.head.i == t.i or t in x.ancestors for x in cs):
                    direction[t.lemma_.lower()]["under_cue"] += 1
            ct = a["content_text"].lstrip("“\"'‘ ")
            that_start["that" if ct.lower().startswith("that ") else "other"] += 1
            s = a.get("source")
            if s:
                st = doc.char_span(s["start"], s["end"], alignment_mode="expand")
                if st is not None and len(st):
                    rel = next((x.dep_ for x in st if x.head.i == t.i), None)
                    src_rel[rel or "other"] += 1
        inside = quoted_chars(text)
        for tok in doc:
            if tok.is_punct or tok.like_num or not tok.is_alpha:
                continue
            if inside(tok.idx):  # words inside quotations are the quoted speaker's, not cues
                continue
            lemma = tok.lemma_.lower()
            frames = frames_of(tok)
            for fr in frames:
                tot_counts[lemma][fr] += 1
                if tok.i in heads:
                    cue_counts[lemma][fr] += 1
        # "Name: “...”" lines -- how often is a colon right before a quote an attribution cue
        for tok in doc:
            if tok.text == ":" and tok.i + 1 < len(doc) and doc[tok.i + 1].text[:1] in QUOTE_CHARS:
                colon["colon_before_quote"] += 1

    lex = {}
    for lemma, cc in cue_counts.items():
        if cc["any"] < MIN_CUE:
            continue
        entry = {}
        for fr, n in tot_counts[lemma].items():
            entry[fr] = {"cue": cc[fr], "n": n, "p": round(cc[fr] / n, 4)}
        entry["content"] = dict(direction[lemma])
        lex[lemma] = entry
    out = {
        "source": f"PolNeAR {args.split} ({len(gold)} articles, {n_att} attributions)",
        "model": args.model,
        "min_cue": MIN_CUE,
        "content_starts_with_that": dict(that_start),
        "source_relation": dict(src_rel.most_common(12)),
        "colon": dict(colon),
        "lemmas": dict(sorted(lex.items(), key=lambda kv: -kv[1]["any"]["cue"])),
    }
    args.out.parent.mkdir(parents=True, exist_ok=True)
    args.out.write_text(json.dumps(out, indent=1, ensure_ascii=False) + "\n", encoding="utf-8")
    print(f"{len(lex)} cue lemmas -> {args.out}")
    for lemma, e in list(out["lemmas"].items())[:40]:
        print(f"  {lemma:<14} " + "  ".join(f"{fr}:{v['cue']}/{v['n']}={v['p']:.2f}"
                                            for fr, v in sorted(e.items()) if fr != "content")
              + f"  content:{e['content']}")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
