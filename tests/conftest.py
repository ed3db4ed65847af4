"""Shared fixtures: real stores on disk and in memory, a real SPARQL server on loopback, and the sample data.

- The data: ``tiny_csv`` and ``anora_csv`` (copies per test, safe to edit), ``anora_file`` (one
  copy for the session, so that every store that ingests it records the same path).
- Knowledge graphs through the API: ``tiny_kg`` and ``anora_mem`` in memory, ``anora_kg`` on disk,
  ``kg_path`` a store folder not yet created; ``storage`` runs a test twice, in memory and on
  disk, for ``empty_kg``, ``tiny_graph`` and ``anora_graph``.
- Stores for the CLI: ``anora_folder_store`` (a store folder per test module, ingested through
  the CLI; for read-only tests), ``server`` (an emptied SPARQL server: each test that takes it runs
  on Oxigraph and on Virtuoso 7) and ``anora_server``; ``backend`` runs a test on a store folder and
  on each server, for ``target`` (empty) and ``anora_target``.
"""

from __future__ import annotations

import os
import shutil
import subprocess
import sys
import time
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path

import pytest
import requests

from cli_helpers import TEST_GRAPHS, Server, Target, cli, free_port
from servers import start_virtuoso, virtuoso_installed
from kg import KnowledgeGraph

ROOT = Path(__file__).resolve().parent.parent
DATA = Path(__file__).resolve().parent / "data"
ANORA = ROOT / "data" / "anora" / "anora.csv"
STORAGES = ("memory", "disk")
"""Where a knowledge graph opened through the API lives (the ``storage`` fixture's parameters)."""
SERVER_KINDS = ("oxigraph", "virtuoso")
"""The real SPARQL servers the tests run on (the ``server`` fixture's parameters)."""
BACKENDS = ("embedded", *SERVER_KINDS)
"""Where the CLI works (the ``backend`` fixture's parameters): a store folder, or each SPARQL server."""


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
    shutil.copy(ANORA, target)
    return target


@pytest.fixture(scope="session")
def anora_file(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """One copy of the shipped Anora data for the session: every store that ingests it records the same
    path and graph IRI, so that the embedded store and the server give the same answers. Do not edit it."""
    target = tmp_path_factory.mktemp("anora-data") / "anora.csv"
    shutil.copy(ANORA, target)
    return target


@pytest.fixture
def anora_kg(anora_csv: Path, kg_path: Path) -> Iterator[KnowledgeGraph]:
    """A store on disk loaded from the shipped Anora data."""
    with KnowledgeGraph.open(kg_path) as graph:
        graph.ingest(anora_csv)
        yield graph


@pytest.fixture
def anora_mem(anora_csv: Path) -> KnowledgeGraph:
    """An in-memory knowledge graph loaded from the shipped Anora data."""
    graph = KnowledgeGraph.memory()
    graph.ingest(anora_csv)
    return graph


# ------------------------------------------------------------------------------ in memory and on disk


@contextmanager
def new_graph(storage: str, folder: Path) -> Iterator[KnowledgeGraph]:
    """An empty knowledge graph: in memory, or a store on disk at ``folder`` (closed when the block ends)."""
    if storage == "memory":
        yield KnowledgeGraph.memory()
        return
    assert storage == "disk", storage
    with KnowledgeGraph.open(folder) as graph:
        yield graph


@pytest.fixture(params=STORAGES)
def storage(request: pytest.FixtureRequest) -> str:
    """Runs a test twice: on a knowledge graph in memory and on one on disk."""
    return str(request.param)


@pytest.fixture
def empty_kg(storage: str, kg_path: Path) -> Iterator[KnowledgeGraph]:
    """A real, empty knowledge graph: in memory, or an Oxigraph store on disk."""
    with new_graph(storage, kg_path) as graph:
        yield graph


@pytest.fixture
def tiny_graph(storage: str, kg_path: Path, tiny_csv: Path) -> Iterator[KnowledgeGraph]:
    """tests/data/tiny.csv, in memory and on disk."""
    with new_graph(storage, kg_path) as graph:
        graph.ingest(tiny_csv)
        yield graph


@pytest.fixture
def anora_graph(storage: str, kg_path: Path, anora_csv: Path) -> Iterator[KnowledgeGraph]:
    """The shipped Anora data, in memory and on disk."""
    with new_graph(storage, kg_path) as graph:
        graph.ingest(anora_csv)
        yield graph


# ------------------------------------------------------------------------------ the SPARQL server


SERVER_ENV = "FILMKG_TEST_SERVER"
"""The base URL of an Oxigraph server that ``.ci/run`` started; without it the tests start their own."""
VIRTUOSO_ENV = "FILMKG_TEST_VIRTUOSO"
"""The base URL of a Virtuoso server that ``.ci/run`` started; without it the tests start their own
when ``virtuoso-t`` is installed, and skip the Virtuoso runs only when it is not (CI installs it)."""


def _oxigraph_command() -> str:
    beside = Path(sys.executable).parent / "oxigraph"
    found = str(beside) if beside.exists() else shutil.which("oxigraph")
    if found is None:
        pytest.fail("the `oxigraph` server command is missing: pip install -e '.[test]' installs it", pytrace=False)
    return found


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
def sparql_server(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Server]:
    """A real Oxigraph SPARQL server on 127.0.0.1: the one ``.ci/run`` started (``$FILMKG_TEST_SERVER``),
    or one started here for the session."""
    given = os.environ.get(SERVER_ENV)
    if given:
        server = Server(given.rstrip("/"))
        _wait_until_up(server)
        yield server
        return
    folder = tmp_path_factory.mktemp("oxigraph-server")
    server = Server(f"http://127.0.0.1:{free_port()}")
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
    (see ``tests/servers.py``). Skipped only when Virtuoso is not installed and none was given."""
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


_SERVER_FIXTURES = {"oxigraph": "sparql_server", "virtuoso": "virtuoso_server"}
"""The session fixture that runs each kind of server."""


def emptied_server(kind: str, request: pytest.FixtureRequest) -> Server:
    """The session's server of this kind (see :data:`SERVER_KINDS`), emptied for this test."""
    found = request.getfixturevalue(_SERVER_FIXTURES[kind])
    assert isinstance(found, Server)
    found.clear()
    return found


@pytest.fixture(params=SERVER_KINDS)
def server(request: pytest.FixtureRequest) -> Server:
    """A real SPARQL server, emptied for this test: each test that takes it runs on Oxigraph and on Virtuoso."""
    return emptied_server(str(request.param), request)


# ------------------------------------------------------------------------------ the CLI on both backends


@pytest.fixture(scope="module")
def anora_folder_store(anora_file: Path, tmp_path_factory: pytest.TempPathFactory) -> Path:
    """A store folder holding the Anora data, ingested through the real CLI; one per test module,
    for tests that only read it."""
    store = tmp_path_factory.mktemp("anora-store") / "store"
    run = cli(store, "ingest", anora_file)
    assert run.stdout.startswith("1 file (1 added): 49 rows"), run.stdout
    return store


def _with_anora(server: Server, anora_file: Path) -> Server:
    run = cli(server, "ingest", anora_file)
    assert run.stdout.startswith("1 file (1 added): 49 rows"), run.stdout
    return server


@pytest.fixture
def anora_server(server: Server, anora_file: Path) -> Server:
    """The (emptied) SPARQL server holding the Anora data, ingested through the real CLI for this test
    (49 rows, quick), so that no test sees what another one left on the server."""
    return _with_anora(server, anora_file)


@pytest.fixture(params=BACKENDS)
def backend(request: pytest.FixtureRequest) -> str:
    """Runs a CLI test on a store folder and on each SPARQL server (Oxigraph, Virtuoso)."""
    return str(request.param)


@pytest.fixture
def target(backend: str, kg_path: Path, request: pytest.FixtureRequest) -> Target:
    """An empty target: a store folder under tmp_path (not yet created), or the emptied server."""
    if backend in SERVER_KINDS:
        return emptied_server(backend, request)
    return kg_path


@pytest.fixture
def anora_target(backend: str, request: pytest.FixtureRequest) -> Target:
    """The Anora data, ingested through the CLI: the module's store folder, or the emptied server
    (ingested for this test)."""
    if backend in SERVER_KINDS:
        return _with_anora(emptied_server(backend, request), request.getfixturevalue("anora_file"))
    found = request.getfixturevalue("anora_folder_store")
    assert isinstance(found, Path)
    return found
