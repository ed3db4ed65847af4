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

from cli_helpers import TEST_GRAPHS, Server
from servers import start_virtuoso, virtuoso_installed
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
VIRTUOSO_ENV = "FILMKG_TEST_VIRTUOSO"
"""The base URL of a Virtuoso server that ``.ci/run`` started; without it the tests start their own
when ``virtuoso-t`` is installed, and skip the Virtuoso runs when it is not."""
SERVER_KINDS = ["oxigraph", "virtuoso"]


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


def _wait_until_up(server: Server, process: subprocess.Popen[bytes] | None = None) -> None:
    deadline = time.monotonic() + 30
    while time.monotonic() < deadline:
        if process is not None and process.poll() is not None:
            pytest.fail(f"the {server.kind} server exited with {process.returncode}", pytrace=False)
        try:
            requests.post(server.query_url, data={"query": "ASK {}"}, timeout=2).raise_for_status()
            return
        except requests.RequestException:
            time.sleep(0.1)
    pytest.fail(f"no SPARQL server answered at {server.query_url}", pytrace=False)


@pytest.fixture(scope="session")
def oxigraph_server(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Server]:
    """A real Oxigraph SPARQL server on 127.0.0.1: the one ``.ci/run`` started (``$FILMKG_TEST_SERVER``),
    or one started here for the session."""
    given = os.environ.get(SERVER_ENV)
    if given:
        server = Server(given.rstrip("/"))
        _wait_until_up(server)
        yield server
        return
    folder = tmp_path_factory.mktemp("oxigraph-server")
    server = Server(f"http://127.0.0.1:{_free_port()}")
    process = subprocess.Popen(
        [_oxigraph_command(), "serve", "--location", str(folder), "--bind", server.base.removeprefix("http://")],
        stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL,
    )
    try:
        _wait_until_up(server, process)
        yield server
    finally:
        process.terminate()
        process.wait(timeout=30)


@pytest.fixture(scope="session")
def virtuoso_server(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Server]:
    """A real Virtuoso 7 server on 127.0.0.1, writable over SPARQL and the Graph Store Protocol:
    the one ``.ci/run`` started (``$FILMKG_TEST_VIRTUOSO``), or one started here for the session
    (see ``tests/servers.py``). Skipped when Virtuoso is not installed and none was given."""
    given = os.environ.get(VIRTUOSO_ENV)
    running = None
    if given:
        base = given.rstrip("/")
    elif not virtuoso_installed():
        pytest.skip(f"Virtuoso is not installed (apt-get install virtuoso-opensource) and ${VIRTUOSO_ENV} is not set")
    else:
        running = start_virtuoso(tmp_path_factory.mktemp("virtuoso-server"))
        base = running.base
    try:
        _wait_until_up(Server(base, "virtuoso"))
        own = frozenset(g for g in Server(base, "virtuoso").graph_names() if not g.startswith(TEST_GRAPHS))
        yield Server(base, "virtuoso", own)
    finally:
        if running is not None:
            running.stop()


@pytest.fixture(params=SERVER_KINDS)
def server(request: pytest.FixtureRequest) -> Server:
    """A real SPARQL server, emptied for this test: each test that takes it runs on Oxigraph and on Virtuoso."""
    running = request.getfixturevalue(f"{request.param}_server")
    assert isinstance(running, Server)
    running.clear()
    return running
