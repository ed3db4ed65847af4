"""Running the real CLI in-process (Typer's CliRunner) for the tests."""

from __future__ import annotations

import re
from dataclasses import dataclass

from typer.testing import CliRunner

from kg.cli import app
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


@dataclass(frozen=True)
class Server:
    """A real SPARQL server on loopback (Oxigraph's), as the tests use it.

    ``base`` is ``http://127.0.0.1:PORT``; Oxigraph serves queries at ``/query``,
    updates at ``/update`` and the Graph Store Protocol at ``/store``.
    """

    base: str

    @property
    def query_url(self) -> str:
        return f"{self.base}/query"

    @property
    def update_url(self) -> str:
        return f"{self.base}/update"

    @property
    def gsp_url(self) -> str:
        return f"{self.base}/store"

    def args(self, *, update: bool = True, gsp: bool = True) -> list[str]:
        """The global options that point ``filmkg`` at this server."""
        out = ["--endpoint", self.query_url]
        if update:
            out += ["--update-endpoint", self.update_url]
        if gsp:
            out += ["--gsp-endpoint", self.gsp_url]
        return out

    def clear(self) -> None:
        """Empty the server (``DROP ALL``), so that each test starts from nothing."""
        import requests

        requests.post(self.update_url, data={"update": "DROP ALL"}, timeout=30).raise_for_status()

    def quads(self) -> set[object]:
        """Every quad on the server, straight from its Graph Store endpoint (not through filmkg)."""
        import pyoxigraph as ox
        import requests

        answer = requests.post(
            self.query_url,
            data={"query": "CONSTRUCT { ?s ?p ?o } WHERE { GRAPH ?g { ?s ?p ?o } }"},
            headers={"Accept": "application/n-triples"},
            timeout=30,
        )
        answer.raise_for_status()
        return set(ox.parse(answer.content, format=ox.RdfFormat.N_TRIPLES))

    def dataset(self) -> set[object]:
        """Every quad on the server with its graph name (default graph included), straight from
        Oxigraph's Graph Store endpoint (not through filmkg): what "left exactly as it was" compares."""
        import pyoxigraph as ox
        import requests

        answer = requests.get(self.gsp_url, headers={"Accept": "application/n-quads"}, timeout=30)
        answer.raise_for_status()
        return set(ox.parse(answer.content, format=ox.RdfFormat.N_QUADS))


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
