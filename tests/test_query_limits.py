"""A runaway query stops: after --timeout (or $FILMKG_QUERY_TIMEOUT) with exit 6, and at once on Ctrl-C;
the store stays as it was. Run as real processes, so that the abandoned query ends with them."""

from __future__ import annotations

import hashlib
import os
import signal
import subprocess
import sys
import time
from pathlib import Path

import pytest

from kg import KnowledgeGraph
from kg.errors import UsageError

ROOT = Path(__file__).resolve().parent.parent
RUNAWAY = "SELECT (COUNT(*) AS ?n) WHERE { ?a ?p ?b . ?c ?q ?d . ?e ?r ?f }"  # a billion rows on the Anora data


@pytest.fixture(scope="module")
def store(tmp_path_factory: pytest.TempPathFactory) -> Path:
    folder = tmp_path_factory.mktemp("limits") / "store"
    with KnowledgeGraph.open(folder) as graph:
        graph.ingest(ROOT / "data" / "anora" / "anora.csv")
    return folder


def _files(folder: Path) -> dict[str, str]:
    return {str(p.relative_to(folder)): hashlib.sha256(p.read_bytes()).hexdigest() for p in folder.rglob("*") if p.is_file()}


def _filmkg(store: Path, *args: str, env: dict[str, str] | None = None) -> subprocess.Popen[str]:
    return subprocess.Popen(
        [sys.executable, "-m", "kg", "--store", str(store), *args], stdout=subprocess.PIPE, stderr=subprocess.PIPE,
        text=True, env={**os.environ, **(env or {})},
    )


def test_timeout_stops_a_runaway_query_with_exit_6(store: Path) -> None:
    before = _files(store)
    process = _filmkg(store, "query", "--timeout", "0.5", RUNAWAY)
    out, err = process.communicate(timeout=120)
    assert process.returncode == 6
    assert "ran for more than 0.5 s and was stopped" in err and "--timeout" in err and "Traceback" not in err
    assert out == ""
    assert _files(store) == before


def test_the_environment_sets_the_timeout(store: Path) -> None:
    process = _filmkg(store, "query", RUNAWAY, env={"FILMKG_QUERY_TIMEOUT": "0.5"})
    _, err = process.communicate(timeout=120)
    assert process.returncode == 6 and "ran for more than 0.5 s" in err


def test_a_quick_query_is_not_affected_by_the_timeout(store: Path) -> None:
    process = _filmkg(store, "query", "--timeout", "60", "--format", "csv", "SELECT (COUNT(*) AS ?n) WHERE { ?s ?p ?o }")
    out, _ = process.communicate(timeout=120)
    assert process.returncode == 0 and int(out.splitlines()[1]) > 1000


def test_ctrl_c_stops_a_running_query(store: Path) -> None:
    before = _files(store)
    process = _filmkg(store, "query", RUNAWAY)
    time.sleep(1.5)  # well into the query (importing and opening take well under a second)
    assert process.poll() is None, "the runaway query ended by itself"
    process.send_signal(signal.SIGINT)
    try:
        process.communicate(timeout=10)
    except subprocess.TimeoutExpired:
        process.kill()
        process.communicate()
        pytest.fail("Ctrl-C did not stop the query")
    assert process.returncode != 0
    assert _files(store) == before


def test_a_bad_timeout_is_a_usage_error() -> None:
    from kg.query import query

    with pytest.raises(UsageError, match="`timeout` must be a positive number"):
        query(KnowledgeGraph.memory(), "ASK {}", timeout=0)
    os.environ["FILMKG_QUERY_TIMEOUT"] = "soon"
    try:
        with pytest.raises(UsageError, match="FILMKG_QUERY_TIMEOUT='soon' is not a number"):
            query(KnowledgeGraph.memory(), "ASK {}")
    finally:
        del os.environ["FILMKG_QUERY_TIMEOUT"]
