"""Pages of query results: ``limit``, ``offset`` and ``sort`` in the library and ``--limit``, ``--offset``,
``--sort/--no-sort`` on the command line.

A sorted page is the same slice of the whole sorted answer; an unsorted page of a named query comes in
the store's own order, the same from one call to the next, so consecutive pages cover the answer once.
The data: the shipped Anora file and a few hundred generated rows (benchmarks/generate.py), in memory
and on disk.
"""

from __future__ import annotations

import importlib.util
from collections import Counter
from collections.abc import Iterator
from pathlib import Path

import pytest

from cli_helpers import Target, cli, cli_fails, csv_rows, plain
from kg import KnowledgeGraph
from kg.errors import UsageError
from kg.query import QueryResult, named_queries
from kg.sparql import portable
from kg.sparql import scrub

ROOT = Path(__file__).resolve().parent.parent
NAMES = sorted(named_queries())
BINDS = {"evidence": {"entity": "Andrea Werhun"}}
"""Binds a named query needs (evidence lists every statement's evidence without one; with one it is short)."""


def _generated(path: Path, rows: int) -> Path:
    spec = importlib.util.spec_from_file_location("generate", ROOT / "benchmarks" / "generate.py")
    assert spec and spec.loader
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    module.write(path, rows)
    return path


@pytest.fixture(scope="module")
def generated_csv(tmp_path_factory: pytest.TempPathFactory) -> Path:
    return _generated(tmp_path_factory.mktemp("generated") / "films.csv", 400)


@pytest.fixture
def paged_graph(storage: str, kg_path: Path, anora_csv: Path, generated_csv: Path) -> Iterator[KnowledgeGraph]:
    """The Anora data and 400 generated rows, in memory and on disk."""
    graph = KnowledgeGraph.memory() if storage == "memory" else KnowledgeGraph.open(kg_path)
    with graph:
        graph.ingest([anora_csv, generated_csv])
        yield graph


def _rows(result: QueryResult) -> list[tuple[str | None, ...]]:
    return [tuple(None if term is None else str(term) for term in row) for row in result.rows]


def _unsorted_pages(graph: KnowledgeGraph, name: str, size: int) -> list[list[tuple[str | None, ...]]]:
    pages, offset = [], 0
    while True:
        page = _rows(graph.query(name=name, bind=BINDS.get(name), limit=size, offset=offset))
        pages.append(page)
        if len(page) < size:
            return pages
        offset += size


# ---------------------------------------------------------------------------------- the library


@pytest.mark.parametrize("name", NAMES)
def test_a_sorted_page_is_a_slice_of_the_sorted_answer(paged_graph: KnowledgeGraph, name: str) -> None:
    every = _rows(paged_graph.query(name=name, bind=BINDS.get(name)))
    assert every, f"{name} has no rows on the test data"
    for limit, offset in [(1, 0), (5, 0), (5, 3), (7, len(every) - 3), (len(every), 0), (3, len(every))]:
        page = paged_graph.query(name=name, bind=BINDS.get(name), limit=limit, offset=offset, sort=True)
        assert _rows(page) == every[offset : offset + limit], (name, limit, offset)


@pytest.mark.parametrize("name", NAMES)
def test_unsorted_pages_cover_the_answer_once(paged_graph: KnowledgeGraph, name: str) -> None:
    every = _rows(paged_graph.query(name=name, bind=BINDS.get(name)))
    pages = _unsorted_pages(paged_graph, name, 7)
    assert Counter(row for page in pages for row in page) == Counter(every)
    assert all(len(page) == 7 for page in pages[:-1])
    assert pages == _unsorted_pages(paged_graph, name, 7), "the store's order changed between calls"


@pytest.mark.parametrize("name", NAMES)
def test_an_offset_past_the_end_is_empty(paged_graph: KnowledgeGraph, name: str) -> None:
    every = paged_graph.query(name=name, bind=BINDS.get(name))
    for sort in (True, False, None):
        page = paged_graph.query(name=name, bind=BINDS.get(name), limit=5, offset=len(every) + 10, sort=sort)
        assert page.rows == [] and page.variables == every.variables
    assert paged_graph.query(name=name, bind=BINDS.get(name), offset=len(every)).rows == []


@pytest.mark.parametrize("name", NAMES)
def test_the_portable_form_gives_the_same_answer(paged_graph: KnowledgeGraph, name: str) -> None:
    text = named_queries()[name].sparql
    assert "LATERAL" not in scrub(portable(text)).upper()
    every = paged_graph.query(name=name, bind=BINDS.get(name))
    assert _rows(paged_graph.query(portable(text), bind=BINDS.get(name))) == _rows(every)


def test_a_named_query_without_a_page_is_sorted(anora_graph: KnowledgeGraph) -> None:
    sorted_rows = _rows(anora_graph.query(name="cast"))
    assert sorted_rows == sorted(sorted_rows, key=lambda row: tuple(cell or "" for cell in row))
    assert Counter(_rows(anora_graph.query(name="cast", sort=False))) == Counter(sorted_rows)


def test_limit_zero_is_an_empty_page(anora_graph: KnowledgeGraph) -> None:
    result = anora_graph.query(name="training", limit=0)
    assert result.rows == [] and "quote" in result.variables


def test_a_page_with_a_bind(paged_graph: KnowledgeGraph) -> None:
    every = _rows(paged_graph.query(name="training", bind={"person": "Mikey Madison"}))
    assert len(every) >= 6
    page = paged_graph.query(name="training", bind={"person": "Mikey Madison"}, limit=2, offset=2, sort=True)
    assert _rows(page) == every[2:4]


def test_a_query_you_write_keeps_its_order_on_a_page(tiny_kg: KnowledgeGraph) -> None:
    text = "SELECT ?n WHERE { VALUES ?n { 5 3 1 4 2 } } ORDER BY DESC(?n)"
    assert [r["n"] for r in tiny_kg.query(text, limit=2, offset=1).records()] == [4, 3]
    unsorted = [r["n"] for r in tiny_kg.query(text, sort=False).records()]
    assert sorted(unsorted) == [1, 2, 3, 4, 5]


def test_a_page_of_a_query_with_its_own_limit(tiny_kg: KnowledgeGraph) -> None:
    text = "SELECT ?n WHERE { VALUES ?n { 5 3 1 4 2 } } ORDER BY ?n LIMIT 4"
    assert [r["n"] for r in tiny_kg.query(text, limit=2, offset=1).records()] == [2, 3]
    assert [r["n"] for r in tiny_kg.query(text, offset=3).records()] == [4]
    trailing = "SELECT ?n WHERE { ?x ?y ?z } VALUES ?n { 1 }"
    assert tiny_kg.query(trailing, limit=1).rows == tiny_kg.query(trailing).rows[:1]


def test_order_by_inside_strings_and_subqueries_is_kept(tiny_kg: KnowledgeGraph) -> None:
    text = (
        'SELECT ?n ?s WHERE { { SELECT ?n WHERE { VALUES ?n { 3 1 2 } } ORDER BY ?n LIMIT 2 } BIND("ORDER BY" AS ?s) }'
        " ORDER BY DESC(?n)"
    )
    assert [(r["n"], r["s"]) for r in tiny_kg.query(text, limit=1).records()] == [(2, "ORDER BY")]


@pytest.mark.parametrize(
    ("kwargs", "message"),
    [
        ({"limit": -1}, "`limit` and `offset` must be 0 or more"),
        ({"offset": -5}, "`limit` and `offset` must be 0 or more"),
    ],
)
def test_negative_values_are_usage_errors(tiny_kg: KnowledgeGraph, kwargs: dict[str, int], message: str) -> None:
    with pytest.raises(UsageError, match=message) as caught:
        tiny_kg.query(name="cast", **kwargs)  # type: ignore[arg-type]  # the parametrized keywords
    assert caught.value.exit_code == 2


@pytest.mark.parametrize("sparql", ["ASK { ?s ?p ?o }", "CONSTRUCT WHERE { ?s ?p ?o }"])
def test_only_a_select_is_paged(tiny_kg: KnowledgeGraph, sparql: str) -> None:
    with pytest.raises(UsageError, match="page the rows of a SELECT"):
        tiny_kg.query(sparql, limit=1)


# ---------------------------------------------------------------------------------- the command line


def test_cli_sorted_page_is_a_slice(anora_target: Target) -> None:
    every = csv_rows(cli(anora_target, "query", "--name", "cast", "--format", "csv").stdout)
    page = csv_rows(
        cli(anora_target, "query", "--name", "cast", "--limit", "2", "--offset", "1", "--sort", "--format", "csv").stdout
    )
    assert page == [every[0], *every[2:4]]


def test_cli_unsorted_pages_cover_the_answer(anora_target: Target) -> None:
    every = csv_rows(cli(anora_target, "query", "--name", "training", "--format", "csv").stdout)
    first = csv_rows(cli(anora_target, "query", "--name", "training", "--limit", "4", "--format", "csv").stdout)
    rest = csv_rows(
        cli(anora_target, "query", "--name", "training", "--limit", "4", "--offset", "4", "--format", "csv").stdout
    )
    assert first[0] == rest[0] == every[0]
    assert len(first) == 5
    assert Counter(map(tuple, first[1:] + rest[1:])) == Counter(map(tuple, every[1:]))


def test_cli_offset_past_the_end_prints_the_header_only(anora_target: Target) -> None:
    run = cli(anora_target, "query", "--name", "cast", "--offset", "1000", "--format", "csv")
    assert csv_rows(run.stdout) == [["title", "actor", "character"]]


def test_cli_offset_without_a_limit_skips_rows(anora_target: Target) -> None:
    """An offset alone, inside the answer (Virtuoso fails an OFFSET without LIMIT unless filmkg adds one)."""
    every = csv_rows(cli(anora_target, "query", "--name", "cast", "--format", "csv").stdout)
    assert len(every) > 4
    rest = csv_rows(cli(anora_target, "query", "--name", "cast", "--offset", "3", "--format", "csv").stdout)
    assert rest[0] == every[0] and len(rest) == len(every) - 3
    assert not Counter(map(tuple, rest[1:])) - Counter(map(tuple, every[1:]))
    ordered = csv_rows(
        cli(anora_target, "query", "--name", "cast", "--offset", "3", "--sort", "--format", "csv").stdout
    )
    assert ordered == [every[0], *every[4:]]


@pytest.mark.parametrize(
    "text",
    [
        "SELECT ?n WHERE { VALUES ?n { 3 1 2 } } OFFSET 1",
        "SELECT ?n WHERE { { SELECT ?n WHERE { VALUES ?n { 3 1 2 } } OFFSET 1 } }",
        "SELECT ?n WHERE { { SELECT ?n WHERE { VALUES ?n { 3 1 2 } } ORDER BY ?n OFFSET 1 } } ORDER BY ?n",
    ],
)
def test_cli_an_offset_of_your_own(anora_target: Target, text: str) -> None:
    rows = csv_rows(cli(anora_target, "query", text, "--format", "csv").stdout)
    assert rows[0] == ["n"] and len(rows) == 3
    if "ORDER BY" in text:
        assert rows[1:] == [["2"], ["3"]]


def test_cli_no_sort_on_a_query_you_write(anora_target: Target) -> None:
    text = "SELECT ?n WHERE { VALUES ?n { 3 1 2 } } ORDER BY ?n"
    assert csv_rows(cli(anora_target, "query", text, "--limit", "2", "--format", "csv").stdout) == [["n"], ["1"], ["2"]]
    unsorted = csv_rows(cli(anora_target, "query", text, "--no-sort", "--format", "csv").stdout)
    assert sorted(unsorted[1:]) == [["1"], ["2"], ["3"]]


@pytest.mark.parametrize(
    "args", [["--limit", "-1"], ["--offset", "-2"], ["--limit", "many"], ["--offset", "1.5"], ["--limit"]]
)
def test_cli_bad_values_exit_2(anora_target: Target, args: list[str]) -> None:
    run = cli_fails(anora_target, "query", "--name", "cast", *args, code=2)
    assert "--limit" in plain(run.stderr) or "--offset" in plain(run.stderr)


def test_cli_page_of_an_ask_exits_2(anora_target: Target) -> None:
    run = cli_fails(anora_target, "query", "ASK { ?s ?p ?o }", "--limit", "1", code=2)
    assert "--limit" in run.stderr and "SELECT" in run.stderr
