"""`ingest --engine dask` on a real LocalCluster (2 worker processes), then `load`: the store
holds what a local ingest of the same inputs holds (export records compared)."""
from __future__ import annotations

import json

import pyarrow.parquet as pq
import pytest
from click.testing import CliRunner
from distributed import Client, LocalCluster

from watchdesk.cli import main
from watchdesk.distributed import document_from_dict, document_to_dict

from test_parallel import make_corpus


def run(*args: str):
    return CliRunner().invoke(main, list(args), catch_exceptions=False)


def export(db) -> list[dict]:
    result = run("export", "--db", str(db))
    assert result.exit_code == 0
    return [json.loads(line) for line in result.output.splitlines()]


def _models_loaded() -> int:
    from watchdesk.extract.nlp import _load

    return _load.cache_info().currsize


@pytest.fixture(scope="module")
def cluster():
    with LocalCluster(n_workers=2, threads_per_worker=1, processes=True, dashboard_address=None) as c:
        yield c


def test_cluster_shards_load_like_a_local_ingest(tmp_path, sample_path, cluster):
    corpus = make_corpus(tmp_path, sample_path)
    local, merged, shards = tmp_path / "local.db", tmp_path / "merged.db", tmp_path / "shards"
    assert run("ingest", str(corpus), "--db", str(local), "-q").exit_code == 1  # binary file, blank line
    from watchdesk import distributed

    distributed.SHARD_SIZE, saved = 3, distributed.SHARD_SIZE  # several shards over 2 workers
    try:
        result = run("ingest", "--engine", "dask", "--scheduler", cluster.scheduler_address,
                     "--out", str(shards), str(corpus))
    finally:
        distributed.SHARD_SIZE = saved
    assert result.exit_code == 0, result.output
    files = sorted(shards.glob("*.parquet"))
    assert len(files) == 3  # 7 single-document files in shards of 3; the JSONL read in order with them
    table = pq.read_table(files[0])
    assert {"seq", "kind", "source", "document", "sig_hash", "sig_lead"} <= set(table.column_names)
    # the plugin loaded the model once in each of the 2 workers (cached: one pipeline each)
    with Client(cluster) as client:
        cached = client.run(_models_loaded)
    assert list(cached.values()) == [1, 1]
    loaded = run("load", str(shards), "--db", str(merged), "-q")
    assert loaded.exit_code == 1  # the same two inputs fail, reported by load
    assert "broken.txt" in loaded.stderr
    records = export(local)
    assert len(records) == 6
    assert export(merged) == records


def test_document_json_round_trip(nlp, sample_path):
    from watchdesk.pipeline import extract
    from watchdesk.read.readers import read_inputs

    (doc,) = list(extract(read_inputs([str(sample_path)]), nlp))
    assert doc.quotes or doc.claims or doc.relations  # the round trip covers nested spans
    again = document_from_dict(json.loads(json.dumps(document_to_dict(doc))))
    assert again == doc
