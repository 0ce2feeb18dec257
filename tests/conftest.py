"""Shared fixtures: the bundled sample, the shared dev data (skipped when absent), the real model."""
from __future__ import annotations

from pathlib import Path

import os

import pytest
from hypothesis import settings

# Property tests run the same examples on every run (a failure reproduces and CI cannot flake);
# HYPOTHESIS_PROFILE=explore draws fresh random examples to look for new counterexamples.
settings.register_profile("repeatable", derandomize=True, database=None)
settings.register_profile("explore", derandomize=False)
settings.load_profile(os.environ.get("HYPOTHESIS_PROFILE", "repeatable"))

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
