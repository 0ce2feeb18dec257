"""`watchdesk export --format {jsonl,csv,graphml,gexf,ftm}`, each read back with its consumer:
the csv module, networkx.read_graphml / read_gexf, and the followthemoney model."""
from __future__ import annotations

import csv
import json
import shutil
import zipfile
from pathlib import Path

import pytest
from click.testing import CliRunner

from watchdesk.cli import main

ROOT = Path(__file__).resolve().parents[1]
SAMPLE = ROOT / "src" / "watchdesk" / "data" / "sample" / "000_d34ae03e57f94ee3.txt"
BBC = ROOT.parent / "shared" / "data" / "bbc"
TABLES = ["documents", "entities", "mentions", "quotes", "claims", "quantities", "relations", "events"]


@pytest.fixture(scope="module")
def db(tmp_path_factory) -> Path:
    from watchdesk.pipeline import ingest
    from watchdesk.store.db import Store

    folder = tmp_path_factory.mktemp("exports")
    inputs = folder / "in"
    inputs.mkdir()
    shutil.copy(SAMPLE, inputs / "sample.txt")
    (inputs / "sample_copy.txt").write_text(SAMPLE.read_text(encoding="utf-8") + "\nEditor's note.\n",
                                            encoding="utf-8")
    if (BBC / "business" / "001.txt").exists():
        shutil.copy(BBC / "business" / "001.txt", inputs / "bbc.txt")
    path = folder / "x.db"
    with Store(path) as store:
        ingest([str(inputs)], store)
    return path


def run(*args: str) -> str:
    result = CliRunner().invoke(main, list(args), catch_exceptions=False)
    assert result.exit_code == 0, result.output
    return result.output


def _records(db: Path) -> list[dict]:
    return [json.loads(line) for line in run("export", "--db", str(db)).splitlines()]


def test_csv_folder_and_zip_read_back(db, tmp_path):
    records = _records(db)
    run("export", "--db", str(db), "--format", "csv", "--out", str(tmp_path / "tables"))
    run("export", "--db", str(db), "--format", "csv", "--out", str(tmp_path / "tables.zip"))
    with zipfile.ZipFile(tmp_path / "tables.zip") as z:
        assert sorted(z.namelist()) == sorted(f"{t}.csv" for t in TABLES)
        for t in TABLES:
            assert z.read(f"{t}.csv") == (tmp_path / "tables" / f"{t}.csv").read_bytes()
    read = {t: list(csv.DictReader(open(tmp_path / "tables" / f"{t}.csv", encoding="utf-8", newline="")))
            for t in TABLES}
    assert len(read["documents"]) == len(records)
    texts = {d["doc_id"]: d["text"] for d in read["documents"]}
    assert len(read["mentions"]) == sum(len(r["mentions"]) for r in records)
    for m in read["mentions"]:  # offsets survive the round trip (text with quotes, commas, newlines)
        assert texts[m["doc_id"]][int(m["start"]):int(m["end"])] == m["text"]
    assert len(read["quotes"]) == sum(len(r["quotes"]) for r in records) > 0
    assert len(read["claims"]) == sum(len(r["claims"]) for r in records) > 0
    assert len(read["relations"]) and len(read["events"]) and len(read["quantities"])
    entity_ids = {e["entity"] for e in read["entities"]}
    assert {m["entity"] for m in read["mentions"] if m["entity"]} <= entity_ids
    gelayev = next(e for e in read["entities"] if e["name"] == "Khamzat Gelayev")
    assert "Gelaev" in json.loads(gelayev["aliases"]) and int(gelayev["documents"]) == 2


@pytest.mark.parametrize("fmt", ["graphml", "gexf"])
def test_graph_reads_back_in_networkx(db, tmp_path, fmt):
    import networkx as nx

    out = tmp_path / f"graph.{fmt}"
    run("export", "--db", str(db), "--format", fmt, "--out", str(out))
    g = nx.read_graphml(out) if fmt == "graphml" else nx.read_gexf(out)
    from watchdesk.store.db import Store

    with Store(db) as s:
        n_global = s.conn.execute("SELECT count(*) FROM global_entities").fetchone()[0]
        gid = s.global_ids_for("Khamzat Gelayev")[0]
        isis = s.global_ids_for("ISIS")[0]
    assert g.number_of_nodes() == n_global and g.number_of_edges() > 0
    node = g.nodes[gid]
    assert node["label"] == "Khamzat Gelayev" and node.get("type") == "PERSON"
    # co-mentioned in two copies of one story: weight 1 (once per story, not per copy)
    assert int(g.edges[gid, isis]["weight"]) == 1
    assert any(d.get("relations") for _, _, d in g.edges(data=True))


def test_ftm_entities_are_valid(db, tmp_path):
    from followthemoney import model

    out = tmp_path / "entities.ftm.json"
    run("export", "--db", str(db), "--format", "ftm", "--out", str(out))
    proxies = {}
    for line in out.read_text(encoding="utf-8").splitlines():
        data = json.loads(line)
        proxy = model.get_proxy(data, cleaned=False)  # cleans every value by its property type
        assert proxy.id and proxy.id not in proxies
        assert proxy.schema.validate(data) is None, (data["schema"], proxy.schema.validate(data))
        assert proxy.to_dict()["properties"] == data["properties"]  # nothing was dropped as invalid
        proxies[proxy.id] = proxy
    by_schema: dict[str, list] = {}
    for p in proxies.values():
        by_schema.setdefault(p.schema.name, []).append(p)
    assert {"Article", "Person", "Organization", "Mention", "Documentation", "Event"} <= set(by_schema)
    for p in proxies.values():  # every entity reference points at an exported entity of a fitting schema
        for prop, value in p.itervalues():
            if prop.type.name == "entity":
                assert value in proxies, (p.schema.name, prop.name)
                assert proxies[value].schema.is_a(prop.range), (prop.name, proxies[value].schema.name)
    gelayev = next(p for p in by_schema["Person"] if "Khamzat Gelayev" in p.get("name"))
    assert "Gelaev" in gelayev.get("alias")
    article = next(p for p in by_schema["Article"] if "Syrian Jihad" in p.first("title"))
    assert "Tsuneoka" in article.first("bodyText") and article.get("author") == ["Fatima Tlisova"]


def test_jsonl_still_default(db):
    records = _records(db)
    assert records and all("story" in r for r in records)
