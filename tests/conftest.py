"""Shared fixtures: real stores on disk and in memory, and the sample data."""

from __future__ import annotations

import shutil
from collections.abc import Iterator
from pathlib import Path

import pytest

from kg import KnowledgeGraph

ROOT = Path(__file__).resolve().parent.parent
DATA = Path(__file__).resolve().parent / "data"


@pytest.fixture
def tiny_csv(tmp_path: Path) -> Path:
    """A copy of tests/data/tiny.csv in a temporary folder (safe to edit)."""
    target = tmp_path / "tiny.csv"
    shutil.copy(DATA / "tiny.csv", target)
    return target


@pytest.fixture
def tiny_kg(tiny_csv: Path) -> KnowledgeGraph:
    """An in-memory knowledge graph loaded from tests/data/tiny.csv."""
    graph = KnowledgeGraph.memory()
    graph.ingest(tiny_csv)
    return graph


@pytest.fixture
def kg_path(tmp_path: Path) -> Path:
    """A store folder on disk under tmp_path (not yet created)."""
    return tmp_path / "store"


@pytest.fixture
def anora_csv(tmp_path: Path) -> Path:
    """A copy of the shipped data/anora/anora.csv."""
    target = tmp_path / "anora.csv"
    shutil.copy(ROOT / "data" / "anora" / "anora.csv", target)
    return target


@pytest.fixture
def anora_kg(anora_csv: Path, kg_path: Path) -> Iterator[KnowledgeGraph]:
    """A store on disk loaded from the shipped Anora data."""
    with KnowledgeGraph.open(kg_path) as graph:
        graph.ingest(anora_csv)
        yield graph
