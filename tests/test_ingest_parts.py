"""Bulk loading in parts (:data:`kg.store.bulk.PART_BYTES`, which bounds the loader's memory)
changes no quad and no count: the inputs of tests/test_ingest_unchanged.py, loaded a few kilobytes
at a time, give the quads of its fixture; on disk, the registry's counts and the report are those
of loading each file in one call."""

from __future__ import annotations

import gzip
from pathlib import Path

import pytest

from kg import KnowledgeGraph
from kg.registry import sources
import kg.store.bulk as bulk
from kg.store.embedded import EmbeddedStore
from tests.test_ingest_unchanged import FIXTURE, produced

import generate  # noqa: E402  (benchmarks/generate.py, on the path test_ingest_unchanged gives)

SMALL = 4096
"""A part of a few dozen lines: every input of the fixture goes in many parts."""


def test_every_quad_as_before_when_loaded_in_parts(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    loads: list[int] = []
    real = EmbeddedStore.bulk_load

    def counted(self: EmbeddedStore, path: Path, graph: str) -> None:
        loads.append(path.stat().st_size)
        real(self, path, graph)

    monkeypatch.setattr(bulk, "PART_BYTES", SMALL)
    monkeypatch.setattr(EmbeddedStore, "bulk_load", counted)
    expected = gzip.decompress(FIXTURE.read_bytes()).decode("utf-8").splitlines()
    got = produced(tmp_path)
    assert max(loads) > 100 * SMALL  # the big inputs went in parts
    missing, extra = sorted(set(expected) - set(got)), sorted(set(got) - set(expected))
    assert not missing and not extra, f"{len(missing)} missing, e.g. {missing[:3]}; {len(extra)} new, e.g. {extra[:3]}"
    assert got == expected


def _file_quads(graph: KnowledgeGraph) -> list[str]:
    """The quads of the files' graphs (the graph named by the file's content: the same in both stores)."""
    files = {info.graph for info in sources(graph)}
    return sorted(str(q) for q in graph.store.raw.quads_for_pattern(None, None, None, None) if q.graph_name.value in files)


def test_parts_on_disk_give_the_counts_of_one_load(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    table = generate.write(tmp_path / "films.csv", 2000, seed=5)
    with KnowledgeGraph.open(tmp_path / "whole") as graph:
        whole = graph.ingest([table])
        whole_sources = [(i.triples, i.statements, i.rows) for i in sources(graph)]
        whole_quads = _file_quads(graph)
    monkeypatch.setattr(bulk, "PART_BYTES", SMALL)
    with KnowledgeGraph.open(tmp_path / "parts") as graph:
        parts = graph.ingest([table])
        assert [(i.triples, i.statements, i.rows) for i in sources(graph)] == whole_sources
        assert _file_quads(graph) == whole_quads
    assert whole.files[0].triples > 10_000 and whole.files[0].statements == 2000
    assert (parts.triples, parts.statements, parts.summary()) == (whole.triples, whole.statements, whole.summary())
