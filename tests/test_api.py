"""The JSON API under /api/: shape checks, and schemathesis against the OpenAPI schema FastAPI
generates (bounded examples, in-process through the ASGI app)."""
from __future__ import annotations

import shutil
from pathlib import Path

import pytest

schemathesis = pytest.importorskip("schemathesis")
from fastapi.testclient import TestClient  # noqa: E402
from hypothesis import HealthCheck, settings  # noqa: E402

ROOT = Path(__file__).resolve().parents[1]
SAMPLE = ROOT / "src" / "watchdesk" / "data" / "sample" / "000_d34ae03e57f94ee3.txt"
BBC = ROOT.parent / "shared" / "data" / "bbc"


@pytest.fixture(scope="module")
def api_db(tmp_path_factory) -> Path:
    from watchdesk.pipeline import ingest
    from watchdesk.store.db import Store

    folder = tmp_path_factory.mktemp("api")
    inputs = folder / "in"
    inputs.mkdir()
    shutil.copy(SAMPLE, inputs / "sample.txt")
    (inputs / "sample_copy.txt").write_text(SAMPLE.read_text(encoding="utf-8") + "\nEditor's note.\n",
                                            encoding="utf-8")
    if (BBC / "politics" / "002.txt").exists():
        shutil.copy(BBC / "politics" / "002.txt", inputs / "bbc.txt")
    db = folder / "api.db"
    with Store(db) as store:
        ingest([str(inputs)], store)
    return db


@pytest.fixture(scope="module")
def app(api_db):
    from watchdesk.serve.app import create_app

    return create_app(api_db)


@pytest.fixture(scope="module")
def client(app):
    return TestClient(app)


def test_openapi_lists_every_endpoint(client):
    paths = client.get("/openapi.json").json()["paths"]
    for path in ["/api/articles", "/api/articles/{doc_id}", "/api/entities", "/api/entities/{entity_id}",
                 "/api/search", "/api/graph", "/api/claims", "/api/stories"]:
        assert path in paths
    assert not any(p.startswith("/curate") for p in paths)  # forms are not part of the API


def test_pagination_and_lookups(client):
    first = client.get("/api/articles", params={"limit": 1}).json()
    second = client.get("/api/articles", params={"limit": 1, "offset": 1}).json()
    assert first["total"] >= 2 and first["items"][0]["id"] != second["items"][0]["id"]
    assert client.get("/api/articles", params={"limit": 0}).status_code == 422
    entities = client.get("/api/entities", params={"type": "PERSON", "limit": 5}).json()
    assert entities["items"] and all(e["label"] == "PERSON" for e in entities["items"])
    hit = client.get("/api/search", params={"q": "Gelaev"}).json()
    gelayev = next(e for e in hit["entities"] if e["name"] == "Khamzat Gelayev")
    assert "«Gelaev»" in hit["articles"][0]["snippet"]
    entity = client.get(f"/api/entities/{gelayev['id']}").json()
    assert entity["name"] == "Khamzat Gelayev" and {"Gelaev", "Gelayev"} <= {a["alias"] for a in entity["aliases"]}
    assert client.get("/api/entities/Gelaev").json()["id"] == gelayev["id"]
    article = client.get(f"/api/articles/{entity['articles'][0]['id']}").json()
    assert all(article["text"][m["start"]:m["end"]] == m["text"] for m in article["mentions"])
    assert article["copies"]  # the edited copy is the same story
    graph = client.get("/api/graph", params={"center": gelayev["id"]}).json()
    ids = {n["id"] for n in graph["nodes"]}
    assert gelayev["id"] in ids and all(e["source"] in ids and e["target"] in ids for e in graph["edges"])
    assert all(e["weight"] == 1 for e in graph["edges"] if not e["relations"])  # two copies, one story
    stories = client.get("/api/stories").json()
    assert stories["total"] == 1 and len(stories["items"][0]["copies"]) == 2
    claims = client.get("/api/claims").json()
    assert any(g["counts"] == "fighter" for g in claims)
    assert client.get("/api/articles/999999").status_code == 404


def test_entity_and_claims_count_copies_of_a_story_once(client):
    """sample.txt and sample_copy.txt are one story: the API lists each item once, from the first
    copy, with the other copy's evidence sentence."""
    e = client.get("/api/entities/Tsuneoka").json()
    assert (e["stories"], e["documents"]) == (1, 2) and e["mentions_with_copies"] == 2 * e["mentions"]
    assert len(e["articles"]) == 1 and len(e["articles"][0]["copies"]) == 1
    first, copy = e["articles"][0]["id"], e["articles"][0]["copies"][0]["id"]
    for key in ("events", "relations", "quotes_by", "claims_by", "evidence"):
        assert e[key] and all(x["doc_id"] == first and [c["doc_id"] for c in x["copies"]] == [copy]
                              for x in e[key]), key
    starts = {s["start"] for s in client.get(f"/api/articles/{copy}").json()["sentences"]}
    assert all(x["copies"][0]["anchor"] in starts for x in e["events"])
    figures = [f for g in client.get("/api/claims").json() for f in g["figures"]]
    sample = [f for f in figures if f["doc_id"] == first]
    assert sample and all(f["anchor"] is not None and f["anchor"] <= f["start"] for f in sample)
    assert all([c["doc_id"] for c in f["copies"]] == [copy] for f in sample)


def test_graph_says_what_it_chose_and_hides(client):
    auto = client.get("/api/graph", params={"max_nodes": 30}).json()
    assert auto["auto"] and auto["shown"]["edges"] == len(auto["edges"]) <= 90 < auto["total"]["edges"]
    every = client.get("/api/graph", params={"min_weight": 1, "max_nodes": 500}).json()
    assert not every["auto"] and every["shown"] == every["total"] == {"nodes": len(every["nodes"]),
                                                                      "edges": len(every["edges"])}
    few = client.get("/api/graph", params={"max_nodes": 30, "max_edges": 10}).json()
    assert len(few["edges"]) <= 10


# schemathesis' own pytest plugin (from_fixture / parametrize) does not run under pytest 9 (it reads
# Function._nodeid), so each operation of the schema is driven through Hypothesis directly.
def test_api_conforms_to_its_schema(app):
    from hypothesis import given

    schema = schemathesis.openapi.from_asgi("/openapi.json", app)
    operations = [result.ok() for result in schema.get_all_operations()]
    assert len(operations) == 8
    for operation in operations:
        @given(case=operation.as_strategy())
        @settings(max_examples=12, deadline=None, derandomize=True, database=None,
                  suppress_health_check=list(HealthCheck))
        def check(case):
            case.call_and_validate()

        check()


def test_entity_lists_say_their_totals(client):
    """Every list of /api/entities/{id} comes with its full count; nothing is cut in this small store."""
    e = client.get("/api/entities/Tsuneoka").json()
    for key in ("members", "aliases", "alias_evidence", "articles", "evidence", "quotes_by", "claims_by", "about",
                "relations", "events"):
        assert e[f"{key}_total"] == len(e[key]), key
    assert e["articles_total"] == e["stories"] == 1 and e["evidence_total"] > 1
    assert e["co_mentions_total"] >= len(e["co_mentions"]) > 0
    assert all(a["documents_total"] == len(a["documents"]) == 2 for a in e["aliases"])  # both copies
