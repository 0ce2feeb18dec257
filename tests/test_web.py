"""The analyst's desk: pages, escaping of hostile article text, curation rules, and end-to-end walks
in a real headless Chromium (Debian's /usr/bin/chromium through Playwright; skipped without it).

Data: the bundled sample, a lightly edited copy of it (same story), a hostile article and two
BBC articles when ../shared is present.
"""
from __future__ import annotations

import re
import shutil
import socket
import threading
import time
from pathlib import Path

import pytest

pytest.importorskip("fastapi")
from fastapi.testclient import TestClient  # noqa: E402

ROOT = Path(__file__).resolve().parents[1]
SAMPLE = ROOT / "src" / "watchdesk" / "data" / "sample" / "000_d34ae03e57f94ee3.txt"
BBC = ROOT.parent / "shared" / "data" / "bbc"
SCREENSHOTS = ROOT / "build" / "screenshots"
CHROMIUM = Path("/usr/bin/chromium")
CHROMIUM_ARGS = ["--headless", "--no-sandbox", "--disable-gpu", "--disable-background-networking",
                 "--disable-component-update", "--disable-sync", "--no-first-run"]

HOSTILE = """Minister <script>window.__pwned = 1</script> denies report

John Smith, the minister of <img src=x onerror="window.__pwned = 2">Defence, said on Monday that the army had "about 500 soldiers" in the region.

"We have nothing to hide <b onmouseover=alert(1)>here</b>," Smith told reporters in London. <svg onload="window.__pwned = 3"></svg>

A reader wrote <script>window.__pwned = 4</script> under the story, and Smith did not reply.
"""


def build_store(folder: Path) -> Path:
    """Ingest the test articles into folder/desk.db (the real pipeline and model)."""
    from watchdesk.pipeline import ingest
    from watchdesk.store.db import Store

    inputs = folder / "in"
    inputs.mkdir(parents=True)
    shutil.copy(SAMPLE, inputs / "a_sample.txt")
    text = SAMPLE.read_text(encoding="utf-8")
    (inputs / "b_sample_copy.txt").write_text(text + "\nUpdated: an editor's note added at the end.\n",
                                             encoding="utf-8")
    (inputs / "c_hostile.txt").write_text(HOSTILE, encoding="utf-8")
    for name in ("politics/001.txt", "business/001.txt"):
        if (BBC / name).exists():
            shutil.copy(BBC / name, inputs / f"d_bbc_{name.replace('/', '_')}")
    db = folder / "desk.db"
    with Store(db) as store:
        report = ingest([str(inputs)], store)
    assert not report.errors
    return db


@pytest.fixture(scope="module")
def desk_db(tmp_path_factory) -> Path:
    return build_store(tmp_path_factory.mktemp("desk"))


@pytest.fixture()
def db(desk_db, tmp_path) -> Path:
    """A private copy for tests that write (curation)."""
    target = tmp_path / "desk.db"
    shutil.copy(desk_db, target)
    return target


def _app(db: Path, **kwargs):
    from watchdesk.serve.app import create_app

    return create_app(db, **kwargs)


@pytest.fixture(scope="module")
def client(desk_db):
    return TestClient(_app(desk_db), client=("127.0.0.1", 50000))


def _doc_id(db: Path, key: str) -> int:
    from watchdesk.store.db import Store

    with Store(db) as s:
        return s.conn.execute("SELECT id FROM documents WHERE doc_key = ?", (key,)).fetchone()[0]


def _gid(db: Path, name: str) -> str:
    from watchdesk.store.db import Store

    with Store(db) as s:
        return s.global_ids_for(name)[0]


# ---- pages -----------------------------------------------------------------------------------
def test_pages_render(client, desk_db):
    doc = _doc_id(desk_db, "a_sample")
    for url in ["/", "/search?q=foreign+fighters", f"/article/{doc}", "/network", "/claims", "/stories",
                "/curation", "/search?q=Gelaev&type=PERSON"]:
        r = client.get(url)
        assert r.status_code == 200, url
        assert "text/html" in r.headers["content-type"]
        assert "default-src 'self'" in r.headers["content-security-policy"]
    assert client.get("/article/999999").status_code == 404
    assert client.get("/entity/no-such-entity").status_code == 404
    assert client.get("/search?q=x&from=yesterday").status_code == 400


def test_search_finds_entity_by_alias_and_articles_with_snippets(client):
    r = client.get("/search", params={"q": "Gelaev"})
    assert "Khamzat Gelayev" in r.text
    assert re.search(r'href="/entity/G\d+"[^>]*>Khamzat Gelayev<', r.text)
    r = client.get("/search", params={"q": "foreign fighters"})
    assert "<mark>foreign</mark>" in r.text and "Syrian Jihad" in r.text
    # filters: a date range excludes undated articles; an unknown source finds nothing
    assert "No article matches" in client.get("/search", params={"q": "fighters", "from": "2030"}).text
    assert "No article matches" in client.get("/search", params={"q": "fighters", "source": "nowhere"}).text
    assert "Syrian Jihad" in client.get("/search", params={"q": "fighters", "source": "a_sample"}).text
    assert "Syrian Jihad" in client.get("/search", params={"q": "fighters", "type": "PERSON"}).text


def test_search_says_when_only_the_newest_matches_were_ranked(client, monkeypatch):
    from watchdesk.store import search

    assert "most recently added" not in client.get("/search", params={"q": "fighters"}).text
    monkeypatch.setattr(search, "RANK_WINDOW", 1)
    html = client.get("/search", params={"q": "fighters"}).text
    assert re.search(r"\d+ articles contain these words: ranked among the 1 most recently added", html)
    api = client.get("/api/search", params={"q": "fighters"}).json()
    assert api["ranked_among"] == 1 and api["matches"] == api["total"] > 1 and api["total_exact"]


def test_article_marks_mentions_sentences_and_speakers(client, desk_db):
    doc = _doc_id(desk_db, "a_sample")
    html = client.get(f"/article/{doc}").text
    gid = _gid(desk_db, "Shamil Tsuneoka")
    assert re.search(rf'<a class="m t-PERSON" href="/entity/{gid}"[^>]*>Shamil Tsuneoka</a>', html)
    assert re.search(r'<span class="sent" id="s-\d+">', html)
    assert 'class="attr quote"' in html and 'data-speaker="Shamil Tsuneoka"' in html
    assert "Removed lines" in html and "Raw input" in html  # the toggle's second view
    # the other copy of the story is listed
    assert f'href="/article/{_doc_id(desk_db, "b_sample_copy")}"' in html


def test_hostile_article_is_escaped(client, desk_db):
    doc = _doc_id(desk_db, "c_hostile")
    html = client.get(f"/article/{doc}").text
    assert "<script>window" not in html and "<img src=x" not in html and "<svg onload" not in html
    assert "&lt;script&gt;window.__pwned = 4&lt;/script&gt;" in html
    assert "onerror=&#34;window" in html or "onerror=&quot;window" in html
    search = client.get("/search", params={"q": "minister pwned"}).text
    assert "<script>window" not in search
    api = client.get(f"/api/articles/{doc}").json()
    assert "<script>" in api["text"] and "onerror" in api["text"]  # JSON keeps the text as it is


def test_entity_page_evidence_and_co_mentions_once_per_story(client, desk_db):
    from watchdesk.store import entity_page
    from watchdesk.store.db import Store

    gid = _gid(desk_db, "Shamil Tsuneoka")
    html = client.get(f"/entity/{gid}").text
    assert "Shamil Tsuneoka" in html and "Names" in html and "Timeline" in html
    assert re.search(r'href="/article/\d+#s-\d+"', html)  # evidence links to sentences
    with Store(desk_db) as s:
        e = entity_page.entity(s, gid)
    assert len(e["articles"]) == 1 and len(e["articles"][0]["copies"]) == 1  # two copies, one story
    isis = next(c for c in e["co_mentions"] if c["name"] == "ISIS")
    assert isis["documents"] == 2 and isis["stories"] == 1
    # a name or alias in the URL redirects to the global id
    r = client.get("/entity/Gelaev", follow_redirects=False)
    assert r.status_code == 302 and re.fullmatch(r"/entity/G\d+", r.headers["location"])


def _sentence_starts(db: Path, doc_id: int) -> list[int]:
    from watchdesk.store.db import Store

    with Store(db) as s:
        return [r[0] for r in s.conn.execute("SELECT start FROM sentences WHERE doc_id = ? ORDER BY idx", (doc_id,))]


def test_entity_page_counts_and_lists_copies_of_a_story_once(client, desk_db):
    """The sample and its edited copy are one story: counts, articles, timeline, relations, quotes,
    claims and evidence show each thing once, from the first copy, with the other copy's sentence."""
    from watchdesk.store import entity_page
    from watchdesk.store.db import Store

    gid = _gid(desk_db, "Shamil Tsuneoka")
    first, copy = _doc_id(desk_db, "a_sample"), _doc_id(desk_db, "b_sample_copy")
    with Store(desk_db) as s:
        e = entity_page.entity(s, gid)
        in_copies = s.conn.execute("SELECT count(*) FROM mentions m JOIN entities n ON n.id = m.entity_id"
                                   " WHERE n.global_id = ?", (gid,)).fetchone()[0]
        texts = {d: s.conn.execute("SELECT text FROM documents WHERE id = ?", (d,)).fetchone()[0]
                 for d in (first, copy)}
    assert (e["stories"], e["documents"], e["mentions_with_copies"]) == (1, 2, in_copies)
    assert e["mentions"] * 2 == in_copies  # the copies name him equally often: counted once
    assert sum(a["count"] for a in e["aliases"]) == e["mentions"]
    assert all(a["stories"] == 1 and [w["doc_id"] for w in a["seen"]] == [first] for a in e["aliases"])
    assert [a["id"] for a in e["articles"]] == [first] and [c["id"] for c in e["articles"][0]["copies"]] == [copy]
    copy_starts = set(_sentence_starts(desk_db, copy))
    for key in ("events", "relations", "quotes_by", "claims_by", "evidence"):
        assert e[key], key
        for item in e[key]:
            assert item["doc_id"] == first, key
            assert [c["doc_id"] for c in item["copies"]] == [copy], (key, item)
            other = item["copies"][0]["anchor"]
            assert other in copy_starts  # the copy's own evidence sentence, and it says the same
            assert texts[copy][other:other + 60] == texts[first][item["anchor"]:item["anchor"] + 60]
    html = client.get(f"/entity/{gid}").text
    assert f"{e['mentions']} mentions in 1 story" in html
    assert "April (year?)" in html and "--04" not in html.split('<ol class="timeline">', 1)[1]  # a month, no year
    timeline = html.split('<ol class="timeline">', 1)[1].split("</ol>", 1)[0]
    rows = re.findall(r"<li>.*?</li>", timeline, re.S)
    assert len(rows) == len(e["events"]) and len(set(rows)) == len(rows)  # no event twice
    for row in rows:
        assert re.search(rf'href="/article/{first}#s-\d+"', row)
        assert "also in 1 other copy" in row and re.search(rf'href="/article/{copy}#s-\d+"', row)
    api = client.get(f"/api/entities/{gid}").json()
    assert api["mentions"] == e["mentions"] and len(api["events"]) == len(e["events"])


def test_claims_ledger_rows_link_to_their_evidence_sentence(client, desk_db):
    from watchdesk.store import views
    from watchdesk.store.db import Store

    with Store(desk_db) as s:
        ledger = views.claims_ledger(s)
        texts = dict(s.conn.execute("SELECT id, text FROM documents").fetchall())
        sentences = {}
        for doc_id, start, end in s.conn.execute('SELECT doc_id, start, "end" FROM sentences'):
            sentences.setdefault(doc_id, {})[start] = end
    figures = [f for g in ledger for f in g["figures"]]
    assert figures
    for f in figures:
        text = texts[f["doc_id"]]
        assert text[f["start"]:f["end"]] == f["text"]
        end = sentences[f["doc_id"]][f["anchor"]]  # the anchor is a sentence start ...
        assert f["anchor"] <= f["start"] and f["end"] <= end  # ... of the sentence stating the figure
    html = client.get("/claims").text
    cards = html.split('<div class="figure-card">')[1:]
    assert len(cards) == len(figures)
    for card, f in zip(cards, figures):
        assert f'href="/article/{f["doc_id"]}#s-{f["anchor"]}"' in card
    # the copy of the sample states the same figures: one card, the copy's sentence one click away
    copy = _doc_id(desk_db, "b_sample_copy")
    fighters = [f for f in figures if f["doc_id"] == _doc_id(desk_db, "a_sample")]
    assert fighters and all([c["doc_id"] for c in f["copies"]] == [copy] for f in fighters)
    assert re.search(rf'also in 1 other copy: <a class="copy-link" href="/article/{copy}#s-\d+"', html)


def test_network_default_is_readable_and_filters_show_everything(client):
    default = client.get("/api/graph", params={"max_nodes": 80}).json()
    everything = client.get("/api/graph", params={"min_weight": 1, "max_nodes": 500}).json()
    assert default["auto"] and not everything["auto"]
    # the sample is one article naming ~60 entities: drawn whole, it is a clique of ~2000 links
    assert everything["shown"] == everything["total"] and everything["total"]["edges"] > 1000
    assert len(everything["nodes"]) == everything["total"]["nodes"]
    assert len(default["edges"]) == default["shown"]["edges"] <= 3 * 80
    assert 20 <= len(default["nodes"]) <= 80 and default["total"] == everything["total"]
    ids = {n["id"] for n in default["nodes"]}
    assert all(e["source"] in ids and e["target"] in ids and e["weight"] >= default["min_weight"]
               for e in default["edges"])
    html = client.get("/network").text
    assert 'placeholder="auto"' in html and 'data-show-all="/network?min_weight=1&amp;max_nodes=500"' in html
    assert client.get("/network", params={"min_weight": "x"}).status_code == 400


# ---- curation rules --------------------------------------------------------------------------
def _csrf(client, url="/curation") -> str:
    html = client.get(url).text
    found = re.search(r'name="csrf" value="([^"]+)"', html)
    return found[1] if found else client.cookies.get("wd_csrf")


def test_curation_needs_local_client_csrf_and_same_origin(db, monkeypatch):
    monkeypatch.delenv("WATCHDESK_TOKEN", raising=False)
    remote = TestClient(_app(db), client=("203.0.113.9", 40000))
    assert 'action="/curate/undo"' not in remote.get("/curation").text
    token = _csrf(remote, "/login")
    assert remote.post("/curate/undo", data={"csrf": token}).status_code == 403
    local = TestClient(_app(db), client=("127.0.0.1", 40000))
    token = _csrf(local)
    assert local.post("/curate/undo", data={}).status_code == 403  # no CSRF field
    assert local.post("/curate/undo", data={"csrf": "x" * 43}).status_code == 403  # wrong token
    assert local.post("/curate/undo", data={"csrf": token},
                      headers={"origin": "http://evil.example"}).status_code == 403
    ok = local.post("/curate/undo", data={"csrf": token}, headers={"origin": "http://testserver"},
                    follow_redirects=False)
    assert ok.status_code == 303  # allowed (nothing to undo: a message, not an error page)


def test_token_allows_remote_curation(db):
    remote = TestClient(_app(db, token="s3cret"), client=("203.0.113.9", 40000))
    token = _csrf(remote, "/login")
    gid = _gid(db, "Khamzat Gelayev")
    r = remote.post("/curate/merge", data={"csrf": token, "a": gid, "b": "Tsuneoka"},
                    headers={"x-watchdesk-token": "wrong"})
    assert r.status_code == 403
    r = remote.post("/curate/merge", data={"csrf": token, "a": gid, "b": "Tsuneoka"},
                    headers={"x-watchdesk-token": "s3cret"}, follow_redirects=False)
    assert r.status_code == 303


def test_merge_split_reject_and_undo_through_the_desk(db):
    from watchdesk.store.db import Store

    c = TestClient(_app(db), client=("127.0.0.1", 40000))
    token = _csrf(c)
    a, b = _gid(db, "Khamzat Gelayev"), _gid(db, "Tarkhan Batirashvili")
    r = c.post("/curate/merge", data={"csrf": token, "a": a, "b": b, "note": "test"})
    assert r.status_code == 200 and "Merged" in r.text
    with Store(db) as s:
        assert s.global_ids_for("Khamzat Gelayev") == s.global_ids_for("Tarkhan Batirashvili")
        assert [j["kind"] for j in s.judgements()] == ["merge"]
    r = c.post("/curate/undo", data={"csrf": token})
    assert "Undid" in r.text
    with Store(db) as s:
        assert s.global_ids_for("Khamzat Gelayev") != s.global_ids_for("Tarkhan Batirashvili")
        assert s.judgements() == []
    # split an alias off, and mark one mention as not an entity
    c.post("/curate/split", data={"csrf": token, "entity": a, "alias": "Ruslan"})
    doc = _doc_id(db, "c_hostile")
    with Store(db) as s:
        start, end = s.conn.execute('SELECT start, "end" FROM mentions WHERE doc_id = ? AND text = ?',
                                    (doc, "London")).fetchone()
    r = c.post("/curate/reject", data={"csrf": token, "doc_id": doc, "start": start, "end": end})
    assert "not an entity" in r.text
    with Store(db) as s:
        assert [j["kind"] for j in s.judgements()] == ["split", "reject"]


# ---- in the browser --------------------------------------------------------------------------
def _free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


@pytest.fixture(scope="module")
def live_desk(desk_db, tmp_path_factory):
    import uvicorn

    db = tmp_path_factory.mktemp("live") / "desk.db"
    shutil.copy(desk_db, db)
    port = _free_port()
    server = uvicorn.Server(uvicorn.Config(_app(db, allowed_hosts=["127.0.0.1", "localhost"]), host="127.0.0.1",
                                           port=port, log_level="warning"))
    thread = threading.Thread(target=server.run, daemon=True)
    thread.start()
    deadline = time.time() + 20
    while not server.started and time.time() < deadline:
        time.sleep(0.05)
    assert server.started
    yield f"http://127.0.0.1:{port}", db
    server.should_exit = True
    thread.join(10)


@pytest.fixture(scope="module")
def browser_page(tmp_path_factory):
    if not CHROMIUM.exists():
        pytest.skip("Debian's chromium is not installed (scripts/install_browser.sh)")
    sync_api = pytest.importorskip("playwright.sync_api")
    with sync_api.sync_playwright() as p:
        context = p.chromium.launch_persistent_context(
            str(tmp_path_factory.mktemp("chromium-profile")), executable_path=str(CHROMIUM), headless=True,
            args=CHROMIUM_ARGS, viewport={"width": 1400, "height": 1000})
        page = context.new_page()
        page.set_default_timeout(15000)
        page.dialogs = []
        page.on("dialog", lambda d: (page.dialogs.append(d.message), d.dismiss()))
        page.errors = []
        page.on("pageerror", lambda e: page.errors.append(str(e)))
        yield page
        context.close()


def shot(page, name: str) -> None:
    SCREENSHOTS.mkdir(parents=True, exist_ok=True)
    page.screenshot(path=str(SCREENSHOTS / f"{name}.png"))


def _click_node(page, graph_id: str, node_id: str) -> None:
    page.wait_for_selector(f"#{graph_id}[data-ready='1']")
    box = page.locator(f"#{graph_id}").bounding_box()
    pos = page.evaluate(
        "([g, n]) => { const cy = window.watchdeskGraphs[g]; const node = cy.getElementById(n);"
        " cy.center(node); return node.renderedPosition(); }", [graph_id, node_id])
    page.mouse.click(box["x"] + pos["x"], box["y"] + pos["y"])


def test_walk_search_article_entity_network_node(live_desk, browser_page):
    base, db = live_desk
    page = browser_page
    page.goto(base + "/")
    shot(page, "01-home")
    page.fill(".big-search input[name=q]", "Gelaev")
    page.press(".big-search input[name=q]", "Enter")
    page.wait_for_url(re.compile(r"/search\?q=Gelaev"))
    assert page.locator(".entity-hits a.ent", has_text="Khamzat Gelayev").count() == 1
    shot(page, "02-search")
    page.click("ol.hits a.hit-title >> nth=0")
    page.wait_for_url(re.compile(r"/article/\d+"))
    assert page.locator("#article-text a.m.t-PERSON").count() > 5
    shot(page, "03-article")
    page.click("button[data-view=raw]")
    assert page.locator("#view-raw").is_visible() and not page.locator("#view-clean").is_visible()
    shot(page, "04-article-raw")
    page.click("button[data-view=clean]")
    page.click("#article-text a.m:text('Tsuneoka') >> nth=0")
    page.wait_for_url(re.compile(r"/entity/G\d+"))
    assert page.locator("h1").inner_text() == "Shamil Tsuneoka"
    page.wait_for_selector("#mini-graph[data-ready='1']")
    shot(page, "05-entity")
    # evidence link -> the sentence is highlighted in its article
    page.click("#evidence a.evid >> nth=1")
    page.wait_for_url(re.compile(r"/article/\d+#s-\d+"))
    target = page.url.rsplit("#", 1)[1]
    assert page.locator(f"[id='{target}']").get_attribute("class").find("flash-target") >= 0
    shot(page, "06-evidence-sentence")
    page.click("nav.main-nav a:text('Network')")
    page.wait_for_selector("#graph[data-ready='1']")
    assert "entities" in page.locator("#graph-status").inner_text()
    gid = _gid(db, "Khamzat Gelayev")
    _click_node(page, "graph", gid)
    page.wait_for_url(re.compile(rf"/entity/{gid}$"))
    assert page.locator("h1").inner_text() == "Khamzat Gelayev"
    page.goto(base + "/claims")
    shot(page, "08-claims")
    assert not page.errors and not page.dialogs


def test_claims_ledger_link_highlights_the_sentence(live_desk, browser_page):
    base, db = live_desk
    page = browser_page
    page.goto(base + "/claims")
    cards = page.locator(".figure-card")
    index = cards.count() - 1  # the last card: its sentence is far down its article
    figure = cards.nth(index).locator(".figure").inner_text()
    cards.nth(index).locator("a.evid").click()
    page.wait_for_url(re.compile(r"/article/\d+#s-\d+$"))
    target = page.locator(".sent.flash-target")
    assert target.count() == 1 and target.get_attribute("id") == page.url.rsplit("#", 1)[1]
    assert figure in target.inner_text()
    box, height = target.bounding_box(), page.viewport_size["height"]
    bar = page.locator("header.top").bounding_box()
    assert bar["y"] + bar["height"] <= box["y"] and box["y"] + min(box["height"], 50) <= height  # in view, not under the bar
    shot(page, "12-claims-evidence-sentence")
    assert not page.errors and not page.dialogs


def test_network_page_says_what_is_hidden_and_can_draw_everything(live_desk, browser_page):
    base, db = live_desk
    page = browser_page
    page.goto(base + "/network")
    page.wait_for_selector("#graph[data-ready='1']")
    default_edges = page.evaluate("window.watchdeskGraphs.graph.edges().length")
    assert 0 < default_edges <= 3 * 80
    status = page.locator("#graph-status").inner_text()
    assert "Hidden:" in status and "chosen so the drawing stays readable" in status
    assert page.locator("#min-weight").get_attribute("placeholder").startswith("auto (")
    shot(page, "07-network")
    page.click("#show-all")
    page.wait_for_url(re.compile(r"min_weight=1"))
    page.wait_for_selector("#graph[data-ready='1']", timeout=60000)
    assert page.evaluate("window.watchdeskGraphs.graph.edges().length") > 4 * default_edges
    assert "Hidden:" not in page.locator("#graph-status").inner_text()
    assert not page.errors and not page.dialogs


def test_hostile_article_runs_nothing_in_the_browser(live_desk, browser_page):
    base, db = live_desk
    page = browser_page
    page.goto(f"{base}/article/{_doc_id(db, 'c_hostile')}")
    page.hover("#article-text")
    page.wait_for_timeout(300)
    assert page.evaluate("window.__pwned") is None
    assert page.locator("#article-text script, #article-text img, #article-text svg, #article-text b").count() == 0
    assert "<script>window.__pwned = 4</script>" in page.locator("#article-text").inner_text()
    assert "<img src=x onerror" in page.locator("#article-text").inner_text()
    page.click("button[data-view=raw]")
    assert "<script>window.__pwned = 1</script>" in page.locator("#raw-text").inner_text()
    assert page.evaluate("window.__pwned") is None and not page.dialogs
    page.goto(f"{base}/search?q=minister+pwned")
    assert page.evaluate("window.__pwned") is None and not page.dialogs
    page.goto(f"{base}/article/{_doc_id(db, 'c_hostile')}")
    shot(page, "09-hostile-article")


def test_curation_merge_then_undo_in_the_browser(live_desk, browser_page):
    from watchdesk.store.db import Store

    base, db = live_desk
    page = browser_page
    a = _gid(db, "Khamzat Gelayev")
    page.goto(f"{base}/entity/{a}")
    page.fill("#merge-form input[name=b]", "Tarkhan Batirashvili")
    page.fill("#merge-form input[name=note]", "same man, per the article")
    page.click("#merge-form button[type=submit]")
    page.wait_for_selector(".flash.ok")
    assert "Merged" in page.locator(".flash.ok").inner_text()
    shot(page, "10-merged")
    with Store(db) as s:
        assert s.global_ids_for("Khamzat Gelayev") == s.global_ids_for("Tarkhan Batirashvili")
    page.click("nav.main-nav a:text('Curation')")
    assert "merge" in page.locator("table.judgements").inner_text()
    page.click("#undo-form button")
    page.wait_for_selector(".flash.ok")
    assert "Undid" in page.locator(".flash.ok").inner_text()
    assert "undone" in page.locator("table.judgements tr.undone").inner_text()
    shot(page, "11-curation-undone")
    with Store(db) as s:
        assert s.global_ids_for("Khamzat Gelayev") != s.global_ids_for("Tarkhan Batirashvili")
    assert not page.errors and not page.dialogs


@pytest.mark.parametrize("path", [
    "/static/../../../../etc/passwd",
    "/static/%2e%2e/%2e%2e/%2e%2e/etc/passwd",
    "/static/..%2f..%2f..%2fetc%2fpasswd",
    "/static/vendor/../../app.py",
    "/static/%2e%2e/app.py",
    "/entity/..%2f..%2fetc%2fpasswd",
])
def test_no_path_traversal_through_static_or_entity_routes(client, path):
    response = client.get(path)
    assert response.status_code in (400, 404)
    assert "root:" not in response.text and "create_app" not in response.text


def test_static_files_are_served_from_the_package_only(client):
    assert client.get("/static/vendor/cytoscape.min.js").status_code == 200
    assert client.get("/static/../serve/app.py").status_code == 404


def test_entity_page_truncated_sections_give_exact_totals(client, desk_db, monkeypatch):
    """Each list of the entity page holds at most `limit` entries, the first ones of the full list
    (with all their copies), and says how many there are in all; the page shows "N more"."""
    from watchdesk.store import entity_page
    from watchdesk.store.db import Store

    gid = _gid(desk_db, "Shamil Tsuneoka")
    first, copy = _doc_id(desk_db, "a_sample"), _doc_id(desk_db, "b_sample_copy")
    with Store(desk_db) as s:
        full = entity_page.entity(s, gid, limit=10_000)
        cut = entity_page.entity(s, gid, limit=1)
        members = s.conn.execute("SELECT count(*) FROM entities WHERE global_id = ?", (gid,)).fetchone()[0]
        names = s.conn.execute("SELECT count(DISTINCT m.text) FROM mentions m JOIN entities n ON n.id = m.entity_id"
                               " WHERE n.global_id = ?", (gid,)).fetchone()[0]
    assert (full["members_total"], len(full["members"]), cut["members"]) == (members, members, full["members"][:1])
    assert full["aliases_total"] == names > 1 and cut["aliases_total"] == names and len(cut["aliases"]) == 1
    keys = ("evidence", "quotes_by", "claims_by", "about", "relations", "events", "alias_evidence", "articles")
    truncated = []
    for key in keys:
        assert full[f"{key}_total"] == len(full[key]), key  # nothing cut: the total is the list's length
        assert cut[f"{key}_total"] == full[f"{key}_total"], key  # cut: the same exact total
        assert cut[key] == full[key][:1], key  # the first item, with its copies
        if len(full[key]) > 1:
            truncated.append(key)
    assert {"evidence", "events", "relations"} <= set(truncated)
    assert all([c["doc_id"] for c in cut[k][0]["copies"]] == [copy] and cut[k][0]["doc_id"] == first
               for k in ("evidence", "events", "relations"))
    for k in ("mentions", "mentions_with_copies", "stories", "documents"):
        assert cut[k] == full[k], k  # counts never depend on the limit
    assert [a["count"] for a in cut["aliases"]] == [full["aliases"][0]["count"]]

    # the page (its real route and template) with the entity's lists cut at one entry
    monkeypatch.setitem(entity_page.entity.__kwdefaults__, "limit", 1)
    html = client.get(f"/entity/{gid}").text
    n = full["evidence_total"]
    assert f"… {n - 1} more sentences not listed ({n} in all)." in html
    assert f"… {full['events_total'] - 1} more dated events not listed" in html
    co_cut = full["co_mentions_total"] > len(full["co_mentions"])  # co-mentions: 40 at most, whatever the limit
    assert html.count('<p class="small muted more">') == len(truncated) + 1 + co_cut  # + the names
    monkeypatch.undo()
    assert "more sentences not listed" not in client.get(f"/entity/{gid}").text


def test_entity_page_caps_the_copies_listed_per_item_and_counts_them_all(db, tmp_path):
    """A story in many copies: each item (and article, and where a name is first seen) lists the
    first COPIES_SHOWN other copies in copy order, counts every copy, and the page says "and N more"."""
    from watchdesk.pipeline import ingest
    from watchdesk.store import entity_page
    from watchdesk.store.db import Store

    inputs = tmp_path / "more"
    inputs.mkdir()
    text = SAMPLE.read_text(encoding="utf-8")
    for i in range(entity_page.COPIES_SHOWN + 1):  # with b_sample_copy: COPIES_SHOWN + 2 other copies
        (inputs / f"e_copy_{i}.txt").write_text(text + f"\nUpdated: editor's note number {i}.\n", encoding="utf-8")
    with Store(db) as store:
        assert not ingest([str(inputs)], store).errors
    gid, first = _gid(db, "Shamil Tsuneoka"), _doc_id(db, "a_sample")
    with Store(db) as s:
        e = entity_page.entity(s, gid)
        story = s.conn.execute("SELECT story_id FROM documents WHERE id = ?", (first,)).fetchone()[0]
        copies = [r[0] for r in s.conn.execute("SELECT id FROM documents WHERE story_id = ? ORDER BY published IS NULL,"
                                               " coalesce(published, ''), id", (story,))]
    others, shown = len(copies) - 1, copies[1:entity_page.COPIES_SHOWN + 1]
    assert copies[0] == first and others == entity_page.COPIES_SHOWN + 2
    assert (e["stories"], e["documents"]) == (1, len(copies))
    [article] = e["articles"]
    assert article["copies_total"] == others and [c["id"] for c in article["copies"]] == shown
    assert all(w["copies_total"] == others and [c["doc_id"] for c in w["copies"]] == shown
               for a in e["aliases"] for w in a["seen"])
    for key in ("events", "relations", "quotes_by", "claims_by", "evidence"):
        assert e[key], key
        for item in e[key]:
            assert item["doc_id"] == first and item["copies_total"] == others, (key, item)
            assert [c["doc_id"] for c in item["copies"]] == shown, (key, item)
    html = TestClient(_app(db), client=("127.0.0.1", 50000)).get(f"/entity/{gid}").text
    timeline = html.split('<ol class="timeline">', 1)[1].split("</ol>", 1)[0]
    rows = re.findall(r"<li>.*?</li>", timeline, re.S)
    assert rows and len(rows) == len(e["events"])
    for row in rows:
        assert f"also in {others} other copies: " in row and f"… and {others - entity_page.COPIES_SHOWN} more" in row
        assert [int(d) for d in re.findall(r'class="copy-link" href="/article/(\d+)#s-\d+"', row)] == shown
    assert f"+ {others} other copies: " in html and html.count(f"… and {others - entity_page.COPIES_SHOWN} more") > len(rows)
    api = TestClient(_app(db), client=("127.0.0.1", 50000)).get(f"/api/entities/{gid}").json()
    assert api["articles"][0]["copies_total"] == others and api["events"][0]["copies_total"] == others
