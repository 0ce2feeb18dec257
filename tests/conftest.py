"""Shared fixtures: the bundled sample, the shared dev data (skipped when absent), the real model."""
from __future__ import annotations

from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[1]
SHARED = ROOT.parent / "shared"
SAMPLE = ROOT / "src" / "watchdesk" / "data" / "sample" / "000_d34ae03e57f94ee3.txt"


@pytest.fixture(scope="session")
def sample_path() -> Path:
    return SAMPLE


@pytest.fixture(scope="session")
def shared() -> Path:
    if not SHARED.is_dir():
        pytest.skip("../shared (development data) is not present")
    return SHARED


@pytest.fixture(scope="session")
def nlp():
    from watchdesk.extract.nlp import load_nlp

    return load_nlp()
