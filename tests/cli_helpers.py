"""The tests' one helpers module: the real CLI run in-process (Typer's CliRunner), the SPARQL
server the tests use, and small readers of what commands print and stores hold.

- :func:`invoke` runs ``filmkg ARGS``; :func:`ok` and :func:`fails` run it and check a success
  or a clean failure (the exit code, no traceback, nothing on stdout); :func:`cli` and
  :func:`cli_fails` do the same on a :data:`Target` (a store folder or a :class:`Server`).
- :func:`quads` reads what a backend holds without filmkg; :func:`store_files` checksums a
  store folder's files; :func:`held_by_another_process` keeps a store open in a subprocess.
- :func:`csv_rows`, :func:`plain`, :func:`flat` read outputs and statements.
"""

from __future__ import annotations

import csv
import gc
import hashlib
import io
import re
import socket
import subprocess
import sys
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from pathlib import Path

import pyoxigraph as ox
import requests
from typer.testing import CliRunner

from kg.cli import app
from kg.store.virtuoso import repair
from kg.statements import Statement

runner = CliRunner()


@dataclass(frozen=True)
class Run:
    """What one command did: exit code, stdout and stderr apart, and the kind of exception."""

    exit_code: int
    stdout: str
    stderr: str
    output: str
    exception: type[BaseException] | None


def invoke(args: list[str], *, ok: bool, input: str | None = None, env: dict[str, str] | None = None) -> Run:
    """Run ``filmkg ARGS``; with ``ok``, exceptions propagate (happy paths use catch_exceptions=False)."""
    result = runner.invoke(app, args, input=input, env=env, catch_exceptions=not ok)
    return Run(
        exit_code=result.exit_code,
        stdout=result.stdout,
        stderr=result.stderr,
        output=result.output,
        exception=type(result.exception) if result.exception is not None else None,
    )


SERVER_PATHS = {
    "oxigraph": ("/query", "/update", "/store"),
    "virtuoso": ("/sparql", "/sparql", "/sparql-graph-crud"),
}
"""Where each tested server serves queries, updates and the Graph Store Protocol."""

TEST_GRAPHS = ("https://w3id.org/filmkg/", "http://example.org/")
"""What the tests write: filmkg's graphs and the tests' own "foreign" graphs."""


@dataclass(frozen=True)
class Server:
    """A real SPARQL server on loopback, as the tests use it.

    ``base`` is ``http://127.0.0.1:PORT``; ``kind`` says which server it is (see
    :data:`SERVER_PATHS`). ``own_graphs`` are the graphs the server keeps for itself
    (Virtuoso's system graphs): the tests neither read nor drop them.
    """

    base: str
    kind: str = "oxigraph"
    own_graphs: frozenset[str] = frozenset()

    @property
    def query_url(self) -> str:
        return self.base + SERVER_PATHS[self.kind][0]

    @property
    def update_url(self) -> str:
        return self.base + SERVER_PATHS[self.kind][1]

    @property
    def gsp_url(self) -> str:
        return self.base + SERVER_PATHS[self.kind][2]

    def args(self, *, update: bool = True, gsp: bool = True) -> list[str]:
        """The global options that point ``filmkg`` at this server."""
        out = ["--endpoint", self.query_url]
        if update:
            out += ["--update-endpoint", self.update_url]
        if gsp:
            out += ["--gsp-endpoint", self.gsp_url]
        return out

    def graph_names(self) -> set[str]:
        """The named graphs on the server that hold a triple (the server's own graphs left out)."""
        answer = requests.post(
            self.query_url, data={"query": "SELECT DISTINCT ?g WHERE { GRAPH ?g { ?s ?p ?o } }"},
            headers={"Accept": "text/csv"}, timeout=30,
        )
        answer.raise_for_status()
        names = {line.strip().strip('"') for line in answer.text.splitlines()[1:] if line.strip()}
        return names - self.own_graphs

    def clear(self) -> None:
        """Empty the server, so that each test starts from nothing: ``DROP ALL`` on Oxigraph; on
        Virtuoso every graph but its own (``DROP ALL`` would drop its system graphs too)."""
        if self.kind == "oxigraph":
            update = "DROP ALL"
        else:
            update = " ; ".join(f"DROP SILENT GRAPH <{g}>" for g in sorted(self.graph_names()))
            if not update:
                return
        requests.post(self.update_url, data={"update": update}, timeout=30).raise_for_status()

    def graph_triples(self, graph: str) -> set[ox.Triple]:
        """The triples of one named graph, from the Graph Store endpoint (not through filmkg's store);
        empty for a graph the server does not hold.

        Virtuoso writes some typed literals its own way (durations as numbers, see
        kg/store/virtuoso.py); they are read back in the embedded store's canonical form, so that
        what is on the server compares with what filmkg uploaded."""
        answer = requests.get(
            self.gsp_url, params={"graph": graph}, headers={"Accept": "application/n-triples"}, timeout=30
        )
        if answer.status_code == 404:
            return set()
        answer.raise_for_status()
        content = repair(answer.content) if self.kind == "virtuoso" else answer.content
        return {q.triple for q in ox.parse(content, format=ox.RdfFormat.N_TRIPLES)}

    def dataset(self) -> set[ox.Quad]:
        """Every quad on the server with its graph name, straight from its Graph Store endpoint (not
        through filmkg): what "left exactly as it was" compares. Oxigraph sends its whole dataset
        (default graph included) as N-Quads; Virtuoso, which has no default graph of its own, sends
        each named graph (its own graphs left out)."""
        if self.kind == "oxigraph":
            answer = requests.get(self.gsp_url, headers={"Accept": "application/n-quads"}, timeout=30)
            answer.raise_for_status()
            return set(ox.parse(answer.content, format=ox.RdfFormat.N_QUADS))
        out: set[ox.Quad] = set()
        for graph in self.graph_names():
            node = ox.NamedNode(graph)
            out |= {ox.Quad(t.subject, t.predicate, t.object, node) for t in self.graph_triples(graph)}
        return out


Target = Path | Server
"""Where a command works: a store folder (``--store``) or a SPARQL server (the endpoint options)."""


def target_args(target: Target) -> list[str]:
    """``--store PATH`` for a store folder, the endpoint options for a :class:`Server`."""
    if isinstance(target, Server):
        return target.args()
    return ["--store", str(target)]


# ------------------------------------------------------------------------------ success and clean failure


def ok(args: list[str], *, input: str | None = None, env: dict[str, str] | None = None) -> Run:
    """``filmkg ARGS``, expected to succeed: exceptions propagate (``catch_exceptions=False``) and the exit code is 0."""
    run = invoke(args, ok=True, input=input, env=env)
    assert run.exit_code == 0, run.output
    return run


def assert_clean_failure(run: Run, code: int | None = None) -> Run:
    """A clean failure: exit ``code`` (any non-zero one when ``None``), a ``SystemExit`` rather than an
    exception, no traceback anywhere, and nothing on stdout (the message is on stderr)."""
    if code is None:
        assert run.exit_code != 0, run.output
    else:
        assert run.exit_code == code, f"exit {run.exit_code}, not {code}: {run.output}"
    assert run.exception is SystemExit, f"not a clean exit: {run.exception}"
    assert "Traceback" not in run.output
    assert "Traceback" not in run.stderr
    assert run.stdout == "", run.stdout
    return run


def fails(
    args: list[str], code: int | None = None, *, input: str | None = None, env: dict[str, str] | None = None
) -> Run:
    """``filmkg ARGS``, expected to fail cleanly (see :func:`assert_clean_failure`)."""
    return assert_clean_failure(invoke(args, ok=False, input=input, env=env), code)


def cli(target: Target, *args: str | Path, input: str | None = None, env: dict[str, str] | None = None) -> Run:
    """A command on ``target`` expected to succeed (see :func:`ok`)."""
    return ok([*target_args(target), *map(str, args)], input=input, env=env)


def cli_fails(
    target: Target, *args: str | Path, code: int | None = None, input: str | None = None,
    env: dict[str, str] | None = None,
) -> Run:
    """A command on ``target`` expected to fail cleanly (see :func:`assert_clean_failure`)."""
    return fails([*target_args(target), *map(str, args)], code, input=input, env=env)


# ------------------------------------------------------------------------------ stores and ports


def quads(target: Target) -> set[ox.Quad]:
    """Every quad the backend itself holds, read without filmkg: the folder opened with pyoxigraph
    (read-only), or the server's whole dataset from its Graph Store endpoint (graphs filmkg does not
    list included)."""
    if isinstance(target, Server):
        return target.dataset()
    opened = ox.Store.read_only(str(target))
    try:
        return set(opened)
    finally:
        del opened
        gc.collect()


def store_files(folder: Path) -> dict[str, tuple[int, str]]:
    """Every file under ``folder``, by relative name: its size and SHA-256 (what "byte-identical" compares)."""
    out: dict[str, tuple[int, str]] = {}
    for file in sorted(folder.rglob("*")):
        if file.is_file():
            data = file.read_bytes()
            out[file.relative_to(folder).as_posix()] = (len(data), hashlib.sha256(data).hexdigest())
    return out


def free_port() -> int:
    """A loopback port with nothing listening on it."""
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return int(sock.getsockname()[1])


@contextmanager
def held_by_another_process(script: str, *args: str | Path) -> Iterator[subprocess.Popen[str]]:
    """Run ``python -c SCRIPT ARGS`` until it prints ``ready`` (it then holds a store open and sleeps);
    kill it when the block ends."""
    holder = subprocess.Popen(
        [sys.executable, "-c", script, *map(str, args)], stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True
    )
    try:
        assert holder.stdout is not None
        line = holder.stdout.readline()
        assert line.strip() == "ready", holder.stderr.read() if holder.stderr else line
        yield holder
    finally:
        holder.kill()
        holder.wait(timeout=30)


# ------------------------------------------------------------------------------ reading outputs


def csv_rows(text: str) -> list[list[str]]:
    """CSV output as rows of cells (the header first)."""
    return list(csv.reader(io.StringIO(text)))


def flat(statement: Statement) -> dict[str, str]:
    """A statement as one dict: each qualifier by name, ``source`` and ``quote`` (several values joined with "; ")."""
    out: dict[str, str] = {}
    for name, text in statement.qualifier_pairs():
        out[name] = f"{out[name]}; {text}" if name in out else text
    if statement.sources:
        out["source"] = "; ".join(statement.sources)
    if statement.quotes:
        out["quote"] = "; ".join(statement.quotes)
    return out


def flats(statements: list[Statement]) -> list[dict[str, str]]:
    """:func:`flat` of each statement."""
    return [flat(s) for s in statements]


def plain(text: str) -> str:
    """Typer's boxed usage error as one line of words (box drawing and line breaks removed)."""
    return " ".join(re.sub(r"[╭╮╰╯│─]", " ", text).split())


def stored(triples: set[ox.Triple]) -> set[ox.Triple]:
    """``triples`` as a store keeps them: typed literals in their canonical form ("PT10.0S" is "PT10S")."""
    store = ox.Store()
    store.extend(ox.Quad(t.subject, t.predicate, t.object) for t in triples)
    return {q.triple for q in store}
