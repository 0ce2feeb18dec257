"""Article text as HTML built from escaped pieces: sentences, quotes/claims and mentions as elements.

Article text is hostile (scraped pages): every piece of it goes through ``html.escape`` here and
the result is wrapped in ``markupsafe.Markup`` only after that. Attribute values are escaped too.
"""
from __future__ import annotations

from html import escape
from urllib.parse import quote

from markupsafe import Markup

from ..store.shared import HL_END, HL_START

# Entity types and their colours (CSS classes t-LABEL); anything else is "other".
TYPE_NAMES = {
    "PERSON": "Person", "ORG": "Organisation", "GPE": "Country / city", "LOC": "Place", "NORP": "Group",
    "FAC": "Facility", "EVENT": "Event", "PRODUCT": "Product", "WORK_OF_ART": "Work", "LAW": "Law",
    "LANGUAGE": "Language", "NAME": "Name",
}
TYPE_COLOURS = {
    "PERSON": "#c2410c", "ORG": "#1d4ed8", "GPE": "#047857", "LOC": "#0f766e", "NORP": "#7e22ce",
    "FAC": "#a16207", "EVENT": "#be123c", "PRODUCT": "#4d7c0f", "WORK_OF_ART": "#9d174d", "LAW": "#475569",
    "LANGUAGE": "#0369a1", "NAME": "#b45309",
}
OTHER_COLOUR = "#57534e"


def type_class(label: str | None) -> str:
    return f"t-{label}" if label in TYPE_COLOURS else "t-other"


def entity_url(entity_id: str) -> str:
    return "/entity/" + quote(entity_id, safe="")


MONTHS = ["January", "February", "March", "April", "May", "June", "July", "August", "September", "October",
          "November", "December"]


def event_date(value: str | None) -> str:
    """A timeline date for reading: "--04" (a month, year not stated) becomes "April (year?)"."""
    if not value:
        return "undated"
    if value.startswith("--"):
        parts = value[2:].split("-")
        if parts[0].isdigit() and 1 <= int(parts[0]) <= 12:
            day = f"{int(parts[1])} " if len(parts) > 1 and parts[1].isdigit() else ""
            return f"{day}{MONTHS[int(parts[0]) - 1]} (year?)"
    return value


def snippet_html(snippet: str) -> Markup:
    """An FTS snippet (terms marked with private-use characters) as HTML with <mark>."""
    out = escape(snippet).replace(HL_START, "<mark>").replace(HL_END, "</mark>")
    opened = out.count("<mark>") - out.count("</mark>")  # a stray marker in the text itself
    return Markup(out + "</mark>" * max(opened, 0))


def article_html(text: str, sentences: list[tuple[int, int]], mentions: list[dict],
                 attributions: list[dict], names: dict[str, dict]) -> Markup:
    """The clean text with sentences (id s-START), quotes/claims and mentions as nested elements.

    Layers, outer to inner: sentence > attribution > mention. An inner element that crosses an
    outer boundary is closed and reopened there, so the markup always nests.
    """
    n = len(text)
    # (start, end, layer, open_tag, close_tag)
    items: list[tuple[int, int, int, str, str]] = []
    tails: dict[tuple, str] = {}  # what follows an element where it ends for good (the speaker tag)
    for s, e in sentences:
        if 0 <= s < e <= n:
            items.append((s, e, 0, f'<span class="sent" id="s-{s}">', "</span>"))
    for a in attributions:
        c = a["content"]
        s, e = c["start"], c["end"]
        if not (0 <= s < e <= n):
            continue
        holder = a.get("holder") or "(unattributed)"
        kind = "quote" if a["kind"] == "quote" else "claim"
        title = f"{'Quote' if kind == 'quote' else 'Claim'} — {holder}"
        item = (s, e, 1, f'<span class="attr {kind}" title="{escape(title)}">', "</span>")
        items.append(item)
        tails[item] = f'<span class="who {kind}" data-speaker="{escape(holder)}"></span>'

    for m in mentions:
        s, e = m["start"], m["end"]
        if not (0 <= s < e <= n):
            continue
        cls = type_class(m["label"])
        gid = m.get("entity")
        name = names.get(gid, {}).get("name") if gid else None
        title = f"{name or m['text']} · {TYPE_NAMES.get(m['label'], m['label'])}"
        if gid:
            tag = (f'<a class="m {cls}" href="{escape(entity_url(gid))}" data-entity="{escape(gid)}"'
                   f' data-start="{s}" title="{escape(title)}">')
            items.append((s, e, 2, tag, "</a>"))
        else:
            items.append((s, e, 2, f'<span class="m {cls}" title="{escape(title)}">', "</span>"))
    items = _non_overlapping(items)
    bounds = sorted({0, n, *(i[0] for i in items), *(i[1] for i in items)})
    starts: dict[int, list] = {}
    for it in items:
        starts.setdefault(it[0], []).append(it)
    out: list[str] = []
    active: list[tuple[int, int, int, str, str]] = []  # open elements, outer (lower layer) first
    for i, pos in enumerate(bounds):
        ending = [k for k, a in enumerate(active) if a[1] <= pos]
        if ending:  # close from the innermost to the outermost ending element, reopen the rest
            k = ending[0]
            for a in reversed(active[k:]):
                out.append(a[4])
                if a[1] <= pos and a in tails:
                    out.append(tails[a])
            reopen = [a for a in active[k:] if a[1] > pos]
            active = active[:k]
            for a in reopen:
                out.append(a[3])
                active.append(a)
        for it in sorted(starts.get(pos, []), key=lambda a: a[2]):
            k = next((j for j, a in enumerate(active) if a[2] > it[2]), len(active))
            inner = active[k:]
            for a in reversed(inner):
                out.append(a[4])
            out.append(it[3])
            active = active[:k] + [it]
            for a in inner:
                out.append(a[3])
                active.append(a)
        if i + 1 < len(bounds):
            out.append(escape(text[pos:bounds[i + 1]]))
    for a in reversed(active):
        out.append(a[4])
        if a in tails:
            out.append(tails[a])
    return Markup("".join(out))


def _non_overlapping(items: list[tuple[int, int, int, str, str]]) -> list[tuple[int, int, int, str, str]]:
    """Within each layer, drop items overlapping an earlier (or longer, same-start) one."""
    out = []
    for layer in sorted({i[2] for i in items}):
        last_end = -1
        for it in sorted((i for i in items if i[2] == layer), key=lambda i: (i[0], -i[1])):
            if it[0] >= last_end:
                out.append(it)
                last_end = it[1]
    return out
