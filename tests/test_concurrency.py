"""Readers and writers of one store in several processes: readers share it, a writer excludes them,
and `--wait` waits for the other process instead of failing."""

from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path

import pytest

from cli_helpers import held_by_another_process
from kg import KnowledgeGraph

ROOT = Path(__file__).resolve().parent.parent
HOLD = """
import sys, time
from kg import KnowledgeGraph
graph = KnowledgeGraph.open(sys.argv[1], read_only=sys.argv[2] == "read")
print("ready", flush=True)
time.sleep(float(sys.argv[3]))
graph.close()
"""


@pytest.fixture
def store(tmp_path: Path) -> Path:
    folder = tmp_path / "store"
    with KnowledgeGraph.open(folder) as graph:
        graph.ingest(ROOT / "data" / "anora" / "anora.csv")
    return folder


def _filmkg(store: Path, *args: str) -> subprocess.CompletedProcess[str]:
    return subprocess.run(
        [sys.executable, "-m", "kg", "--store", str(store), *args], capture_output=True, text=True, timeout=120,
        env={k: v for k, v in os.environ.items() if k != "FILMKG_WAIT"},
    )


def test_readers_share_the_store(store: Path) -> None:
    with held_by_another_process(HOLD, store, "read", 60):
        run = _filmkg(store, "sources", "--json")
    assert run.returncode == 0 and "anora.csv" in run.stdout


HOLD_RAW = """
import sys, time
import pyoxigraph
store = pyoxigraph.Store(sys.argv[1])
print("ready", flush=True)
time.sleep(float(sys.argv[2]))
"""


def test_a_writer_without_a_snapshot_refuses_readers_and_says_how_to_wait(store: Path) -> None:
    """A writer that made no snapshot (here pyoxigraph itself; filmkg's writers make one, see
    tests/test_snapshot_readers.py): the reader cannot answer and says so."""
    with held_by_another_process(HOLD_RAW, store, 60):
        run = _filmkg(store, "show", "Anora")
    assert run.returncode == 4
    assert "is in use by another process" in run.stderr and "--wait" in run.stderr and "Traceback" not in run.stderr


def test_a_reader_refuses_a_writer(store: Path) -> None:
    with held_by_another_process(HOLD, store, "read", 60):
        run = _filmkg(store, "drop", "anora.csv")
    assert run.returncode == 4 and "is in use by another process" in run.stderr
    assert "anora.csv" in _filmkg(store, "sources", "--json").stdout  # nothing was dropped


def test_wait_waits_for_the_writer_to_finish(store: Path) -> None:
    with held_by_another_process(HOLD, store, "write", 2):
        run = _filmkg(store, "--wait", "60", "query", "--name", "cast", "--format", "csv")
    assert run.returncode == 0, run.stderr
    assert "waiting up to 60 s for another process to finish with the store" in run.stderr
    assert "Anora" in run.stdout


def test_wait_gives_up_with_the_time_waited(store: Path) -> None:
    with held_by_another_process(HOLD, store, "write", 60):
        run = _filmkg(store, "--wait", "0.5", "sources")
    assert run.returncode == 4 and "(waited 0.5 s)" in run.stderr
