"""Analyst judgements through the CLI: merge, separate, split, reject, list, undo; replayed by later runs."""
from __future__ import annotations

import json

import pytest
from click.testing import CliRunner

from watchdesk.cli import main

DOCS = {
    "a.txt": "Maria Lopez, the mayor of Valencia, met union leaders on Monday.\n\n"
             "Lopez said the strike would end soon. The union, led by Jorge Ramos, agreed to talks.",
    "b.txt": "The mayor of Valencia, Maria Lopez, announced a new budget on Friday.\n\n"
             "Lopez told reporters that Ramos had accepted the offer.",
    "c.txt": "Carlos Lopez won the regional cycling race in Seville on Sunday.\n\n"
             "Lopez thanked his team and his coach, Ana Torres.",
}


def run(*args: str):
    result = CliRunner().invoke(main, list(args), catch_exceptions=False)
    return result


def entity_ids(db: str, name: str) -> list[str]:
    out = run("entity", name, "--db", db, "--json")
    return [p["id"] for p in json.loads(out.stdout)]


@pytest.fixture()
def db(tmp_path):
    folder = tmp_path / "in"
    folder.mkdir()
    for name, text in DOCS.items():
        (folder / name).write_text(text, encoding="utf-8")
    path = str(tmp_path / "desk.db")
    assert run("ingest", str(folder), "--db", path, "-q").exit_code == 0
    return path


def test_resolution_links_across_documents_without_merging_different_people(db):
    [maria] = entity_ids(db, "Maria Lopez")
    [carlos] = entity_ids(db, "Carlos Lopez")
    assert maria != carlos
    profile = json.loads(run("entity", "Maria Lopez", "--db", db, "--json").stdout)[0]
    assert len(profile["documents"]) == 2


def test_merge_then_undo(db):
    [ramos] = entity_ids(db, "Jorge Ramos")
    [torres] = entity_ids(db, "Ana Torres")
    merged = run("merge", "Jorge Ramos", "Ana Torres", "--db", db, "--note", "test")
    assert merged.exit_code == 0 and "recorded merge" in merged.stdout
    assert entity_ids(db, "Jorge Ramos") == entity_ids(db, "Ana Torres")
    listing = run("judgements", "--db", db).stdout
    assert "merge" in listing and "test" in listing
    undone = run("undo", "--db", db)
    assert undone.exit_code == 0 and "undid" in undone.stdout
    assert entity_ids(db, "Jorge Ramos") != entity_ids(db, "Ana Torres")
    assert run("judgements", "--db", db).stdout.strip() == "no judgements"
    assert "undone" in run("judgements", "--db", db, "--all").stdout
    assert run("undo", "--db", db).exit_code != 0  # nothing left to undo: a clear error


def test_negative_judgement_survives_new_documents_and_full_rebuild(db, tmp_path):
    from watchdesk.resolve.run import rebuild
    from watchdesk.store.db import Store

    first = entity_ids(db, "Maria Lopez")
    assert len(first) == 1
    # The analyst says the mayor in a.txt and the one in b.txt are different people.
    with Store(db) as store:
        members = store.members_of(first[0])
    docs_of = sorted({m.split("#")[0] for m in members})
    assert len(docs_of) == 2
    a = next(m for m in members if m.startswith(docs_of[0] + "#"))
    b = next(m for m in members if m.startswith(docs_of[1] + "#"))
    from watchdesk.resolve.run import judge

    with Store(db) as store:
        judge(store, "separate", a, b)
    assert len(entity_ids(db, "Maria Lopez")) == 2
    # A new article that would tie them together does not override the judgement ...
    extra = tmp_path / "more"
    extra.mkdir()
    (extra / "d.txt").write_text("Maria Lopez, mayor of Valencia, opened the new library. Lopez spoke briefly.",
                                 encoding="utf-8")
    assert run("ingest", str(extra), "--db", db, "-q").exit_code == 0
    with Store(db) as store:
        ga = store.conn.execute("SELECT global_id FROM entities WHERE doc_id = ? AND local_id = ?",
                                (int(a.split("#")[0]), a.split("#")[1])).fetchone()[0]
        gb = store.conn.execute("SELECT global_id FROM entities WHERE doc_id = ? AND local_id = ?",
                                (int(b.split("#")[0]), b.split("#")[1])).fetchone()[0]
        assert ga != gb
        # ... nor does re-resolving everything from scratch.
        rebuild(store)
        ga2 = store.conn.execute("SELECT global_id FROM entities WHERE doc_id = ? AND local_id = ?",
                                 (int(a.split("#")[0]), a.split("#")[1])).fetchone()[0]
        gb2 = store.conn.execute("SELECT global_id FROM entities WHERE doc_id = ? AND local_id = ?",
                                 (int(b.split("#")[0]), b.split("#")[1])).fetchone()[0]
        assert ga2 != gb2
    # A positive judgement contradicting it is refused with a clear message.
    refused = CliRunner().invoke(main, ["merge", f"{a.split('#')[0]}:0-11", f"{b.split('#')[0]}:23-34", "--db", db])
    assert refused.exit_code != 0 and "contradicts" in refused.output


def test_reject_name_and_split_alias(db):
    assert run("reject", "Valencia", "--db", db).exit_code == 0
    export = [json.loads(line) for line in run("export", "--db", db).stdout.splitlines()]
    valencia = [m for d in export for m in d["mentions"] if m["text"] == "Valencia"]
    assert valencia and all(not (m["entity"] or "").startswith("G") for m in valencia)
    [maria] = entity_ids(db, "Maria Lopez")
    before = json.loads(run("entity", "Maria Lopez", "--db", db, "--json").stdout)[0]
    assert before["aliases"].get("Lopez", 0) >= 2
    assert run("split", "Maria Lopez", "Lopez", "--db", db).exit_code == 0
    after = json.loads(run("entity", "Maria Lopez", "--db", db, "--json").stdout)[0]
    assert after["id"] == maria and "Lopez" not in after["aliases"]
    assert after["mentions"] == before["mentions"] - before["aliases"]["Lopez"]
    export = [json.loads(line) for line in run("export", "--db", db).stdout.splitlines()]
    lone = [m for d in export for m in d["mentions"] if m["text"] == "Lopez"]
    assert lone and all(m["entity"] != maria for m in lone)
    assert [j.split()[2] for j in run("judgements", "--db", db).stdout.splitlines()] == ["reject", "split"]


def test_judgements_survive_reingest(db, tmp_path):
    assert run("merge", "Jorge Ramos", "Ana Torres", "--db", db).exit_code == 0
    folder = tmp_path / "in"
    again = run("ingest", str(folder), "--db", db, "-q")
    assert "0 documents added, 3 unchanged" in again.stdout
    assert entity_ids(db, "Jorge Ramos") == entity_ids(db, "Ana Torres")
