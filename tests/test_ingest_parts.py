"""Bulk loading in parts (:data:`kg.store.bulk.PART_BYTES`, which bounds the loader's memory)
changes no quad and no count: the inputs of tests/test_ingest_unchanged.py, loaded a few kilobytes
at a time, give the quads of its fixture; on disk, the registry's counts and the report are those
of loading each file in one call."""

from __future__ import annotations

import gzip
from pathlib import Path
from typing import Any

import pytest

from kg import KnowledgeGraph
from kg.errors import IngestError
from kg.registry import sources
import kg.store.bulk as bulk
from kg.store.embedded import EmbeddedStore
from tests.test_ingest_unchanged import FIXTURE, produced

import generate  # noqa: E402  (benchmarks/generate.py, on the path test_ingest_unchanged gives)

SMALL = 4096
"""A part of a few dozen lines: every input of the fixture goes in many parts."""


def test_every_quad_as_before_when_loaded_in_parts(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    loads: list[int] = []
    feeders: list[bulk.Feeder] = []
    real, real_feeder = EmbeddedStore.bulk_load, EmbeddedStore.feeder

    def counted(self: EmbeddedStore, path: Path, graph: str) -> None:
        loads.append(path.stat().st_size)
        real(self, path, graph)

    def kept(self: EmbeddedStore, *args: Any) -> bulk.Feeder:
        feeders.append(real_feeder(self, *args))
        return feeders[-1]

    monkeypatch.setattr(bulk, "PART_BYTES", SMALL)
    monkeypatch.setattr(EmbeddedStore, "bulk_load", counted)
    monkeypatch.setattr(EmbeddedStore, "feeder", kept)
    expected = gzip.decompress(FIXTURE.read_bytes()).decode("utf-8").splitlines()
    got = produced(tmp_path)
    assert max(f.parts for f in feeders) > 100  # the big inputs went in parts, while they were read
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


def test_a_file_with_blank_nodes_goes_whole(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    """Blank node labels hold within one call of the loader: once a part has one, what was loaded
    while the file was read is taken out again, and the file goes in one call."""
    lines = [f"<http://e/s{i}> <http://e/p> _:b{i % 7} ." for i in range(3000)]
    lines += [f'_:b{k} <http://e/q> "{k}" .' for k in range(7)]
    lines.insert(0, "<http://e/first> <http://e/p> <http://e/o> .")  # (the first part has no blank node)
    (tmp_path / "blank.nt").write_text("\n".join(lines) + "\n")
    monkeypatch.setattr(bulk, "PART_BYTES", SMALL)
    with KnowledgeGraph.open(tmp_path / "store") as graph:
        graph.ingest([tmp_path / "blank.nt"])
        [info] = sources(graph)
        quads = list(graph.store.raw.quads_for_pattern(None, None, None, None))
        blanks = {q.object for q in quads if q.graph_name.value == info.graph and q.predicate.value == "http://e/p"}
        named = {q.subject for q in quads if q.predicate.value == "http://e/q"}
        assert len(blanks) == 8 and len(named) == 7 and named < blanks  # one node per label, in both triples
        assert info.triples == 3008 and graph.store.graph_names().count(info.graph) == 1


def test_a_big_file_rejected_at_its_end_leaves_the_store_as_it_was(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    """Parts of a new file are loaded while it is read; a bad row at its end takes them out again,
    and a store this ingest would have created is not left behind."""
    table = generate.write(tmp_path / "films.csv", 1500, seed=3)
    bad = tmp_path / "bad.csv"
    bad.write_text(table.read_text(encoding="utf-8") + "Sean Baker,directd,Anora" + "," * 11 + "\n", encoding="utf-8")
    monkeypatch.setattr(bulk, "PART_BYTES", SMALL)
    with pytest.raises(IngestError, match="directd"):
        with KnowledgeGraph.open(tmp_path / "new") as graph:
            graph.ingest([bad])
    assert not (tmp_path / "new").exists()
    small = tmp_path / "small.csv"
    small.write_text("subject,predicate,object\nSean Baker,directed,Anora\n", encoding="utf-8")
    with KnowledgeGraph.open(tmp_path / "old") as graph:
        graph.ingest([small])
        before = sorted(str(q) for q in graph.store.raw.quads_for_pattern(None, None, None, None))
        names = graph.store.graph_names()
        with pytest.raises(IngestError, match="directd"):
            graph.ingest([bad])
        assert sorted(str(q) for q in graph.store.raw.quads_for_pattern(None, None, None, None)) == before
        assert graph.store.graph_names() == names


def test_a_rejected_ingest_keeps_no_hold_on_the_store(tmp_path: Path) -> None:
    """The error of a rejected file must not keep the store open in this process (its frames are in a
    reference cycle until the collector runs): the next command opens the store at once."""
    import gc

    from cli_helpers import cli, cli_fails

    store, bad = tmp_path / "store", tmp_path / "bad.csv"
    bad.write_text("subject,predicate,object\nSean Baker,directd,Anora\n", encoding="utf-8")
    good = generate.write(tmp_path / "films.csv", 50, seed=2)
    cli(store, "ingest", good)
    gc.disable()
    try:
        assert cli_fails(store, "ingest", bad).exit_code == 3
        assert "1 file (1 unchanged)" in cli(store, "ingest", good).stdout
    finally:
        gc.enable()


def test_a_disk_that_fills_while_a_part_loads_is_a_clear_error_and_the_store_as_it_was(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """The loader thread's failure reaches the command as a store error (exit 4, what to do), and the
    parts loaded before it are taken out again: the store answers as before."""
    import errno
    import gc

    from cli_helpers import cli, cli_fails

    real_feeder = EmbeddedStore.feeder

    def failing(self: EmbeddedStore, *args: Any) -> bulk.Feeder:
        fed = real_feeder(self, *args)
        load = fed._load
        assert load is not None

        def second_fails(part: bytes) -> None:
            if fed.parts >= 1:
                raise OSError(errno.ENOSPC, "No space left on device")
            load(part)

        fed._load = second_fails
        return fed

    store = tmp_path / "store"
    small = tmp_path / "small.csv"
    small.write_text("subject,predicate,object\nSean Baker,directed,Anora\n", encoding="utf-8")
    cli(store, "ingest", small)
    before = _all_quads(store)
    table = generate.write(tmp_path / "films.csv", 1500, seed=4)
    monkeypatch.setattr(bulk, "PART_BYTES", SMALL)
    monkeypatch.setattr(EmbeddedStore, "feeder", failing)
    gc.disable()  # (the store must be let go of at once, not when the collector runs)
    try:
        run = cli_fails(store, "ingest", table)
        assert run.exit_code == 4 and "disk" in run.stderr and "full" in run.stderr
        monkeypatch.undo()
        assert _all_quads(store) == before
    finally:
        gc.enable()
    assert "small.csv" in cli(store, "sources").stdout and "films.csv" not in cli(store, "sources").stdout


def _all_quads(store: Path) -> list[str]:
    with KnowledgeGraph.open(store) as graph:
        return sorted(str(q) for q in graph.store.raw.quads_for_pattern(None, None, None, None))
