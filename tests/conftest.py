"""Shared fixtures: real stores on disk and in memory, a real SPARQL server on loopback, and the sample data."""

from __future__ import annotations

import os
import shutil
import socket
import subprocess
import sys
import time
from collections.abc import Iterator
from pathlib import Path

import pytest
import requests

from cli_helpers import Server
from kg import KnowledgeGraph

ROOT = Path(__file__).resolve().parent.parent
DATA = Path(__file__).resolve().parent / "data"


@pytest.fixture
def tiny_csv(tmp_path: Path) -> Path:
    """A copy of tests/data/tiny.csv in a temporary folder (safe to edit)."""
    target = tmp_path / "tiny.csv"
    shutil.copy(DATA / "tiny.csv", target)
    return target


@pytest.fixture
def tiny_kg(tiny_csv: Path) -> KnowledgeGraph:
    """An in-memory knowledge graph loaded from tests/data/tiny.csv."""
    graph = KnowledgeGraph.memory()
    graph.ingest(tiny_csv)
    return graph


@pytest.fixture
def kg_path(tmp_path: Path) -> Path:
    """A store folder on disk under tmp_path (not yet created)."""
    return tmp_path / "store"


@pytest.fixture
def anora_csv(tmp_path: Path) -> Path:
    """A copy of the shipped data/anora/anora.csv."""
    target = tmp_path / "anora.csv"
    shutil.copy(ROOT / "data" / "anora" / "anora.csv", target)
    return target


@pytest.fixture
def anora_kg(anora_csv: Path, kg_path: Path) -> Iterator[KnowledgeGraph]:
    """A store on disk loaded from the shipped Anora data."""
    with KnowledgeGraph.open(kg_path) as graph:
        graph.ingest(anora_csv)
        yield graph


SERVER_ENV = "FILMKG_TEST_SERVER"
"""The base URL of an Oxigraph server that ``.ci/run`` started; without it the tests start their own."""


def _oxigraph_command() -> str:
    beside = Path(sys.executable).parent / "oxigraph"
    found = str(beside) if beside.exists() else shutil.which("oxigraph")
    if found is None:
        pytest.fail("the `oxigraph` server command is missing: pip install -e '.[test]' installs it", pytrace=False)
    return found


def _free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return int(sock.getsockname()[1])


def _wait_until_up(base: str, process: subprocess.Popen[bytes] | None = None) -> None:
    deadline = time.monotonic() + 30
    while time.monotonic() < deadline:
        if process is not None and process.poll() is not None:
            pytest.fail(f"the Oxigraph server exited with {process.returncode}", pytrace=False)
        try:
            requests.post(f"{base}/query", data={"query": "ASK {}"}, timeout=2).raise_for_status()
            return
        except requests.RequestException:
            time.sleep(0.1)
    pytest.fail(f"no SPARQL server answered at {base}", pytrace=False)


@pytest.fixture(scope="session")
def sparql_server(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Server]:
    """A real Oxigraph SPARQL server on 127.0.0.1: the one ``.ci/run`` started (``$FILMKG_TEST_SERVER``),
    or one started here for the session."""
    given = os.environ.get(SERVER_ENV)
    if given:
        server = Server(given.rstrip("/"))
        _wait_until_up(server.base)
        yield server
        return
    folder = tmp_path_factory.mktemp("oxigraph-server")
    base = f"http://127.0.0.1:{_free_port()}"
    process = subprocess.Popen(
        [_oxigraph_command(), "serve", "--location", str(folder), "--bind", base.removeprefix("http://")],
        stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL,
    )
    try:
        _wait_until_up(base, process)
        yield Server(base)
    finally:
        process.terminate()
        process.wait(timeout=30)


@pytest.fixture
def server(sparql_server: Server) -> Server:
    """The SPARQL server, emptied for this test."""
    sparql_server.clear()
    return sparql_server
