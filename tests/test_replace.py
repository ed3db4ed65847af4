"""Replacing a file by difference (issue 14): a file ingested again with a few rows changed keeps its
graph, and the store then holds exactly what dropping it and ingesting the new version gives; a big
change, or a file with blank nodes, is loaded afresh. On memory and on disk (``empty_kg``)."""

from __future__ import annotations

from pathlib import Path

import pyoxigraph as ox
import pytest

from kg import KnowledgeGraph
from kg.ingest.diff import blank_or_lines
from kg.registry import find_source, replace_in_place
from kg.vocab import GRAPH_PREFIX, REGISTRY_GRAPH
from tests.test_sources import _content, _never_had, _write

ROWS = [f"Person {i},acted-in,Film {i % 7}" for i in range(60)]


def _ingest_twice(graph: KnowledgeGraph, first: Path, path: Path, *new_rows: str, header: str = "subject,predicate,object") -> tuple[str, str]:
    """Ingest ``first`` and ``path``, rewrite ``path`` with ``new_rows`` and ingest it again: its graph before and after."""
    graph.ingest([first, path])
    before = find_source(graph, path.name).graph
    _write(path, *new_rows, header=header)
    report = graph.ingest(path)
    assert [f.status for f in report.files] == ["replaced"]
    after = find_source(graph, path.name)
    assert report.files[0].graph == after.graph
    assert (report.files[0].triples, report.files[0].statements) == (after.triples, after.statements)
    return before, after.graph


def test_a_one_row_change_is_applied_in_place_and_equals_a_fresh_ingest(
    empty_kg: KnowledgeGraph, tmp_path: Path, anora_csv: Path
) -> None:
    data = _write(tmp_path / "films.csv", *ROWS)
    before, after = _ingest_twice(empty_kg, anora_csv, data, *ROWS[:-1], "Person 59,directed,Film 3")
    assert after == before  # replaced in place
    assert _content(empty_kg) == _never_had(anora_csv, data)
    assert empty_kg.query("ASK { <https://w3id.org/filmkg/resource/person_59> film:directed ?f }").boolean
    assert not empty_kg.query("ASK { <https://w3id.org/filmkg/resource/person_59> film:actedIn ?f }").boolean


def test_a_change_of_every_row_is_loaded_afresh_and_equals_a_fresh_ingest(
    empty_kg: KnowledgeGraph, tmp_path: Path, anora_csv: Path
) -> None:
    data = _write(tmp_path / "films.csv", *ROWS)
    before, after = _ingest_twice(empty_kg, anora_csv, data, *(r.replace("acted-in", "directed") for r in ROWS))
    assert after != before
    assert _content(empty_kg) == _never_had(anora_csv, data)
    kept = {find_source(empty_kg, "anora.csv").graph, after}
    assert {g for g in empty_kg.store.graph_names() if g.startswith(GRAPH_PREFIX)} == kept  # the old one removed


def test_a_many_row_change_under_the_limit_equals_a_fresh_ingest(
    empty_kg: KnowledgeGraph, tmp_path: Path, anora_csv: Path
) -> None:
    data = _write(tmp_path / "films.csv", *ROWS)
    changed = [r.replace("acted-in", "edited") if i % 20 == 0 else r for i, r in enumerate(ROWS)] + ["Person 99,wrote,Film 1"]
    before, after = _ingest_twice(empty_kg, anora_csv, data, *changed[1:])
    assert after == before
    assert _content(empty_kg) == _never_had(anora_csv, data)


def _without_blanks(graph: KnowledgeGraph) -> tuple[set[ox.Quad], int]:
    quads, ontology = _content(graph)
    kept = {q for q in quads if not isinstance(q.subject, ox.BlankNode) and not isinstance(q.object, ox.BlankNode)}
    return kept, len(quads) - len(kept) + ontology


def test_a_file_with_blank_nodes_is_loaded_afresh(empty_kg: KnowledgeGraph, tmp_path: Path, anora_csv: Path) -> None:
    lines = [f"<http://example.org/f{i}> <http://example.org/p> _:b{i % 3} ." for i in range(30)]
    data = tmp_path / "blank.nt"
    data.write_text("\n".join(lines) + "\n", encoding="utf-8")
    assert blank_or_lines(data) is None
    empty_kg.ingest([anora_csv, data])
    before = find_source(empty_kg, "blank.nt").graph
    data.write_text("\n".join(lines[:-1]) + "\n", encoding="utf-8")
    assert [f.status for f in empty_kg.ingest(data).files] == ["replaced"]
    assert find_source(empty_kg, "blank.nt").graph != before
    assert _without_blanks(empty_kg) == _without_blanks_of(anora_csv, data)


def _without_blanks_of(*files: Path) -> tuple[set[ox.Quad], int]:
    reference = KnowledgeGraph.memory()
    for file in files:
        reference.ingest(file)
    return _without_blanks(reference)


IDS = "subject,subject_id,predicate,object"


def test_files_using_identifiers_replaced_in_place_equal_a_fresh_ingest(
    empty_kg: KnowledgeGraph, tmp_path: Path
) -> None:
    """The identity rule rewrites the name-only file's graph (its Mikey Madison is the identified one):
    replacing either file in place, then settling, gives what ingesting the new versions afresh gives."""
    ids_rows = ["Mikey Madison,wd:Q24005195,acted-in,Anora"] + [f"Person {i},,acted-in,Film {i % 7}" for i in range(40)]
    ids = _write(tmp_path / "ids.csv", *ids_rows, header=IDS)
    article = _write(tmp_path / "article.csv", "mikey madison,trained-for,Anora", *ROWS)
    empty_kg.ingest([ids, article])
    rewritten = find_source(empty_kg, "article.csv").graph
    assert empty_kg.store.ask(f"ASK {{ GRAPH <{rewritten}> {{ ?m <https://w3id.org/filmkg/ontology#resolvedTo> ?e }} }}",
                              union=False)
    _write(article, "mikey madison,trained-for,Anora", *ROWS[:-1], "Person 59,edited,Film 2")
    assert [f.graph for f in empty_kg.ingest(article).files] == [rewritten]  # in place
    assert _content(empty_kg) == _never_had(ids, article)
    _write(ids, *ids_rows[:-1], "Person 39,wd:Q1,acted-in,Film 4", header=IDS)
    before = find_source(empty_kg, "ids.csv").graph
    assert [f.graph for f in empty_kg.ingest(ids).files] == [before]
    assert _content(empty_kg) == _never_had(ids, article)


def test_a_replacement_in_place_is_one_update(empty_kg: KnowledgeGraph, tmp_path: Path, anora_csv: Path) -> None:
    """The deletions, the insertions and the registry entry go in one SPARQL update (one transaction):
    readers see the old version or the new one. A line the store refuses changes nothing at all."""
    data = _write(tmp_path / "films.csv", *ROWS)
    empty_kg.ingest([anora_csv, data])
    store = empty_kg.store
    written: list[str] = []
    update = store.update

    def record(text: str) -> None:
        written.append(text)
        update(text)

    store.update = record  # type: ignore[method-assign]
    _write(data, *ROWS[:-1], "Person 59,directed,Film 3")
    empty_kg.ingest(data)
    store.update = update  # type: ignore[method-assign]
    changing = [text for text in written if "DELETE DATA" in text or "INSERT DATA" in text and REGISTRY_GRAPH in text]
    assert len(changing) == 1
    assert "DELETE DATA" in changing[0] and "contentHash" in changing[0] and "tripleCount" in changing[0]

    info = find_source(empty_kg, "films.csv")
    before = _content(empty_kg)
    with pytest.raises(SyntaxError):
        replace_in_place(empty_kg, info, [f"<{GRAPH_PREFIX}x> <http://e/p> <http://e/o> ."], ["not a triple ."])
    assert _content(empty_kg) == before


def test_a_file_loaded_afresh_after_a_change_in_place_keeps_its_rows(
    empty_kg: KnowledgeGraph, tmp_path: Path, anora_csv: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """Back to its first version after a change in place, a file loaded afresh (here: no ``sort`` on
    the PATH) would be minted the graph name it already has; it must not load into it and then drop it."""
    data = _write(tmp_path / "films.csv", *ROWS)
    first, _ = _ingest_twice(empty_kg, anora_csv, data, *ROWS[:-1], "Person 59,directed,Film 3")
    assert find_source(empty_kg, data.name).graph == first  # the change went in place
    monkeypatch.setenv("PATH", str(tmp_path / "no-tools"))
    _write(data, *ROWS)
    assert [f.status for f in empty_kg.ingest(data).files] == ["replaced"]
    assert _content(empty_kg) == _never_had(anora_csv, data)
    assert find_source(empty_kg, data.name).triples > 0
