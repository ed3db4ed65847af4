"""Running the real CLI in-process (Typer's CliRunner) for the tests."""

from __future__ import annotations

import re
from dataclasses import dataclass

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


def target_args(target: object) -> list[str]:
    """``--store PATH`` for a store folder, the endpoint options for a :class:`Server`."""
    if isinstance(target, Server):
        return target.args()
    return ["--store", str(target)]


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
