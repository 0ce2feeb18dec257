"""Watchdesk: evidence-linked knowledge graph from noisy news articles."""

__version__ = "0.1.0"
