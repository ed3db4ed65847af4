"""Ingested files ("sources"): the registry, dropping, replacing, orphan graphs and the ontology graph.

The registry tests run on a graph in memory and on a store on disk (the ``empty_kg``, ``tiny_graph``
and ``anora_graph`` fixtures of conftest.py); the tests about store folders themselves run on disk.
"""

from __future__ import annotations

import csv
import gc
import re
import shutil
from pathlib import Path
from typing import Any

import pyoxigraph as ox
import pytest

from kg import KnowledgeGraph, NotFoundError, StoreError
from kg.registry import SourceInfo, drop, find_source, sources
from kg.store import embedded
from kg.vocab import FILM, GENERATED_AT, GRAPH_PREFIX, ONTOLOGY_GRAPH, REGISTRY_GRAPH, RES

RDF_TYPE = "http://www.w3.org/1999/02/22-rdf-syntax-ns#type"
STATEMENT = "http://www.w3.org/1999/02/22-rdf-syntax-ns#Statement"


def _write(path: Path, *rows: str, header: str = "subject,predicate,object") -> Path:
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_text("\n".join([header, *rows]) + "\n", encoding="utf-8")
    return path


def _graph_quads(graph: KnowledgeGraph, name: str) -> set[ox.Quad]:
    return set(graph.store.raw.quads_for_pattern(None, None, None, ox.NamedNode(name)))


def _source_graphs(graph: KnowledgeGraph) -> set[str]:
    return {
        g.value for g in graph.store.raw.named_graphs() if isinstance(g, ox.NamedNode) and g.value.startswith(GRAPH_PREFIX)
    }


def _data_rows(path: Path) -> int:
    with path.open(encoding="utf-8") as stream:
        return sum(1 for _ in csv.DictReader(stream))


def _has(graph: KnowledgeGraph, s: str, p: str, o: str) -> bool:
    return graph.store.ask(f"ASK {{ <{RES}{s}> <{FILM}{p}> <{RES}{o}> }}")


def _ingest_on_disk(kg_path: Path, data: Path) -> list[SourceInfo]:
    """Ingest ``data`` into the store at ``kg_path`` and close it (its lock released); the sources it lists."""
    with KnowledgeGraph.open(kg_path) as graph:
        graph.ingest(data)
        return graph.sources()


def _add_raw(kg_path: Path, quad: ox.Quad | None = None, *, nt: Path | None = None, graph: ox.NamedNode | None = None) -> None:
    """Change the store at ``kg_path`` with pyoxigraph itself (not filmkg): add a quad, or bulk-load N-Triples."""
    raw = ox.Store(str(kg_path))
    if quad is not None:
        raw.add(quad)
    if nt is not None:
        raw.bulk_load(path=str(nt), format=ox.RdfFormat.N_TRIPLES, to_graph=graph)
    raw.flush()
    del raw
    gc.collect()


# ---------------------------------------------------------------------------------- listing


def test_no_sources_in_a_new_graph(empty_kg: KnowledgeGraph) -> None:
    assert sources(empty_kg) == []


def test_sources_lists_the_file_with_its_counts(tiny_graph: KnowledgeGraph, tiny_csv: Path) -> None:
    (info,) = sources(tiny_graph)
    assert isinstance(info, SourceInfo)
    assert info.name == "tiny.csv"
    assert info.path == str(tiny_csv.resolve())
    assert info.graph.startswith(GRAPH_PREFIX)
    assert re.fullmatch(r"[0-9a-f]{64}", info.content_hash)
    assert re.fullmatch(r"\d{4}-\d\d-\d\dT\d\d:\d\d:\d\dZ", info.ingested)
    assert info.rows == _data_rows(tiny_csv) == 14
    # 12 rows carry a source, a quote or a qualifier; the last two carry none
    assert info.statements == 12
    quads = _graph_quads(tiny_graph, info.graph)
    assert info.triples == len(quads)
    statements = {q.subject for q in quads if q.predicate.value == RDF_TYPE and q.object.value == STATEMENT}
    assert info.statements == len(statements)


def test_counts_match_the_graph_on_the_anora_data(empty_kg: KnowledgeGraph, anora_csv: Path) -> None:
    graph = empty_kg
    report = graph.ingest(anora_csv)
    (info,) = sources(graph)
    quads = _graph_quads(graph, info.graph)
    assert info.rows == _data_rows(anora_csv)
    assert info.triples == len(quads), "the triple count should be the number of triples in the source's graph"
    assert report.triples == info.triples


def test_sources_are_sorted_by_name(empty_kg: KnowledgeGraph, tmp_path: Path) -> None:
    graph = empty_kg
    graph.ingest(_write(tmp_path / "zeta.csv", "Sean Baker,directed,Anora"))
    graph.ingest(_write(tmp_path / "alpha.csv", "Brooke Candy,performed,Drip"))
    assert [s.name for s in sources(graph)] == ["alpha.csv", "zeta.csv"]
    assert graph.sources() == sources(graph)


def test_same_basename_in_different_folders_gets_distinct_names(empty_kg: KnowledgeGraph, tmp_path: Path) -> None:
    graph = empty_kg
    first = _write(tmp_path / "a" / "films.csv", "Sean Baker,directed,Anora")
    second = _write(tmp_path / "b" / "films.csv", "Brooke Candy,performed,Drip")
    graph.ingest(first)
    graph.ingest(second)
    listed = {s.name: s for s in sources(graph)}
    assert set(listed) == {"films.csv", "b/films.csv"}
    assert listed["films.csv"].path == str(first.resolve())
    assert listed["b/films.csv"].path == str(second.resolve())
    assert listed["films.csv"].graph != listed["b/films.csv"].graph
    assert _has(graph, "sean_baker", "directed", "anora") and _has(graph, "brooke_candy", "performed", "drip")


def test_same_basename_in_one_ingest(empty_kg: KnowledgeGraph, tmp_path: Path) -> None:
    graph = empty_kg
    first = _write(tmp_path / "a" / "films.csv", "Sean Baker,directed,Anora")
    second = _write(tmp_path / "b" / "films.csv", "Brooke Candy,performed,Drip")
    graph.ingest([first, second])
    names = [s.name for s in sources(graph)]
    assert len(names) == 2 and len(set(names)) == 2
    assert find_source(graph, names[0]).path != find_source(graph, names[1]).path


def test_same_basename_and_same_parent_name(empty_kg: KnowledgeGraph, tmp_path: Path) -> None:
    graph = empty_kg
    first = _write(tmp_path / "x" / "data" / "films.csv", "Sean Baker,directed,Anora")
    second = _write(tmp_path / "y" / "data" / "films.csv", "Brooke Candy,performed,Drip")
    third = _write(tmp_path / "z" / "data" / "films.csv", "Mikey Madison,acted-in,Anora")
    graph.ingest([first, second, third])
    names = [s.name for s in sources(graph)]
    assert len(set(names)) == 3


def test_reingest_keeps_the_name(empty_kg: KnowledgeGraph, tmp_path: Path) -> None:
    graph = empty_kg
    data = _write(tmp_path / "a" / "films.csv", "Sean Baker,directed,Anora")
    graph.ingest(data)
    graph.ingest(_write(tmp_path / "b" / "films.csv", "Brooke Candy,performed,Drip"))
    _write(data, "Sean Baker,wrote,Anora")
    graph.ingest(data)
    assert {s.name: s.path for s in sources(graph)}["films.csv"] == str(data.resolve())


# ------------------------------------------------------------------------------------- drop


def _two(graph: KnowledgeGraph, tmp_path: Path) -> tuple[KnowledgeGraph, Path, Path]:
    one = _write(tmp_path / "one.csv", "Sean Baker,directed,Anora")
    two = _write(tmp_path / "sub" / "two.csv", "Brooke Candy,performed,Drip,It's Drip by Brooke Candy.",
                 header="subject,predicate,object,quote")
    graph.ingest([one, two])
    return graph, one, two


def test_drop_removes_the_graph_and_the_registry_entry(empty_kg: KnowledgeGraph, tmp_path: Path) -> None:
    graph, _, _ = _two(empty_kg, tmp_path)
    target = find_source(graph, "two.csv")
    before = set(graph.store.raw)
    in_graph = _graph_quads(graph, target.graph)
    entry = {q for q in _graph_quads(graph, REGISTRY_GRAPH) if q.subject == ox.NamedNode(target.graph)}
    assert in_graph and entry
    dropped = drop(graph, "two.csv")
    assert dropped.source == target
    assert set(graph.store.raw) == before - in_graph - entry
    assert ox.NamedNode(target.graph) not in set(graph.store.raw.named_graphs())
    assert [s.name for s in sources(graph)] == ["one.csv"]
    assert not _has(graph, "brooke_candy", "performed", "drip")
    assert _has(graph, "sean_baker", "directed", "anora")


def test_drop_on_disk_persists(tmp_path: Path, kg_path: Path) -> None:
    data = _write(tmp_path / "one.csv", "Sean Baker,directed,Anora")
    graph = KnowledgeGraph.open(kg_path)
    graph.ingest(data)
    graph.drop("one.csv")
    graph.close()
    del graph
    gc.collect()
    with KnowledgeGraph.open(kg_path, create=False) as reopened:
        assert reopened.sources() == []
        assert _source_graphs(reopened) == set()
        assert not _has(reopened, "sean_baker", "directed", "anora")


@pytest.mark.parametrize("how", ["name", "absolute path", "relative path", "graph"])
def test_drop_by_name_path_or_graph(empty_kg: KnowledgeGraph, tmp_path: Path, monkeypatch: pytest.MonkeyPatch, how: str) -> None:
    graph, _, two = _two(empty_kg, tmp_path)
    info = find_source(graph, "two.csv")
    monkeypatch.chdir(tmp_path)
    given = {"name": "two.csv", "absolute path": str(two), "relative path": "sub/two.csv", "graph": info.graph}[how]
    assert graph.drop(given).name == "two.csv"
    assert [s.name for s in sources(graph)] == ["one.csv"]


def test_drop_accepts_a_path_object(empty_kg: KnowledgeGraph, tmp_path: Path) -> None:
    graph, one, _ = _two(empty_kg, tmp_path)
    assert drop(graph, one).name == "one.csv"


def test_drop_unknown_source(empty_kg: KnowledgeGraph, tmp_path: Path) -> None:
    graph, _, _ = _two(empty_kg, tmp_path)
    before = set(graph.store.raw)
    with pytest.raises(NotFoundError) as caught:
        drop(graph, "three.csv")
    assert 'no source "three.csv"' in str(caught.value)
    assert "one.csv" in str(caught.value) and "two.csv" in str(caught.value)
    assert caught.value.exit_code == 5
    assert set(graph.store.raw) == before


def test_drop_on_an_empty_store(empty_kg: KnowledgeGraph) -> None:
    with pytest.raises(NotFoundError, match="no sources yet"):
        drop(empty_kg, "one.csv")


def test_drop_then_ingest_again(empty_kg: KnowledgeGraph, tmp_path: Path) -> None:
    graph, one, _ = _two(empty_kg, tmp_path)
    drop(graph, "one.csv")
    report = graph.ingest(one)
    assert [f.status for f in report.files] == ["added"]
    assert _has(graph, "sean_baker", "directed", "anora")


# ---------------------------------------------------------------------------------- replace


def test_replacing_a_file_leaves_no_old_triples_and_no_orphan_graph(empty_kg: KnowledgeGraph, tmp_path: Path) -> None:
    graph = empty_kg
    data = _write(tmp_path / "films.csv", "Sean Baker,directed,Anora", "Mikey Madison,acted-in,Anora")
    graph.ingest(data)
    old = find_source(graph, "films.csv")
    _write(data, "Sean Baker,wrote,Anora", "Mikey Madison,produced,Anora")  # every row: loaded afresh
    report = graph.ingest(data)
    assert [f.status for f in report.files] == ["replaced"]
    new = find_source(graph, "films.csv")
    assert new.graph != old.graph
    assert _source_graphs(graph) == {new.graph}
    assert _graph_quads(graph, old.graph) == set()
    assert not _has(graph, "sean_baker", "directed", "anora")
    assert _has(graph, "sean_baker", "wrote", "anora")
    assert _has(graph, "mikey_madison", "produced", "anora")
    registry = _graph_quads(graph, REGISTRY_GRAPH)
    assert not {q for q in registry if q.subject == ox.NamedNode(old.graph)}
    entries = {q.subject for q in registry if q.predicate.value == RDF_TYPE and q.object.value == FILM + "SourceFile"}
    assert entries == {ox.NamedNode(new.graph)}


def test_reingest_unchanged_changes_nothing(tiny_graph: KnowledgeGraph, tiny_csv: Path) -> None:
    before = set(tiny_graph.store.raw)
    report = tiny_graph.ingest(tiny_csv)
    assert [f.status for f in report.files] == ["unchanged"]
    assert set(tiny_graph.store.raw) == before


def test_failed_replacement_keeps_the_old_graph(empty_kg: KnowledgeGraph, tmp_path: Path) -> None:
    from kg import IngestError

    graph = empty_kg
    data = _write(tmp_path / "films.csv", "Sean Baker,directed,Anora")
    graph.ingest(data)
    before = set(graph.store.raw)
    _write(data, "Sean Baker,wrote,Anora", "Sean Baker,directd,Anora")
    with pytest.raises(IngestError):
        graph.ingest(data)
    assert set(graph.store.raw) == before


# ---------------------------------------------------------------------------------- orphans


def test_orphan_graph_is_invisible_to_reads_and_removed_by_the_next_write(tmp_path: Path, kg_path: Path) -> None:
    data = _write(tmp_path / "films.csv", "Sean Baker,directed,Anora")
    (kept_source,) = _ingest_on_disk(kg_path, data)
    kept = kept_source.graph

    # an interrupted ingest: a graph bulk-loaded under GRAPH_PREFIX that no registry entry names
    orphan = ox.NamedNode(GRAPH_PREFIX + "0123456789abcdef01234567")
    nt = tmp_path / "orphan.nt"
    nt.write_text(f"<{RES}ghost> <{FILM}directed> <{RES}anora> .\n<{RES}ghost> <{FILM}wrote> <{RES}anora> .\n",
                  encoding="utf-8")
    _add_raw(kg_path, nt=nt, graph=orphan)

    with KnowledgeGraph.open(kg_path, read_only=True) as reader:
        assert orphan in set(reader.store.raw.named_graphs())  # a read leaves it...
        assert not _has(reader, "ghost", "directed", "anora")  # ...but no query sees it
        assert not reader.query(f"ASK {{ GRAPH ?g {{ <{RES}ghost> ?p ?o }} }}").boolean
        assert [s.name for s in reader.sources()] == ["films.csv"]
        assert _has(reader, "sean_baker", "directed", "anora")
    with KnowledgeGraph.open(kg_path) as writer:
        writer.ingest(_write(tmp_path / "more.csv", "Mikey Madison,acted-in,Anora"))
        graphs = set(writer.store.raw.named_graphs())
        assert orphan not in graphs
        assert not list(writer.store.raw.quads_for_pattern(ox.NamedNode(RES + "ghost"), None, None))
        assert ox.NamedNode(kept) in graphs
        assert [s.name for s in writer.sources()] == ["films.csv", "more.csv"]
        assert _has(writer, "sean_baker", "directed", "anora")


def test_graphs_outside_the_prefix_are_not_orphans(tmp_path: Path, kg_path: Path) -> None:
    _ingest_on_disk(kg_path, _write(tmp_path / "films.csv", "Sean Baker,directed,Anora"))
    other = ox.NamedNode("http://example.org/somebody-elses-graph")
    _add_raw(kg_path, ox.Quad(ox.NamedNode("http://example.org/a"), ox.NamedNode("http://example.org/p"),
                              ox.NamedNode("http://example.org/b"), other))
    with KnowledgeGraph.open(kg_path) as reopened:
        graphs = set(reopened.store.raw.named_graphs())
        assert other in graphs
        assert ox.NamedNode(ONTOLOGY_GRAPH) in graphs
        assert ox.NamedNode(REGISTRY_GRAPH) in graphs


def test_store_can_be_reopened_after_close(tmp_path: Path, kg_path: Path) -> None:
    """Closing a knowledge graph releases its store, so the same folder can be opened again."""
    data = _write(tmp_path / "films.csv", "Sean Baker,directed,Anora")
    with KnowledgeGraph.open(kg_path) as graph:
        graph.ingest(data)
    # ``graph`` is still bound here, as it is after a ``with`` block in a notebook
    with KnowledgeGraph.open(kg_path, create=False) as again:
        assert [s.name for s in again.sources()] == ["films.csv"]
    assert graph.location == kg_path


def test_store_can_be_reopened_after_close_method(tmp_path: Path, kg_path: Path) -> None:
    data = _write(tmp_path / "films.csv", "Sean Baker,directed,Anora")
    graph = KnowledgeGraph.open(kg_path)
    graph.ingest(data)
    graph.close()
    with KnowledgeGraph.open(kg_path, create=False) as again:
        assert [s.name for s in again.sources()] == ["films.csv"]


def test_store_locked_in_this_process_is_a_store_error(kg_path: Path) -> None:
    """While one knowledge graph holds the store open, opening it again is a StoreError, not an OSError."""
    with KnowledgeGraph.open(kg_path) as first:
        first.ingest(_write(kg_path.parent / "films.csv", "Sean Baker,directed,Anora"))
    holder = KnowledgeGraph.open(kg_path)
    with pytest.raises(StoreError, match=str(kg_path)):
        KnowledgeGraph.open(kg_path)
    assert [s.name for s in holder.sources()] == ["films.csv"]


# --------------------------------------------------------------------------------- ontology


def test_ontology_graph_is_in_the_store_after_ingest(tiny_graph: KnowledgeGraph) -> None:
    graphs = set(tiny_graph.store.raw.named_graphs())
    assert ox.NamedNode(ONTOLOGY_GRAPH) in graphs
    quads = _graph_quads(tiny_graph, ONTOLOGY_GRAPH)
    expected = set(ox.parse(path=str(tiny_graph.ontology.path), format=ox.RdfFormat.TURTLE))
    assert len(quads) == len(expected)

    def ground(triples: set[ox.Triple]) -> set[ox.Triple]:
        return {t for t in triples if not isinstance(t.subject, ox.BlankNode) and not isinstance(t.object, ox.BlankNode)}

    assert ground({q.triple for q in quads}) == ground({q.triple for q in expected})
    labels = {q.object.value for q in quads if q.subject == ox.NamedNode(FILM + "trainedFor")
              and q.predicate.value == "http://www.w3.org/2000/01/rdf-schema#label"}
    assert "trained for" in labels
    digest = {q.object.value for q in _graph_quads(tiny_graph, REGISTRY_GRAPH)
              if q.subject == ox.NamedNode(ONTOLOGY_GRAPH) and q.predicate.value == FILM + "contentHash"}
    assert digest == {tiny_graph.ontology.digest}


def test_ontology_graph_is_not_a_source_and_survives_drop(tiny_graph: KnowledgeGraph) -> None:
    assert [s.name for s in sources(tiny_graph)] == ["tiny.csv"]
    size = len(_graph_quads(tiny_graph, ONTOLOGY_GRAPH))
    drop(tiny_graph, "tiny.csv")
    assert len(_graph_quads(tiny_graph, ONTOLOGY_GRAPH)) == size > 100


def test_ontology_graph_is_loaded_once(tiny_graph: KnowledgeGraph, tmp_path: Path) -> None:
    size = len(_graph_quads(tiny_graph, ONTOLOGY_GRAPH))
    tiny_graph.ingest(_write(tmp_path / "more.csv", "Brooke Candy,performed,Drip"))
    assert len(_graph_quads(tiny_graph, ONTOLOGY_GRAPH)) == size
    hashes = [q for q in _graph_quads(tiny_graph, REGISTRY_GRAPH)
              if q.subject == ox.NamedNode(ONTOLOGY_GRAPH) and q.predicate.value == FILM + "contentHash"]
    assert len(hashes) == 1


def test_anora_store_on_disk(anora_kg: KnowledgeGraph, anora_csv: Path) -> None:
    (info,) = anora_kg.sources()
    assert info.name == "anora.csv" and info.rows == _data_rows(anora_csv)
    assert ox.NamedNode(ONTOLOGY_GRAPH) in set(anora_kg.store.raw.named_graphs())
    assert _has(anora_kg, "brooke_candy", "performed", "drip")


def test_copy_of_a_store_folder_keeps_sources(tmp_path: Path, kg_path: Path) -> None:
    _ingest_on_disk(kg_path, _write(tmp_path / "films.csv", "Sean Baker,directed,Anora"))
    copy = tmp_path / "copy"
    shutil.copytree(kg_path, copy)
    with KnowledgeGraph.open(copy, create=False) as opened:
        assert [s.name for s in opened.sources()] == ["films.csv"]


# ------------------------------------------------------------------------- drop and replace, whole store


def _content(graph: KnowledgeGraph) -> tuple[set[ox.Quad], int]:
    """Every quad in the store, except the ingestion times in the registry, and the number of quads in the
    ontology graph (its blank nodes and the times differ between stores). Each file's graph is named
    by the file's name: a file replaced in place keeps the graph of its first version."""
    ontology = ox.NamedNode(ONTOLOGY_GRAPH)
    names = {ox.NamedNode(info.graph): ox.NamedNode(f"urn:source:{info.name}") for info in sources(graph)}

    def named(term: Any) -> Any:
        return names.get(term, term)

    quads = {
        ox.Quad(named(q.subject), q.predicate, named(q.object), named(q.graph_name))
        for q in graph.store.raw
        if q.graph_name != ontology and q.predicate.value != GENERATED_AT
    }
    return quads, len(list(graph.store.raw.quads_for_pattern(None, None, None, ontology)))


def _never_had(*files: Path) -> tuple[set[ox.Quad], int]:
    """The content of a new store that ingested only ``files``, one ingest each."""
    reference = KnowledgeGraph.memory()
    for file in files:
        reference.ingest(file)
    return _content(reference)


def test_a_store_after_drop_equals_one_that_never_had_the_file(
    empty_kg: KnowledgeGraph, tmp_path: Path, anora_csv: Path, tiny_csv: Path
) -> None:
    empty_kg.ingest(anora_csv)
    empty_kg.ingest(tiny_csv)
    empty_kg.drop("tiny.csv")
    assert _content(empty_kg) == _never_had(anora_csv)


def test_a_store_after_replace_equals_one_that_only_had_the_new_file(
    empty_kg: KnowledgeGraph, tmp_path: Path, anora_csv: Path
) -> None:
    data = _write(tmp_path / "films.csv", "Sean Baker,directed,Anora", "Mikey Madison,acted-in,Anora")
    empty_kg.ingest([anora_csv, data])
    _write(data, "Sean Baker,wrote,Anora", "Mikey Madison,acted-in,Anora")
    assert [f.status for f in empty_kg.ingest(data).files] == ["replaced"]
    assert _content(empty_kg) == _never_had(anora_csv, data)


def test_a_drop_of_more_than_one_batch(empty_kg: KnowledgeGraph, tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(embedded, "REMOVE_BATCH", 7)
    rows = [f"Person {i},acted-in,Film {i % 5}" for i in range(40)]
    kept = _write(tmp_path / "kept.csv", "Sean Baker,directed,Anora")
    empty_kg.ingest([kept, _write(tmp_path / "big.csv", *rows)])
    assert find_source(empty_kg, "big.csv").triples > 3 * 7
    empty_kg.drop("big.csv")
    assert _content(empty_kg) == _never_had(kept)


def test_a_drop_interrupted_after_unregistering_leaves_an_orphan_the_next_write_removes(
    tmp_path: Path, kg_path: Path, anora_csv: Path
) -> None:
    data = _write(tmp_path / "films.csv", "Greta Gerwig,directed,Barbie", "Margot Robbie,acted-in,Barbie")
    with KnowledgeGraph.open(kg_path) as graph:
        graph.ingest([anora_csv, data])
        left = find_source(graph, "films.csv").graph
        # what a drop stopped after its first step leaves: no registry entry, part of the graph
        graph.store.update(f"DELETE WHERE {{ GRAPH <{REGISTRY_GRAPH}> {{ <{left}> ?p ?o }} }}")
        graph.store.raw.remove(next(graph.store.raw.quads_for_pattern(None, None, None, ox.NamedNode(left))))
    with KnowledgeGraph.open(kg_path, read_only=True) as reader:
        assert [s.name for s in reader.sources()] == ["anora.csv"]
        assert not reader.query(f"ASK {{ <{RES}greta_gerwig> ?p <{RES}barbie> }}").boolean
    more = _write(tmp_path / "more.csv", "Sean Baker,directed,Anora")
    with KnowledgeGraph.open(kg_path) as writer:
        writer.ingest(more)
        assert _content(writer) == _never_had(anora_csv, more)


def test_an_interrupt_after_the_registry_swap_keeps_the_new_version(
    tmp_path: Path, kg_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """Ctrl-C while the replaced graph is being removed (after the swap): the new version is the file
    now, so the load's cleanup must not remove its graph; the old graph is an orphan for the next write."""
    import kg.ingest.loading as loading
    from kg.registry import register

    data = _write(tmp_path / "films.csv", "Sean Baker,directed,Anora")
    with KnowledgeGraph.open(kg_path) as graph:
        graph.ingest(data)
        _write(tmp_path / "films.csv", "Sean Baker,directed,Anora", "Mikey Madison,acted-in,Anora")

        def swap_then_interrupt(*args: object, **kwargs: object) -> None:
            register(*args, **kwargs)  # type: ignore[arg-type]
            raise KeyboardInterrupt

        monkeypatch.setattr(loading, "register", swap_then_interrupt)
        with pytest.raises(KeyboardInterrupt):
            graph.ingest(data)
        (info,) = graph.sources()
        assert info.rows == 2
        assert graph.store.ask(f"ASK {{ GRAPH <{info.graph}> {{ <{RES}mikey_madison> <{FILM}actedIn> ?o }} }}")
