"""No read command modifies the store: its files are byte-identical after every read.

A store folder is built from data/anora/anora.csv with the real CLI (``anora_folder_store``).
Around each read command, every file of the folder is checksummed (relative name, size,
SHA-256, :func:`cli_helpers.store_files`) and the two listings must be equal. Each command
is its own test: every query form, every named query with the bindings it needs, ``show``,
``sources``, ``export`` (every format, to a file outside the store), ``path``,
``neighbors``, every ``analyze`` command and ``viz`` (to a file outside the store);
:func:`test_every_read_command_is_checked` fails when a command is added without a case here.

A read also never creates a store: on a missing folder or an empty one it fails with exit
code 4 and leaves the folder as it was; and while another process writes the store, a
read exits 4 saying the store is in use.
"""

from __future__ import annotations

import os
import shutil
from collections.abc import Iterator
from pathlib import Path
from typing import get_args

import pyoxigraph as ox
import pytest
from typer.main import get_command

from cli_helpers import cli, cli_fails, held_by_another_process, store_files
from kg.cli import app
from kg.export import ExportFormat
from kg.query import named_queries
from kg.vocab import FILM, GRAPH_PREFIX, RES

DATA = Path(__file__).resolve().parent / "data"
OUT = "{out}"
"""Stands for a file outside the store (under the test's tmp_path), with the suffix that follows."""
BINDS = {"person": "Mikey Madison", "film": "Anora", "entity": "Andrea Werhun"}
"""A value for each parameter of the named queries (the README's examples)."""
WRITERS = {"ingest", "drop", "sources attach"}
"""The writing commands, beside every ``import SOURCE`` command."""


def _commands() -> dict[str, object]:
    """Every leaf command of the CLI by its full name (``analyze centrality``)."""
    out: dict[str, object] = {}

    def walk(group: object, prefix: tuple[str, ...]) -> None:
        for name, command in getattr(group, "commands", {}).items():
            if hasattr(command, "commands"):
                if getattr(command, "invoke_without_command", False):  # `sources` lists; `sources attach` writes
                    out[" ".join((*prefix, name))] = command
                walk(command, (*prefix, name))
            else:
                out[" ".join((*prefix, name))] = command

    walk(get_command(app), ())
    return out


READS: dict[str, list[str]] = {
    "query SELECT": ["query", "SELECT ?name WHERE { ?p film:actedIn res:anora ; rdfs:label ?name } ORDER BY ?name"],
    "query SELECT table": ["query", "SELECT ?p ?o WHERE { ?p film:actedIn ?o }", "--format", "table"],
    "query GRAPH ?g": ["query", "SELECT ?g (COUNT(*) AS ?n) WHERE { GRAPH ?g { ?s ?p ?o } } GROUP BY ?g"],
    "query ASK json": ["query", "ASK { res:sean_baker film:directed res:anora }", "--format", "json"],
    "query CONSTRUCT": ["query", "CONSTRUCT { ?p film:actedIn ?f } WHERE { ?p film:actedIn ?f }"],
    "query DESCRIBE nt": ["query", "DESCRIBE res:anora", "--format", "nt"],
    "query -f": ["query", "-f", OUT + ".rq"],
    "query --list": ["query", "--list"],
    **{
        f"query --name {name}": ["query", "--name", name, *[x for p in item.parameters for x in ("--bind", f"{p}={BINDS.get(p, 'Anora')}")]]
        for name, item in sorted(named_queries().items())
    },
    "show": ["show", "Mikey Madison"],
    "reconcile": ["reconcile", "--unmatched", "--format", "csv"],
    "show --json": ["show", "Ani", "--json"],
    "sources": ["sources"],
    "sources --json": ["sources", "--json"],
    # quickstatements: the sample data has no Wikidata ids, so tests/test_quickstatements.py checks it on its own store
    **{f"export {fmt}": ["export", "--format", fmt, "-o", OUT + "." + fmt] for fmt in get_args(ExportFormat) if fmt != "quickstatements"},
    "path": ["path", "Brooke Candy", "Andrea Werhun"],
    "path --json": ["path", "Sean Baker", "Brooke Candy", "--max-paths", "5", "--json"],
    "neighbors": ["neighbors", "Ani", "--depth", "2"],
    "conflicts": ["conflicts"],
    "conflicts NAME json": ["conflicts", "Mikey Madison", "--format", "json"],
    "analyze centrality": ["analyze", "centrality"],
    "analyze centrality pagerank": ["analyze", "centrality", "--measure", "pagerank", "--projection", "collaboration"],
    "analyze communities": ["analyze", "communities"],
    "analyze components": ["analyze", "components", "--top", "0"],
    "analyze stats": ["analyze", "stats"],
    "analyze stats json": ["analyze", "stats", "--format", "json"],
    "verify": ["verify"],
    "validate": ["validate"],
    "validate --format json": ["validate", "--format", "json"],
    "verify --format csv": ["verify", "--format", "csv"],
    "viz": ["viz", "-o", OUT + ".html"],
    "viz --focus": ["viz", "--focus", "Anora", "--depth", "2", "-o", OUT + ".html"],
}
NEEDS_NO_STORE = {"query --list"}


def _args(case: str, folder: Path) -> tuple[list[str], Path | None]:
    """The command line of ``case`` with its output file (or query file) under ``folder``; and that file."""
    args, written = [], None
    for part in READS[case]:
        if part.startswith(OUT):
            written = folder / f"out{part[len(OUT):]}"
            part = str(written)
        args.append(part)
    if written is not None and written.suffix == ".rq":
        written.write_text("SELECT ?s WHERE { ?s film:directed ?f }", encoding="utf-8")
        return args, None
    return args, written


def _outside(store: Path, tmp_path: Path) -> Path:
    assert not tmp_path.resolve().is_relative_to(store.resolve())
    return tmp_path


@pytest.fixture(autouse=True)
def _no_filmkg_variables(monkeypatch: pytest.MonkeyPatch) -> None:
    """No FILMKG_* variable of the developer's shell (a server to use, a wait) reaches these commands."""
    for name in [n for n in os.environ if n.startswith("FILMKG_")]:
        monkeypatch.delenv(name)


# ------------------------------------------------------------------------------ the checks


def test_every_read_command_is_checked() -> None:
    """A new command is either a writer or has a case in READS."""
    covered = {" ".join(args[:2]) if args[0] == "analyze" else args[0] for args in READS.values()}
    importers = {name for name in _commands() if name.split()[0] == "import"}
    assert importers  # the import commands are writers
    assert set(_commands()) - WRITERS - importers == covered


def test_every_named_query_is_checked_with_the_bindings_it_needs() -> None:
    for name, item in named_queries().items():
        assert f"query --name {name}" in READS
        assert set(item.parameters) <= set(BINDS), f"{name}: give READS a value for {item.parameters}"


@pytest.mark.parametrize("case", list(READS))
def test_read_command_leaves_the_store_byte_identical(case: str, anora_folder_store: Path, tmp_path: Path) -> None:
    before = store_files(anora_folder_store)
    assert "CURRENT" in before and len(before) > 3
    args, written = _args(case, _outside(anora_folder_store, tmp_path))
    run = cli(anora_folder_store, *args)
    if written is not None:
        assert written.stat().st_size > 100, f"{case} wrote nothing to {written}"
    else:
        assert run.stdout.strip(), f"{case} printed nothing, so it proves nothing"
    assert store_files(anora_folder_store) == before


@pytest.fixture(scope="module")
def store_with_an_orphan(anora_folder_store: Path, tmp_path_factory: pytest.TempPathFactory) -> Path:
    """A copy of the Anora store with a graph that no registry entry names, as an interrupted ingest leaves
    (written with pyoxigraph itself): reads must leave it, only the next write removes it."""
    copy = tmp_path_factory.mktemp("orphan") / "store"
    shutil.copytree(anora_folder_store, copy)
    raw = ox.Store(str(copy))
    raw.add(ox.Quad(ox.NamedNode(RES + "ghost"), ox.NamedNode(FILM + "directed"), ox.NamedNode(RES + "anora"),
                    ox.NamedNode(GRAPH_PREFIX + "0123456789abcdef01234567")))  # fmt: skip
    raw.flush()
    del raw
    return copy


@pytest.mark.parametrize("case", ["query GRAPH ?g", "query --name evidence", "show", "sources", "export nq", "analyze stats"])
def test_read_command_leaves_an_orphan_graph_alone(case: str, store_with_an_orphan: Path, tmp_path: Path) -> None:
    before = store_files(store_with_an_orphan)
    args, _ = _args(case, tmp_path)
    run = cli(store_with_an_orphan, *args)
    assert "ghost" not in run.stdout
    assert store_files(store_with_an_orphan) == before


def test_the_checksums_see_a_write(anora_folder_store: Path, tmp_path: Path) -> None:
    """The control: a copy checksums the same as the store, and a write command changes its files."""
    copy = tmp_path / "copy"
    shutil.copytree(anora_folder_store, copy)
    before = store_files(copy)
    assert before == store_files(anora_folder_store)
    cli(copy, "drop", "anora.csv")
    assert store_files(copy) != before


# ------------------------------------------------------------------------------ no store, no creation

STORE_READS = [case for case in READS if case not in NEEDS_NO_STORE]


@pytest.mark.parametrize("case", STORE_READS)
def test_read_command_on_a_missing_store_fails_and_creates_nothing(case: str, tmp_path: Path) -> None:
    store = tmp_path / "missing"
    args, written = _args(case, tmp_path)
    run = cli_fails(store, *args, code=4)
    assert f"no store at {store}" in run.stderr
    assert not store.exists()
    assert written is None or not written.exists()


@pytest.mark.parametrize("case", STORE_READS)
def test_read_command_on_an_empty_folder_fails_and_leaves_it_empty(case: str, tmp_path: Path) -> None:
    store = tmp_path / "empty"
    store.mkdir()
    args, written = _args(case, tmp_path)
    run = cli_fails(store, *args, code=4)
    assert f"no store at {store}" in run.stderr
    assert list(store.iterdir()) == []
    assert written is None or not written.exists()


HOLDER = """\
import sys, time
import kg
graph = kg.KnowledgeGraph.open(sys.argv[1])
graph.ingest(sys.argv[2])
print("ready", flush=True)
time.sleep(600)
"""


@pytest.fixture(scope="module")
def store_being_written(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Path]:
    """A store that another process opened with filmkg for writing, wrote to, and still holds."""
    store = tmp_path_factory.mktemp("held") / "store"
    with held_by_another_process(HOLDER, store, DATA / "tiny.csv"):
        assert (store / "CURRENT").exists()
        yield store


@pytest.mark.parametrize("case", STORE_READS)
def test_read_command_while_another_process_writes_says_the_store_is_in_use(
    case: str, store_being_written: Path, tmp_path: Path
) -> None:
    args, written = _args(case, tmp_path)
    run = cli_fails(store_being_written, *args, code=4)
    assert run.stderr.startswith(f"error: the store {store_being_written} is in use by another process"), run.stderr
    assert written is None or not written.exists()
