"""Fixtures: the repository's built plugin libraries, found from this file's place (not
from the caller's environment or working folder)."""

from __future__ import annotations

import os
import pathlib

import pytest

ROOT = pathlib.Path(__file__).resolve().parents[2]
# `cargo build --workspace` (scripts/test.sh does it first) puts the plugins here.
PLUGINS = ROOT / "target" / "debug"
MISBEHAVE = PLUGINS / "libtest_misbehave.so"


@pytest.fixture(autouse=True)
def plugin_path(monkeypatch):
    """Every test sees the repository's plugins, and no plugin path of the caller's."""
    if not (PLUGINS / "libmoulin_normalize.so").exists():
        pytest.fail(f"no plugin libraries in {PLUGINS}: run `cargo build --workspace` first")
    monkeypatch.setenv("MOULIN_PLUGIN_PATH", str(PLUGINS))
    return PLUGINS


@pytest.fixture
def root():
    return ROOT
