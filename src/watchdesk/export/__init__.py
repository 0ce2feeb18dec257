"""Exporters: the store as CSV tables, an entity graph (GraphML, GEXF) and FollowTheMoney entities.

Every exporter reads through ``Store.export_records`` (documents in the public JSON schema with
global entity ids) or ``watchdesk.store.views`` (the graph); none writes SQL.
"""
from __future__ import annotations

FORMATS = ("jsonl", "csv", "graphml", "gexf", "ftm")
