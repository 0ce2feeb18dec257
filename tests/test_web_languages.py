"""The desk with articles in several languages, in a real headless Chromium (Debian's, via Playwright).

A Russian article (the bundled demo sample), a Russian rendering of part of the English sample
with the matching English paragraphs (one story in two languages), and a German article that no
pipeline analyses: the article page says its language, inflected Russian search finds and
highlights the original word, the entity page lists names by script, the stories page shows
the copies' languages, and the German article is listed as not analysed.
"""
from __future__ import annotations

import shutil
import threading
import time
from pathlib import Path

import pytest

from tests.test_web import CHROMIUM, CHROMIUM_ARGS, _free_port, shot

ROOT = Path(__file__).resolve().parents[1]
RU_SAMPLE = ROOT / "src" / "watchdesk" / "data" / "sample" / "001_ru_vozvrashchentsy.txt"
XLING = ROOT / "tests" / "data" / "xling"
DE = ("Das Verteidigungsministerium teilte am Dienstag mit, dass nach dem Angriff etwa 300 Soldaten "
      "in die Grenzregion geschickt worden seien und weitere folgen könnten.")


@pytest.fixture(scope="module")
def live(tmp_path_factory):
    import uvicorn

    from watchdesk.pipeline import ingest
    from watchdesk.serve.app import create_app
    from watchdesk.store.db import Store

    folder = tmp_path_factory.mktemp("desk-languages")
    inputs = folder / "in"
    inputs.mkdir()
    shutil.copy(RU_SAMPLE, inputs / "a_ru.txt")
    shutil.copy(XLING / "sample_ru.txt", inputs / "b_sample_ru.txt")
    shutil.copy(XLING / "sample_en.txt", inputs / "c_sample_en.txt")
    (inputs / "d_de.txt").write_text(DE, encoding="utf-8")
    db = folder / "desk.db"
    with Store(db) as store:
        report = ingest([str(inputs)], store)
        ids = {r["doc_key"]: r["id"] for r in store.conn.execute("SELECT doc_key, id FROM documents")}
    assert not report.errors and report.languages == {"ru": 2, "en": 1, "de": 1}
    port = _free_port()
    server = uvicorn.Server(uvicorn.Config(create_app(db, allowed_hosts=["127.0.0.1"]), host="127.0.0.1",
                                           port=port, log_level="warning"))
    thread = threading.Thread(target=server.run, daemon=True)
    thread.start()
    deadline = time.time() + 20
    while not server.started and time.time() < deadline:
        time.sleep(0.05)
    assert server.started
    yield f"http://127.0.0.1:{port}", ids
    server.should_exit = True
    thread.join(10)


@pytest.fixture(scope="module")
def page(tmp_path_factory):
    if not CHROMIUM.exists():
        pytest.skip("Debian's chromium is not installed (scripts/install_browser.sh)")
    sync_api = pytest.importorskip("playwright.sync_api")
    with sync_api.sync_playwright() as p:
        context = p.chromium.launch_persistent_context(
            str(tmp_path_factory.mktemp("chromium-profile")), executable_path=str(CHROMIUM), headless=True,
            args=CHROMIUM_ARGS, viewport={"width": 1400, "height": 1000})
        page = context.new_page()
        page.set_default_timeout(15000)
        yield page
        context.close()


def test_russian_article_search_entity_and_story_in_the_browser(live, page):
    base, ids = live
    page.goto(f"{base}/article/{ids['a_ru']}")
    assert page.locator("#language").inner_text().strip() == "ru"
    marked = page.locator("#article-text [data-entity]")
    assert marked.count() >= 8  # names found by the Russian pipeline, linked to their entities
    assert "Фарид Назаров" in page.locator("#article-text").inner_text()
    shot(page, "20_russian_article")

    page.goto(f"{base}/search?q=Назарова+реабилитация")  # inflected forms: "Назаров", "реабилитации"
    hits = page.locator(".hit, .result, li").filter(has_text="Возвращение из зоны конфликта")
    assert hits.count() >= 1
    assert page.locator("mark").count() >= 1 and "реабилитации" in page.locator("mark").all_inner_texts()
    shot(page, "21_russian_search")

    page.goto(f"{base}/search?q=Tsuneoka")  # Latin-script query, entity first met in Cyrillic
    page.locator("a[href^='/entity/']", has_text="Цунэока").first.click()
    body = page.locator("main").inner_text()
    assert "Latin" in body and "Cyrillic" in body and "Цунэока" in body
    shot(page, "22_entity_names_by_script")

    page.goto(f"{base}/stories")
    story = page.locator("main").inner_text()
    assert "in 2 languages (en, ru)" in story
    shot(page, "23_story_in_two_languages")


def test_unanalysed_article_says_so(live, page):
    base, ids = live
    page.goto(f"{base}/article/{ids['d_de']}")
    assert page.locator("#language").inner_text().strip() == "de · not analysed"
    assert "not analysed (no pipeline for de)" in page.locator("#not-analysed").inner_text()
    page.goto(f"{base}/search?q=Verteidigungsministerium")
    assert page.locator("main").inner_text().count("Verteidigungsministerium") >= 1
