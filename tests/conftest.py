"""Shared fixtures: real stores on disk and in memory, a real SPARQL server on loopback, and the sample data.

- The data: ``tiny_csv`` and ``anora_csv`` (copies per test, safe to edit), ``anora_file`` (one
  copy for the session, so that every store that ingests it records the same path).
- Knowledge graphs through the API: ``tiny_kg`` and ``anora_mem`` in memory, ``anora_kg`` on disk,
  ``kg_path`` a store folder not yet created; ``storage`` runs a test twice, in memory and on
  disk, for ``empty_kg``, ``tiny_graph`` and ``anora_graph``.
- Stores for the CLI: ``anora_folder_store`` (a store folder per test module, ingested through
  the CLI; for read-only tests), ``server`` (the emptied SPARQL server) and ``anora_server``;
  ``backend`` runs a test twice, on a store folder and on the server, for ``target`` (empty) and
  ``anora_target``.
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

from cli_helpers import Server, Target, cli, free_port
from kg import KnowledgeGraph

ROOT = Path(__file__).resolve().parent.parent
DATA = Path(__file__).resolve().parent / "data"
ANORA = ROOT / "data" / "anora" / "anora.csv"
STORAGES = ("memory", "disk")
"""Where a knowledge graph opened through the API lives (the ``storage`` fixture's parameters)."""
BACKENDS = ("embedded", "server")
"""Where the CLI works (the ``backend`` fixture's parameters): a store folder, or a SPARQL server."""


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


def _oxigraph_command() -> str:
    beside = Path(sys.executable).parent / "oxigraph"
    found = str(beside) if beside.exists() else shutil.which("oxigraph")
    if found is None:
        pytest.fail("the `oxigraph` server command is missing: pip install -e '.[test]' installs it", pytrace=False)
    return found


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
    base = f"http://127.0.0.1:{free_port()}"
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


# ------------------------------------------------------------------------------ the CLI on both backends


@pytest.fixture(scope="module")
def anora_folder_store(anora_file: Path, tmp_path_factory: pytest.TempPathFactory) -> Path:
    """A store folder holding the Anora data, ingested through the real CLI; one per test module,
    for tests that only read it."""
    store = tmp_path_factory.mktemp("anora-store") / "store"
    run = cli(store, "ingest", anora_file)
    assert run.stdout.startswith("1 file (1 added): 49 rows"), run.stdout
    return store


@pytest.fixture
def anora_server(server: Server, anora_file: Path) -> Server:
    """The (emptied) SPARQL server holding the Anora data, ingested through the real CLI for this test
    (49 rows, quick), so that no test sees what another one left on the server."""
    run = cli(server, "ingest", anora_file)
    assert run.stdout.startswith("1 file (1 added): 49 rows"), run.stdout
    return server


@pytest.fixture(params=BACKENDS)
def backend(request: pytest.FixtureRequest) -> str:
    """Runs a CLI test twice: on a store folder and on a SPARQL server."""
    return str(request.param)


@pytest.fixture
def target(backend: str, kg_path: Path, request: pytest.FixtureRequest) -> Target:
    """An empty target: a store folder under tmp_path (not yet created), or the emptied server."""
    if backend == "server":
        found = request.getfixturevalue("server")
        assert isinstance(found, Server)
        return found
    return kg_path


@pytest.fixture
def anora_target(backend: str, request: pytest.FixtureRequest) -> Target:
    """The Anora data, ingested through the CLI: the module's store folder, or the server."""
    found = request.getfixturevalue("anora_server" if backend == "server" else "anora_folder_store")
    assert isinstance(found, (Path, Server))
    return found
