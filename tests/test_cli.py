"""The ``filmkg`` command line, run in-process through Typer's CliRunner on real stores.

The core tests run on every backend (test ids ``[embedded]``, ``[oxigraph]`` and
``[virtuoso]``, the ``target`` and ``anora_target`` fixtures of conftest.py): a store folder
on disk, passed as ``--store <tmp>/store``, and real Oxigraph and Virtuoso 7 SPARQL servers
on loopback, passed as ``--endpoint/--update-endpoint/--gsp-endpoint`` (see :func:`cli_helpers.target_args`).
Tests about store folders themselves (a missing or locked store, ``FILMKG_STORE``,
``./.filmkg``, files on disk) run on the embedded store only; that no read command
changes the store is tests/test_readonly.py. Exit code, stdout and stderr are checked
separately: :func:`cli_helpers.cli` runs happy paths with ``catch_exceptions=False`` and
checks exit 0, :func:`cli_helpers.cli_fails` checks a clean exit with no traceback and
nothing on stdout. Tables are read through ``--format csv``/``--json``, never by their
box-drawing characters.
"""

from __future__ import annotations

import csv
import gc
import json
import re
import subprocess
import sys
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pyoxigraph as ox
import pytest
from typer.main import get_command

from cli_helpers import (
    Server,
    Target,
    cli,
    cli_fails,
    csv_rows,
    held_by_another_process,
    invoke,
    quads,
    runner,
    target_args,
)
from kg.cli import app
from kg.vocab import FILM, GRAPH_PREFIX, RES

ROOT = Path(__file__).resolve().parent.parent
ANORA = ROOT / "data" / "anora" / "anora.csv"
ARTICLE = "The Mikey Madison Dance Scene in Anora: What Most People Get Wrong"


def _quads_of_nq(path: Path) -> set[ox.Quad]:
    return set(ox.parse(path=str(path), format=ox.RdfFormat.N_QUADS))


def _dump(target: Target, tmp_path: Path, name: str) -> set[ox.Quad]:
    """Every quad of the store, through ``filmkg export --format nq``."""
    out = tmp_path / f"{name}.nq"
    run = cli(target, "export", "--format", "nq", "-o", out)
    assert run.stdout == ""
    return _quads_of_nq(out)


def _anora_rows() -> int:
    with ANORA.open(encoding="utf-8") as stream:
        return sum(1 for _ in csv.DictReader(stream))


# --------------------------------------------------------------------------------------- ingest


def test_ingest_prints_a_one_line_summary_on_stdout(target: Target, anora_csv: Path) -> None:
    run = cli(target, "ingest", anora_csv)
    rows = _anora_rows()
    assert re.fullmatch(
        rf"1 file \(1 added\): {rows} rows, [\d,]+ triples, {rows} statements, 0 warnings\n", run.stdout
    ), run.stdout
    assert "error" not in run.stderr
    if isinstance(target, Path):
        assert (target / "CURRENT").exists()
    directed = ox.Triple(ox.NamedNode(RES + "sean_baker"), ox.NamedNode(FILM + "directed"), ox.NamedNode(RES + "anora"))
    assert directed in {q.triple for q in quads(target)}


def test_ingest_creates_a_named_graph_per_file_holding_the_facts(target: Target, anora_csv: Path, tmp_path: Path) -> None:
    cli(target, "ingest", anora_csv)
    dumped = _dump(target, tmp_path, "after")
    directed = ox.Triple(ox.NamedNode(RES + "sean_baker"), ox.NamedNode(FILM + "directed"), ox.NamedNode(RES + "anora"))
    graphs = {q.graph_name for q in dumped if q.triple == directed}
    assert len(graphs) == 1
    (graph,) = graphs
    assert isinstance(graph, ox.NamedNode) and graph.value.startswith(GRAPH_PREFIX)


def test_ingest_a_folder(target: Target, anora_csv: Path, tmp_path: Path) -> None:
    folder = tmp_path / "data"
    folder.mkdir()
    anora_csv.rename(folder / anora_csv.name)
    run = cli(target, "ingest", folder)
    assert run.stdout.startswith("1 file (1 added)")
    names = [s["name"] for s in json.loads(cli(target, "sources", "--json").stdout)]
    assert names == ["anora.csv"]


def test_reingest_unchanged_changes_nothing(target: Target, anora_csv: Path, tmp_path: Path) -> None:
    cli(target, "ingest", anora_csv)
    before = _dump(target, tmp_path, "before")
    raw_before = quads(target)
    sources_before = cli(target, "sources", "--json").stdout
    run = cli(target, "ingest", anora_csv)
    assert run.stdout.startswith("1 file (1 unchanged): ")
    assert _dump(target, tmp_path, "after") == before
    assert quads(target) == raw_before
    assert cli(target, "sources", "--json").stdout == sources_before


def test_reingest_changed_file_replaces_its_graph(target: Target, tmp_path: Path) -> None:
    data = tmp_path / "films.csv"
    data.write_text("subject,predicate,object\nSean Baker,directed,Anora\n", encoding="utf-8")
    cli(target, "ingest", data)
    data.write_text("subject,predicate,object\nSean Baker,wrote,Anora\n", encoding="utf-8")
    run = cli(target, "ingest", data)
    assert run.stdout.startswith("1 file (1 replaced): ")
    directed = ox.Triple(ox.NamedNode(_SB), ox.NamedNode(_DIRECTED), ox.NamedNode(_ANORA))
    assert directed not in {q.triple for q in quads(target)}
    ask = "ASK { res:sean_baker film:directed res:anora }"
    assert cli(target, "query", ask, "--format", "json").stdout.count('"boolean": false') == 1
    ask = "ASK { res:sean_baker film:wrote res:anora }"
    assert json.loads(cli(target, "query", ask, "--format", "json").stdout)["boolean"] is True


_SB, _DIRECTED, _ANORA = RES + "sean_baker", FILM + "directed", RES + "anora"
_INPUTS = {
    "films.csv": "subject,predicate,object\nSean Baker,directed,Anora\n",
    "films.tsv": "subject\tpredicate\tobject\nSean Baker\tdirected\tAnora\n",
    "films.jsonl": '{"subject": "Sean Baker", "predicate": "directed", "object": "Anora"}\n',
    "films.ttl": f"<{_SB}> <{_DIRECTED}> <{_ANORA}> .\n",
    "films.nt": f"<{_SB}> <{_DIRECTED}> <{_ANORA}> .\n",
    "films.jsonld": json.dumps({"@id": _SB, _DIRECTED: {"@id": _ANORA}}),
    "films.rdf": (
        '<?xml version="1.0"?>\n<rdf:RDF xmlns:rdf="http://www.w3.org/1999/02/22-rdf-syntax-ns#" '
        f'xmlns:film="{FILM}">\n  <rdf:Description rdf:about="{_SB}">\n'
        f'    <film:directed rdf:resource="{_ANORA}"/>\n  </rdf:Description>\n</rdf:RDF>\n'
    ),
}


@pytest.mark.parametrize("name", [*_INPUTS, "films.csv.gz", "films.ttl.gz"])
def test_ingest_each_input_kind(target: Target, tmp_path: Path, name: str) -> None:
    import gzip

    path = tmp_path / name
    if name.endswith(".gz"):
        path.write_bytes(gzip.compress(_INPUTS[name[:-3]].encode("utf-8")))
    else:
        path.write_text(_INPUTS[name], encoding="utf-8")
    run = cli(target, "ingest", path)
    assert run.stdout.startswith("1 file (1 added): 1 rows, ")
    assert _ask(target, "ASK { res:sean_baker film:directed res:anora }")
    assert _names(target) == [name]


def test_ingest_warning_goes_to_stderr_and_is_counted(target: Target, tmp_path: Path) -> None:
    data = tmp_path / "extra.csv"
    data.write_text(
        "subject,predicate,object\nSean Baker,directed,Anora\nSean Baker,wdt:P1234,Anora\n", encoding="utf-8"
    )
    run = cli(target, "ingest", data)
    assert run.stdout.endswith(", 1 warning\n")
    assert run.stdout.count("\n") == 1
    assert "warning:" in run.stderr and "wdt:P1234" in run.stderr
    assert "extra.csv:3" in run.stderr


# ----------------------------------------------------------------------------- bad input


def test_bad_row_is_rejected_with_file_line_column_and_store_unchanged(
    target: Target, anora_csv: Path, tmp_path: Path
) -> None:
    cli(target, "ingest", anora_csv)
    before = _dump(target, tmp_path, "before")
    raw_before = quads(target)
    sources_before = cli(target, "sources", "--json").stdout
    bad = tmp_path / "bad.csv"
    bad.write_text(
        "subject,predicate,object,duration\n"
        "Sean Baker,directed,Anora,\n"
        "Mikey Madison,trainedd-for,Anora,\n"
        "Mikey Madison,trained-for,Anora,forever\n",
        encoding="utf-8",
    )
    run = cli_fails(target, "ingest", bad)
    assert run.exit_code == 3
    assert run.stdout == ""
    assert run.stderr.lstrip().startswith("error: ")
    assert re.search(r"bad\.csv:3:2: column predicate: .*trainedd-for.*did you mean \"trained-for\"", run.stderr)
    assert re.search(r"bad\.csv:4:4: column duration: .*forever", run.stderr)
    assert "nothing was ingested" in run.stderr
    assert _dump(target, tmp_path, "after") == before
    assert quads(target) == raw_before
    assert cli(target, "sources", "--json").stdout == sources_before


def test_bad_replacement_keeps_the_previous_version(target: Target, tmp_path: Path) -> None:
    data = tmp_path / "films.csv"
    data.write_text("subject,predicate,object\nSean Baker,directed,Anora\n", encoding="utf-8")
    cli(target, "ingest", data)
    before = _dump(target, tmp_path, "before")
    raw_before = quads(target)
    data.write_text("subject,predicate,object\nSean Baker,wrote,Anora\nSean Baker,directd,Anora\n", encoding="utf-8")
    run = cli_fails(target, "ingest", data)
    assert run.exit_code == 3
    assert "films.csv:3:2" in run.stderr
    assert _dump(target, tmp_path, "after") == before
    assert quads(target) == raw_before


def test_one_bad_file_rejects_the_whole_batch(target: Target, tmp_path: Path) -> None:
    good = tmp_path / "good.csv"
    good.write_text("subject,predicate,object\nSean Baker,directed,Anora\n", encoding="utf-8")
    bad = tmp_path / "bad.csv"
    bad.write_text("subject,predicate,object\nSean Baker,directed,\n", encoding="utf-8")
    cli(target, "ingest", tmp_path / "good.csv")
    cli(target, "drop", "good.csv")
    before = _dump(target, tmp_path, "before")
    raw_before = quads(target)
    run = cli_fails(target, "ingest", good, bad)
    assert run.exit_code == 3
    assert re.search(r"bad\.csv:2:3: column object", run.stderr)
    assert _dump(target, tmp_path, "after") == before
    assert quads(target) == raw_before
    assert json.loads(cli(target, "sources", "--json").stdout) == []


def test_missing_required_column_is_an_ingest_error(target: Target, tmp_path: Path) -> None:
    bad = tmp_path / "header.csv"
    bad.write_text("subj,predicate,object\nSean Baker,directed,Anora\n", encoding="utf-8")
    run = cli_fails(target, "ingest", bad)
    assert run.exit_code == 3
    assert "header.csv:1" in run.stderr and "subject" in run.stderr


def test_missing_input_file_is_an_ingest_error(target: Target, tmp_path: Path) -> None:
    run = cli_fails(target, "ingest", tmp_path / "nothere.csv")
    assert run.exit_code == 3
    assert "nothere.csv" in run.stderr and "no such file" in run.stderr


def test_rejected_first_ingest_leaves_no_store_behind(kg_path: Path, tmp_path: Path) -> None:
    """The store is "exactly as it was": when there was none, a rejected ingest creates none."""
    bad = tmp_path / "bad.csv"
    bad.write_text("subject,predicate,object\nSean Baker,directd,Anora\n", encoding="utf-8")
    run = cli_fails(kg_path, "ingest", bad)
    assert run.exit_code == 3
    assert not kg_path.exists()


def test_rejected_first_ingest_leaves_an_empty_server_empty(server: Server, tmp_path: Path) -> None:
    """The server is "exactly as it was": when it held nothing, a rejected ingest writes nothing
    (no ontology, registry or half-uploaded graph)."""
    bad = tmp_path / "bad.csv"
    bad.write_text("subject,predicate,object\nSean Baker,directd,Anora\n", encoding="utf-8")
    run = cli_fails(server, "ingest", bad)
    assert run.exit_code == 3
    assert "bad.csv:2:2" in run.stderr
    assert server.dataset() == set()


# ---------------------------------------------------------------------------------- sources


def test_sources_table_shows_what_the_json_lists(anora_target: Target) -> None:
    """The data is checked through ``--json`` (test_sources_json); the table only has to show it."""
    (item,) = json.loads(cli(anora_target, "sources", "--json").stdout)
    table = cli(anora_target, "sources").stdout
    for column in ("source", "rows", "triples", "statements", "ingested", "path"):
        assert column in table
    shown = [item["name"], f"{item['rows']:,}", f"{item['triples']:,}", f"{item['statements']:,}", item["ingested"], item["path"]]
    for value in shown:
        assert str(value) in table, value


def test_sources_json(anora_target: Target, anora_file: Path) -> None:
    items = json.loads(cli(anora_target, "sources", "--json").stdout)
    assert len(items) == 1
    (item,) = items
    assert item["name"] == "anora.csv"
    assert item["path"] == str(anora_file.resolve())
    assert item["graph"].startswith(GRAPH_PREFIX)
    assert item["rows"] == _anora_rows()
    assert item["statements"] == _anora_rows()
    assert re.fullmatch(r"[0-9a-f]{64}", item["content_hash"])
    assert re.fullmatch(r"\d{4}-\d\d-\d\dT\d\d:\d\d:\d\dZ", item["ingested"])


def test_sources_on_an_empty_store(target: Target, tmp_path: Path) -> None:
    data = tmp_path / "one.csv"
    data.write_text("subject,predicate,object\nSean Baker,directed,Anora\n", encoding="utf-8")
    cli(target, "ingest", data)
    cli(target, "drop", "one.csv")
    run = cli(target, "sources")
    assert run.stdout == ""
    assert "no sources" in run.stderr
    assert json.loads(cli(target, "sources", "--json").stdout) == []


# ------------------------------------------------------------------------------------- drop


def _two_sources(target: Target, tmp_path: Path) -> tuple[Path, Path]:
    one = tmp_path / "one.csv"
    one.write_text("subject,predicate,object\nSean Baker,directed,Anora\n", encoding="utf-8")
    two = tmp_path / "sub" / "two.csv"
    two.parent.mkdir()
    two.write_text("subject,predicate,object\nBrooke Candy,performed,Drip\n", encoding="utf-8")
    cli(target, "ingest", one, two)
    return one, two


def _names(target: Target) -> list[str]:
    return [s["name"] for s in json.loads(cli(target, "sources", "--json").stdout)]


def _ask(target: Target, sparql: str) -> bool:
    return bool(json.loads(cli(target, "query", sparql, "--format", "json").stdout)["boolean"])


def test_drop_by_name(target: Target, tmp_path: Path) -> None:
    _two_sources(target, tmp_path)
    graph = next(s["graph"] for s in json.loads(cli(target, "sources", "--json").stdout) if s["name"] == "one.csv")
    run = cli(target, "drop", "one.csv")
    assert re.fullmatch(r"dropped one\.csv: \d+ triples, 0 statements\n", run.stdout)
    assert _names(target) == ["two.csv"]
    assert not _ask(target, "ASK { res:sean_baker film:directed res:anora }")
    assert _ask(target, "ASK { res:brooke_candy film:performed res:drip }")
    if not (isinstance(target, Server) and target.kind == "virtuoso"):
        # Virtuoso 7 answers ASK { GRAPH <g> { ... } } with true for any graph outside the dataset
        # filmkg sends (a bug of its query compiler); what it holds is checked below.
        assert not _ask(target, f"ASK {{ GRAPH <{graph}> {{ ?s ?p ?o }} }}")
    assert ox.NamedNode(graph) not in {q.graph_name for q in quads(target)}


def test_drop_by_absolute_path(target: Target, tmp_path: Path) -> None:
    _, two = _two_sources(target, tmp_path)
    run = cli(target, "drop", two)
    assert run.stdout.startswith("dropped two.csv: ")
    assert _names(target) == ["one.csv"]


def test_drop_by_relative_path(target: Target, tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    _two_sources(target, tmp_path)
    monkeypatch.chdir(tmp_path)
    run = cli(target, "drop", "sub/two.csv")
    assert run.stdout.startswith("dropped two.csv: ")
    assert _names(target) == ["one.csv"]


def test_drop_unknown_source(target: Target, tmp_path: Path) -> None:
    _two_sources(target, tmp_path)
    run = cli_fails(target, "drop", "three.csv")
    assert run.exit_code == 5
    assert run.stdout == ""
    assert 'no source "three.csv"' in run.stderr
    assert "one.csv" in run.stderr and "two.csv" in run.stderr
    assert _names(target) == ["one.csv", "two.csv"]


# ------------------------------------------------------------------------------------ query

CAST = (
    "SELECT ?actor WHERE { ?a film:actedIn res:anora ; rdfs:label ?actor } ORDER BY ?actor"
)
CAST_ROWS = [["actor"], ["Mark Eydelshteyn"], ["Mikey Madison"], ["Yura Borisov"]]
ACTED = "CONSTRUCT { ?s film:actedIn ?o } WHERE { ?s film:actedIn ?o }"


def test_query_as_argument(anora_target: Target) -> None:
    run = cli(anora_target, "query", CAST, "--format", "csv")
    assert csv_rows(run.stdout) == CAST_ROWS


def test_query_from_file(anora_target: Target, tmp_path: Path) -> None:
    query = tmp_path / "cast.rq"
    query.write_text(CAST, encoding="utf-8")
    run = cli(anora_target, "query", "-f", query, "--format", "csv")
    assert csv_rows(run.stdout) == CAST_ROWS
    run = cli(anora_target, "query", "--file", query, "--format", "csv")
    assert csv_rows(run.stdout) == CAST_ROWS


def test_query_from_stdin(anora_target: Target) -> None:
    run = cli(anora_target, "query", "--format", "csv", input=CAST)
    assert csv_rows(run.stdout) == CAST_ROWS


def test_query_default_format_off_a_terminal_is_csv(anora_target: Target) -> None:
    run = cli(anora_target, "query", CAST)
    assert csv_rows(run.stdout) == CAST_ROWS


def test_query_given_twice_is_a_usage_error(anora_target: Target) -> None:
    run = cli_fails(anora_target, "query", CAST, "--name", "cast")
    assert run.exit_code == 2


def test_named_query(anora_target: Target) -> None:
    run = cli(anora_target, "query", "--name", "cast", "--format", "json")
    bindings = json.loads(run.stdout)["results"]["bindings"]
    pairs = {(b["actor"]["value"], b.get("character", {}).get("value")) for b in bindings}
    assert {("Mikey Madison", "Ani"), ("Mark Eydelshteyn", "Ivan"), ("Yura Borisov", "Igor")} <= pairs


def test_named_query_with_bind(anora_target: Target) -> None:
    every = csv_rows(cli(anora_target, "query", "--name", "cast", "--format", "csv").stdout)
    assert "Scream" in {row[0] for row in every[1:]}
    run = cli(anora_target, "query", "-n", "cast", "--bind", "film=Anora", "--format", "csv")
    rows = csv_rows(run.stdout)
    assert rows[0] == ["title", "actor", "character"]
    assert {row[0] for row in rows[1:]} == {"Anora"}
    assert {(row[1], row[2]) for row in rows[1:]} == {
        ("Mikey Madison", "Ani"), ("Mark Eydelshteyn", "Ivan"), ("Yura Borisov", "Igor")
    }


def test_bind_repeatable_with_entity_name_and_literal(anora_target: Target) -> None:
    sparql = "SELECT ?p WHERE { ?p film:actedIn ?f ; rdfs:label ?name }"
    run = cli(
        anora_target, "query", sparql, "--bind", "f=anora", "--bind", 'name="Yura Borisov"', "--format", "csv"
    )
    assert csv_rows(run.stdout) == [["p"], [RES + "yura_borisov"]]
    run = cli(anora_target, "query", sparql, "--bind", "f=scream", "--bind", 'name="Yura Borisov"', "--format", "csv")
    assert csv_rows(run.stdout) == [["p"]]


def test_bind_reaches_filters(anora_target: Target) -> None:
    """A bound variable has its value everywhere in the query, FILTER included."""
    sparql = "SELECT ?x WHERE { ?p film:actedIn res:anora ; rdfs:label ?x . FILTER(?x = ?name) }"
    run = cli(anora_target, "query", sparql, "--bind", 'name="Yura Borisov"', "--format", "csv")
    assert csv_rows(run.stdout) == [["x"], ["Yura Borisov"]]


def test_bind_without_equals_is_a_usage_error(anora_target: Target) -> None:
    run = cli_fails(anora_target, "query", CAST, "--bind", "film")
    assert run.exit_code == 2


def test_query_format_table_select_shows_the_csv_rows_in_order(anora_target: Target) -> None:
    """The rows are read through ``--format csv``; the table shows them, IRIs as CURIEs, in the same order."""
    sparql = "SELECT ?actor WHERE { ?actor film:actedIn res:anora } ORDER BY ?actor"
    rows = csv_rows(cli(anora_target, "query", sparql, "--format", "csv").stdout)
    assert rows[0] == ["actor"] and len(rows) == 4
    run = cli(anora_target, "query", sparql, "--format", "table")
    assert "actor" in run.stdout
    shown = [run.stdout.index(iri.replace(RES, "res:")) for (iri,) in rows[1:]]
    assert shown == sorted(shown)
    assert run.stderr == "3 rows\n"


@pytest.mark.parametrize(("sparql", "answer"), [("ASK { ?a film:actedIn res:anora }", True),
                                                ("ASK { res:anora film:actedIn ?a }", False)])
def test_query_format_table_ask(anora_target: Target, sparql: str, answer: bool) -> None:
    assert cli(anora_target, "query", sparql, "--format", "table").stdout == ("yes\n" if answer else "no\n")


def test_query_format_csv_select(anora_target: Target) -> None:
    sparql = "SELECT ?a ?name WHERE { ?a film:actedIn res:anora ; rdfs:label ?name } ORDER BY ?name"
    rows = csv_rows(cli(anora_target, "query", sparql, "--format", "csv").stdout)
    assert rows[0] == ["a", "name"]
    assert rows[1] == [RES + "mark_eydelshteyn", "Mark Eydelshteyn"]
    assert len(rows) == 4


def test_query_format_tsv_select(anora_target: Target) -> None:
    sparql = "SELECT ?a ?name WHERE { ?a film:actedIn res:anora ; rdfs:label ?name } ORDER BY ?name"
    out = cli(anora_target, "query", sparql, "--format", "tsv").stdout
    parsed = ox.parse_query_results(out.encode("utf-8"), format=ox.QueryResultsFormat.TSV)
    assert isinstance(parsed, ox.QuerySolutions)
    rows = [(s["a"], s["name"]) for s in parsed]
    assert rows[0] == (ox.NamedNode(RES + "mark_eydelshteyn"), ox.Literal("Mark Eydelshteyn"))
    assert len(rows) == 3


def test_query_format_json_select(anora_target: Target) -> None:
    sparql = "SELECT ?a ?name WHERE { ?a film:actedIn res:anora ; rdfs:label ?name } ORDER BY ?name"
    out = cli(anora_target, "query", sparql, "--format", "json").stdout
    document = json.loads(out)
    assert document["head"]["vars"] == ["a", "name"]
    assert document["results"]["bindings"][0] == {
        "a": {"type": "uri", "value": RES + "mark_eydelshteyn"},
        "name": {"type": "literal", "value": "Mark Eydelshteyn"},
    }
    parsed = ox.parse_query_results(out.encode("utf-8"), format=ox.QueryResultsFormat.JSON)
    assert len(list(parsed)) == 3  # type: ignore[arg-type]


@pytest.mark.parametrize("answer", [True, False])
@pytest.mark.parametrize("fmt", ["csv", "tsv", "json"])
def test_query_formats_ask(anora_target: Target, fmt: str, answer: bool) -> None:
    sparql = "ASK { ?a film:actedIn res:anora }" if answer else "ASK { res:anora film:actedIn ?a }"
    out = cli(anora_target, "query", sparql, "--format", fmt).stdout
    if fmt == "json":
        assert json.loads(out)["boolean"] is answer
        parsed = ox.parse_query_results(out.encode("utf-8"), format=ox.QueryResultsFormat.JSON)
        assert bool(parsed) is answer
    else:
        assert out.strip() == ("true" if answer else "false")


_RDF = {
    "turtle": ox.RdfFormat.TURTLE,
    "nt": ox.RdfFormat.N_TRIPLES,
    "jsonld": ox.RdfFormat.JSON_LD,
    "trig": ox.RdfFormat.TRIG,
}


def _triples(text: str, fmt: str) -> set[ox.Triple]:
    return {q.triple for q in ox.parse(text.encode("utf-8"), format=_RDF[fmt])}


@pytest.mark.parametrize("fmt", list(_RDF))
def test_query_construct_formats_parse_back(anora_target: Target, fmt: str) -> None:
    out = cli(anora_target, "query", ACTED, "--format", fmt).stdout
    acted = ox.NamedNode(FILM + "actedIn")
    expected = {
        ox.Triple(ox.NamedNode(RES + s), acted, ox.NamedNode(RES + o))
        for s, o in [
            ("mikey_madison", "anora"), ("mark_eydelshteyn", "anora"), ("yura_borisov", "anora"),
            ("mikey_madison", "scream"), ("mikey_madison", "once_upon_a_time_in_hollywood"),
        ]
    }
    assert _triples(out, fmt) == expected


def test_query_construct_default_format_is_turtle(anora_target: Target) -> None:
    out = cli(anora_target, "query", ACTED).stdout
    assert "film:actedIn" in out
    assert len(_triples(out, "turtle")) == 5


@pytest.mark.parametrize("fmt", list(_RDF))
def test_query_describe_formats_parse_back(anora_target: Target, fmt: str) -> None:
    """What DESCRIBE returns is up to the server (SPARQL 1.1, section 16.4): the triples about the
    resource, and on Virtuoso also those that point to it."""
    reference = _triples(cli(anora_target, "query", "DESCRIBE res:anora", "--format", "nt").stdout, "nt")
    assert reference
    anora = ox.NamedNode(RES + "anora")
    if isinstance(anora_target, Server) and anora_target.kind == "virtuoso":
        assert all(anora in (t.subject, t.object) for t in reference)
    else:
        assert {t.subject for t in reference} == {anora}
    assert ox.Triple(ox.NamedNode(RES + "anora"), ox.NamedNode(FILM + "distributedBy"), ox.NamedNode(RES + "neon")) in reference
    out = cli(anora_target, "query", "DESCRIBE res:anora", "--format", fmt).stdout
    assert _triples(out, fmt) == reference


@pytest.mark.parametrize(
    ("sparql", "fmt"),
    [(CAST, "turtle"), (CAST, "nt"), ("ASK { ?s ?p ?o }", "jsonld"), (ACTED, "csv"), (ACTED, "json"), (ACTED, "table")],
)
def test_query_format_that_does_not_fit_the_result(anora_target: Target, sparql: str, fmt: str) -> None:
    run = cli_fails(anora_target, "query", sparql, "--format", fmt)
    assert run.exit_code == 6
    assert run.stdout == ""
    assert "error:" in run.stderr and fmt in run.stderr


def test_query_unknown_format_is_a_usage_error(anora_target: Target) -> None:
    run = cli_fails(anora_target, "query", CAST, "--format", "xml")
    assert run.exit_code == 2
    assert run.stdout == ""


def test_query_list(anora_target: Target) -> None:
    run = cli(anora_target, "query", "--list")
    names = sorted(p.stem for p in (ROOT / "ontology" / "queries").glob("*.rq"))
    listed = [line.split(":", 1)[0] for line in run.stdout.splitlines()]
    assert listed == names
    for line in run.stdout.splitlines():
        assert len(line.split(":", 1)[1].strip()) > 10
    assert re.search(r"^training: .*\(--bind person\)$", run.stdout, re.M)
    assert re.search(r"^evidence: .*\(--bind entity\)$", run.stdout, re.M)


def test_query_list_needs_no_store(kg_path: Path) -> None:
    run = cli(kg_path, "query", "--list")
    assert "training:" in run.stdout
    assert not kg_path.exists()


def test_query_list_needs_no_server() -> None:
    """Nothing listens on port 9 of the loopback: --list must not try to reach the endpoint."""
    run = invoke(["--endpoint", "http://127.0.0.1:9/query", "query", "--list"], ok=True)
    assert run.exit_code == 0
    assert "training:" in run.stdout
    assert run.stderr == ""


def test_sparql_syntax_error(anora_target: Target) -> None:
    sparql = "SELECT ?s WHERE {\n  ?s ?p ?o .\n  ?s ?p }"
    run = cli_fails(anora_target, "query", sparql)
    assert run.exit_code == 6
    assert run.stdout == ""
    assert run.stderr.startswith("error: SPARQL syntax error")
    assert re.search(r"\b3:\d+\b", run.stderr), run.stderr
    lines = run.stderr.splitlines()
    (at,) = [i for i, line in enumerate(lines) if line.rstrip().endswith("?s ?p }") and "error" not in line]
    assert lines[at + 1].strip() == "^"


def test_service_is_refused(anora_target: Target) -> None:
    sparql = "SELECT * WHERE { SERVICE <http://127.0.0.1:9/sparql> { ?s ?p ?o } }"
    run = cli_fails(anora_target, "query", sparql)
    assert run.exit_code == 6
    assert run.stdout == ""
    assert "SERVICE" in run.stderr and "--allow-network" in run.stderr


def test_load_is_refused(anora_target: Target) -> None:
    run = cli_fails(anora_target, "query", "LOAD <http://127.0.0.1:9/data.ttl>")
    assert run.exit_code == 6
    assert run.stdout == ""
    assert "LOAD" in run.stderr and "--allow-network" in run.stderr


def test_service_in_a_string_or_variable_is_not_refused(anora_target: Target) -> None:
    sparql = 'SELECT ?service WHERE { BIND("SERVICE <http://x/> LOAD" AS ?service) } # SERVICE'
    rows = csv_rows(cli(anora_target, "query", sparql, "--format", "csv").stdout)
    assert rows == [["service"], ["SERVICE <http://x/> LOAD"]]


def test_unknown_named_query(anora_target: Target) -> None:
    run = cli_fails(anora_target, "query", "--name", "trainig")
    assert run.exit_code == 5
    assert run.stdout == ""
    assert 'no named query "trainig"' in run.stderr
    assert '"training"' in run.stderr


def test_queries_see_every_source(target: Target, tmp_path: Path) -> None:
    _two_sources(target, tmp_path)
    sparql = "SELECT ?x WHERE { { ?x film:directed ?f } UNION { ?x film:performed ?s } } ORDER BY ?x"
    rows = csv_rows(cli(target, "query", sparql, "--format", "csv").stdout)
    assert rows == [["x"], [RES + "brooke_candy"], [RES + "sean_baker"]]


# ------------------------------------------------------------------------------------- show


def test_show_card_text(anora_target: Target) -> None:
    run = cli(anora_target, "show", "mikey  MADISON")
    out = run.stdout
    assert out.startswith(f"Mikey Madison  <{RES}mikey_madison>\n")
    assert "  types: Person" in out
    assert "→ trained for Anora" in out
    assert "duration: P5M" in out
    assert "skill: pole dancing" in out
    assert "→ acted in Anora" in out and "character: Ani" in out
    assert "→ won award Academy Award for Best Actress" in out
    assert "← Mikey Madison's pole dance instructor coached" in out
    assert f"source: {ARTICLE}" in out
    assert "spent five months training to be a professional-grade pole dancer" in out
    # the duration P5M belongs to the fact whose quote says five months
    block = out.split("duration: P5M", 1)[1].split("  →", 1)[0]
    assert "five months" in block


def test_show_card_json(anora_target: Target) -> None:
    card = json.loads(cli(anora_target, "show", "Mikey Madison", "--json").stdout)
    assert card["iri"] == RES + "mikey_madison"
    assert card["label"] == "Mikey Madison"
    assert card["types"] == ["Person"]
    def pairs(statement: dict[str, Any]) -> list[list[str]]:
        return [[q["name"], q["text"]] for q in statement["qualifiers"]]

    trained = [
        f["statement"] for f in card["facts"]
        if f["direction"] == "out" and f["statement"]["relation"] == FILM + "trainedFor"
        and ["duration", "P5M"] in pairs(f["statement"])
    ]
    assert len(trained) == 1
    (statement,) = trained
    assert statement["object"] == RES + "anora" and statement["object_label"] == "Anora"
    assert ["skill", "pole dancing"] in pairs(statement)
    assert statement["sources"] == [ARTICLE]
    assert "five months" in statement["quotes"][0]
    assert statement["iri"].startswith(RES + "statement/")


def test_show_character_card_has_qualifier_facts(anora_target: Target) -> None:
    out = cli(anora_target, "show", "Ani").stdout
    assert "  types: Character" in out
    assert "~ Mikey Madison acted in Anora" in out


def test_show_unknown_entity(anora_target: Target) -> None:
    run = cli_fails(anora_target, "show", "Mikey Madisson")
    assert run.exit_code == 5
    assert run.stdout == ""
    assert 'no entity "Mikey Madisson"' in run.stderr
    assert "did you mean" in run.stderr and "Mikey Madison" in run.stderr


# ----------------------------------------------------------------------------------- export

_EXPORT = {
    "trig": ox.RdfFormat.TRIG,
    "nq": ox.RdfFormat.N_QUADS,
    "ttl": ox.RdfFormat.TURTLE,
    "nt": ox.RdfFormat.N_TRIPLES,
    "jsonld": ox.RdfFormat.JSON_LD,
}


@pytest.mark.parametrize("fmt", list(_EXPORT))
def test_export_each_format(anora_target: Target, tmp_path: Path, fmt: str) -> None:
    held = quads(anora_target)
    assert len({q.graph_name for q in held}) >= 3  # the source, the registry and the ontology
    out = tmp_path / f"all.{fmt}"
    run = cli(anora_target, "export", "--format", fmt, "-o", out)
    assert run.stdout == ""
    assert f"wrote {out}" in run.stderr
    parsed = list(ox.parse(path=str(out), format=_EXPORT[fmt]))
    if _EXPORT[fmt].supports_datasets:
        assert len(parsed) == len(held)
        assert set(parsed) == held
    else:
        union = {q.triple for q in held}
        assert len(parsed) == len(union)
        assert {q.triple for q in parsed} == union


@pytest.mark.parametrize("fmt", list(_EXPORT))
def test_export_format_from_suffix(anora_target: Target, tmp_path: Path, fmt: str) -> None:
    out = tmp_path / f"all.{fmt}"
    cli(anora_target, "export", "--output", out)
    assert list(ox.parse(path=str(out), format=_EXPORT[fmt]))


def test_export_unknown_format(anora_target: Target, tmp_path: Path) -> None:
    run = cli_fails(anora_target, "export", "-o", tmp_path / "all.xyz")
    assert run.exit_code == 1
    assert "unknown export format" in run.stderr
    assert not (tmp_path / "all.xyz").exists()


# ------------------------------------------------------------------------ the store itself


def test_drop_on_a_missing_store(tmp_path: Path) -> None:
    """(Every read command on a missing store: tests/test_readonly.py.)"""
    store = tmp_path / "nostore"
    run = cli_fails(store, "drop", "anora.csv", code=4)
    assert f"no store at {store}" in run.stderr
    assert not store.exists()


def test_store_environment_variable(tmp_path: Path, monkeypatch: pytest.MonkeyPatch, anora_csv: Path) -> None:
    monkeypatch.chdir(tmp_path)
    monkeypatch.delenv("FILMKG_STORE", raising=False)
    env_store = tmp_path / "from-env"
    env = {"FILMKG_STORE": str(env_store)}
    run = invoke(["ingest", str(anora_csv)], ok=True, env=env)
    assert run.stdout.startswith("1 file (1 added)")
    assert (env_store / "CURRENT").exists()
    assert not (tmp_path / ".filmkg").exists()
    names = [s["name"] for s in json.loads(invoke(["sources", "--json"], ok=True, env=env).stdout)]
    assert names == ["anora.csv"]
    # --store wins over the environment
    other = tmp_path / "other"
    run = invoke(["--store", str(other), "sources", "--json"], ok=False, env=env)
    assert run.exit_code == 4 and str(other) in run.stderr


def test_default_store_is_dot_filmkg(tmp_path: Path, monkeypatch: pytest.MonkeyPatch, anora_csv: Path) -> None:
    monkeypatch.chdir(tmp_path)
    monkeypatch.delenv("FILMKG_STORE", raising=False)
    invoke(["ingest", str(anora_csv)], ok=True)
    assert (tmp_path / ".filmkg" / "CURRENT").exists()


@pytest.fixture
def held_store(anora_folder_store: Path) -> Iterator[Path]:
    """The Anora store, held open by another process (pyoxigraph itself, not filmkg)."""
    script = "import sys, time, pyoxigraph\nstore = pyoxigraph.Store(sys.argv[1])\nprint('ready', flush=True)\ntime.sleep(120)\n"
    with held_by_another_process(script, anora_folder_store):
        yield anora_folder_store


@pytest.mark.parametrize("args", [("sources",), ("ingest", str(ANORA)), ("drop", "anora.csv")])
def test_store_locked_by_another_process(held_store: Path, args: tuple[str, ...]) -> None:
    """(Every read command while filmkg itself writes the store: tests/test_readonly.py.)"""
    run = cli_fails(held_store, *args, code=4)
    assert run.stderr.lstrip().startswith("error: ")
    assert "in use by another process" in run.stderr
    assert str(held_store) in run.stderr


def test_store_usable_again_after_the_other_process_ends(anora_folder_store: Path) -> None:
    script = "import sys, pyoxigraph\nstore = pyoxigraph.Store(sys.argv[1])\nprint(len(store))\n"
    done = subprocess.run(
        [sys.executable, "-c", script, str(anora_folder_store)], capture_output=True, text=True, timeout=60
    )
    assert done.returncode == 0, done.stderr
    assert cli(anora_folder_store, "query", "ASK { ?s ?p ?o }", "--format", "json").stdout.startswith("{")


def test_failed_command_leaves_store_usable(anora_target: Target) -> None:
    """A command that failed (its result kept, as a test or notebook does) must not keep the store locked."""
    failed = runner.invoke(app, [*target_args(anora_target), "show", "Nobody At All"])
    assert failed.exit_code == 5
    after = runner.invoke(app, [*target_args(anora_target), "query", "ASK { ?s ?p ?o }", "--format", "json"])
    try:
        assert after.exit_code == 0, after.stderr
        assert json.loads(after.stdout)["boolean"] is True
    finally:
        del failed, after
        gc.collect()


# ------------------------------------------------------------------------------- meta-tests

_ROOT_GROUP = get_command(app)


def _walk(group: object, prefix: tuple[str, ...] = ()) -> Iterator[tuple[str, object]]:
    """Every command, sub-apps included, as ("analyze centrality", command)."""
    for name, command in sorted(getattr(group, "commands", {}).items()):
        path = (*prefix, name)
        yield " ".join(path), command
        yield from _walk(command, path)


COMMANDS = dict(_walk(_ROOT_GROUP))


def test_the_expected_commands_exist() -> None:
    """The meta-tests below walk every command, sub-commands included."""
    assert {"ingest", "query", "show", "export", "sources", "drop", "path", "neighbors", "viz"} <= set(COMMANDS)
    assert {"analyze centrality", "analyze communities", "analyze components", "analyze stats"} <= set(COMMANDS)


def test_root_help_lists_every_command() -> None:
    run = invoke(["--help"], ok=True)
    for name in COMMANDS:
        if " " not in name:
            assert name in run.stdout
    assert "--store" in run.stdout


def test_no_arguments_shows_help() -> None:
    result = runner.invoke(app, [])
    assert "Usage" in result.output
    assert all(name in result.output for name in COMMANDS if " " not in name)


@pytest.mark.parametrize("name", sorted(COMMANDS))
def test_every_command_has_help(name: str) -> None:
    command = COMMANDS[name]
    text = (getattr(command, "help", None) or "").strip()
    summary = text.splitlines()[0] if text else ""
    assert len(summary) > 10, f"{name} has no help text"
    for param in getattr(command, "params", []):
        assert getattr(param, "help", None), f"{name}: {param.name} has no help text"
    run = invoke([*name.split(), "--help"], ok=True)
    assert "Usage" in run.stdout
    assert " ".join(summary.split()[:4]) in " ".join(run.stdout.split())


def _command_reference() -> str:
    """The README's command reference (the part tools/readme.py generates from real runs)."""
    readme = (ROOT / "README.md").read_text(encoding="utf-8")
    return readme.split("<!-- commands:start -->", 1)[1].split("<!-- commands:end -->", 1)[0]


@pytest.mark.parametrize("name", sorted(COMMANDS))
def test_every_command_is_in_the_readme_command_reference(name: str) -> None:
    words = " ".join(re.escape(word) for word in name.split())
    assert re.search(rf"^### `filmkg {words}\b", _command_reference(), re.M), f"no heading for `filmkg {name}`"
    assert re.search(rf"^\$ filmkg {words}\b", _command_reference(), re.M), f"no `$ filmkg {name}` call"
