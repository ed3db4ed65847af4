"""Readers during a write (issue 13): a writer checkpoints the committed state when it opens the store,
and a reader that finds it at work answers from that snapshot, saying so; `--wait` waits instead; a
snapshot never answers once its writer is gone, and the next write removes what a killed one left.

Every writer here is a real second process holding RocksDB's lock.
"""

from __future__ import annotations

import os
import subprocess
import sys
import time
from pathlib import Path

import pytest

from cli_helpers import cli, csv_rows, held_by_another_process
from kg import KnowledgeGraph
from kg.store.snapshot import SNAPSHOT_PREFIX, snapshot_name

DATA = Path(__file__).resolve().parent / "data"
HOLD_WRITE = """
import sys, time
from kg import KnowledgeGraph
graph = KnowledgeGraph.open(sys.argv[1])
print("ready", flush=True)
time.sleep(float(sys.argv[2]))
graph.close()
"""
COUNT = "SELECT (COUNT(*) AS ?n) WHERE { ?s <http://example.org/p1> ?o }"
NOTE = "answering from the store as it was before that write; pass --wait SECONDS to wait for the write's changes"


def _env(**extra: str) -> dict[str, str]:
    return {**{k: v for k, v in os.environ.items() if not k.startswith("FILMKG_")}, **extra}


def _filmkg(store: Path, *args: str | Path) -> subprocess.CompletedProcess[str]:
    return subprocess.run([sys.executable, "-m", "kg", "--store", str(store), *map(str, args)],
                          capture_output=True, text=True, timeout=300, env=_env())  # fmt: skip


def _snapshots(store: Path) -> list[str]:
    return sorted(p.name for p in store.iterdir() if p.name.startswith(SNAPSHOT_PREFIX))


@pytest.fixture
def store(kg_path: Path) -> Path:
    cli(kg_path, "ingest", DATA / "tiny.csv")
    return kg_path


def test_a_reader_answers_from_the_state_before_a_real_write_then_sees_it(store: Path, tmp_path: Path) -> None:
    big = tmp_path / "big.nt"
    with big.open("w", encoding="utf-8") as out:
        for i in range(300_000):
            out.write(f'<http://example.org/s{i}> <http://example.org/p{i % 40}> "value {i}" .\n')
    expected = sum(1 for i in range(300_000) if i % 40 == 1)
    writer = subprocess.Popen([sys.executable, "-m", "kg", "--store", str(store), "ingest", str(big)],
                              stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True, env=_env())  # fmt: skip
    snapshot = store / snapshot_name(writer.pid)
    try:
        while not (snapshot / "CURRENT").exists() and writer.poll() is None:
            time.sleep(0.005)
        during = _filmkg(store, "query", COUNT, "--format", "csv")
        listed = _filmkg(store, "sources", "--json")
        in_snapshot = _filmkg(store, "export", "--format", "nq", "-o", snapshot / "out.nq")
        held = writer.poll() is None  # the writer was at work all along
    finally:
        out, err = writer.communicate(timeout=300)
    assert writer.returncode == 0, err
    assert held, "the writer ended before the readers ran: make its file bigger"
    assert during.returncode == 0, during.stderr
    assert csv_rows(during.stdout) == [["n"], ["0"]]  # the committed state: none of the file yet
    assert f"note: process {writer.pid} is writing the store (since " in during.stderr and NOTE in during.stderr
    assert listed.returncode == 0 and "tiny.csv" in listed.stdout and "big.nt" not in listed.stdout
    assert in_snapshot.returncode != 0 and "inside the store folder" in in_snapshot.stderr
    assert "Traceback" not in during.stderr + listed.stderr + in_snapshot.stderr
    assert _snapshots(store) == []  # the writer removed its snapshot
    after = _filmkg(store, "query", COUNT, "--format", "csv")
    assert after.returncode == 0 and csv_rows(after.stdout) == [["n"], [str(expected)]]
    assert "note:" not in after.stderr


def test_wait_waits_for_the_writer_instead(store: Path) -> None:
    with held_by_another_process(HOLD_WRITE, store, 2):
        run = _filmkg(store, "--wait", "60", "sources", "--json")
    assert run.returncode == 0, run.stderr
    assert "waiting up to 60 s" in run.stderr and "note:" not in run.stderr and "tiny.csv" in run.stdout


def test_the_library_says_it_reads_a_snapshot(store: Path) -> None:
    with held_by_another_process(HOLD_WRITE, store, 60) as writer:
        with KnowledgeGraph.open(store, read_only=True) as graph:
            snapshot = graph.store.snapshot  # type: ignore[union-attr]
            assert snapshot is not None and snapshot.writer == writer.pid
            assert [s.name for s in graph.sources()] == ["tiny.csv"]
    with KnowledgeGraph.open(store, read_only=True) as graph:
        assert graph.store.snapshot is None  # type: ignore[union-attr]


def test_a_killed_writers_snapshot_never_answers_and_the_next_write_removes_it(store: Path, tmp_path: Path) -> None:
    with held_by_another_process(HOLD_WRITE, store, 60) as writer:
        pid = writer.pid
        assert _snapshots(store) == [snapshot_name(pid)]
    # killed: its snapshot stays, but the store is free, and readers read the store itself
    assert _snapshots(store) == [snapshot_name(pid)]
    (store / snapshot_name(pid) / "CURRENT").write_text("garbage\n")  # would fail loudly if it were read
    read = _filmkg(store, "sources", "--json")
    assert read.returncode == 0 and "tiny.csv" in read.stdout and "note:" not in read.stderr
    assert _snapshots(store) == [snapshot_name(pid)]  # a read removes nothing
    other = tmp_path / "other.csv"
    other.write_text("subject,predicate,object\nSean Baker,directed,Anora\n")
    written = _filmkg(store, "ingest", other)
    assert written.returncode == 0, written.stderr
    assert "removed what interrupted commands left: 1 snapshot" in written.stderr
    assert _snapshots(store) == []


def test_a_writer_without_a_snapshot_still_refuses_readers(store: Path) -> None:
    """A snapshot that is gone (or could not be made) is no answer: the reader says the store is in use."""
    with held_by_another_process(HOLD_WRITE, store, 60) as writer:
        for path in (store / snapshot_name(writer.pid)).iterdir():
            path.unlink()
        (store / snapshot_name(writer.pid)).rmdir()
        run = _filmkg(store, "sources")
    assert run.returncode == 4 and "is in use by another process" in run.stderr and "--wait" in run.stderr


def test_an_unfinished_snapshot_is_removed_and_a_finished_write_leaves_none(store: Path, tmp_path: Path) -> None:
    (store / (snapshot_name(999_999_999) + ".tmp")).mkdir()
    run = _filmkg(store, "ingest", DATA / "tiny.csv")
    assert run.returncode == 0 and "1 snapshot" in run.stderr
    assert _snapshots(store) == []
