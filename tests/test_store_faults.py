"""Stores in trouble (issue 13): on read-only media, and damaged where only a query finds it.

Each command runs in a subprocess: under reduced privileges for the read-only store (root writes
through any file mode, so as root the process runs without CAP_DAC_OVERRIDE, through ``setpriv``),
and with an address-space cap for the damaged store: a safety net, since filmkg bounds the memory a
read takes on a damaged table itself (:mod:`kg.store.guard`); without that bound, a command that
counts (``sources``) would die under the cap with SIGABRT, not exit 4.
"""

from __future__ import annotations

import os
import resource
import shutil
import subprocess
import sys
import time
from pathlib import Path

import pytest

from cli_helpers import cli, csv_rows, store_files

DATA = Path(__file__).resolve().parent / "data"
CAPS = "-dac_override,-dac_read_search,-fowner,-linux_immutable"


def _unprivileged() -> list[str]:
    """The command prefix that makes file modes hold: nothing for a user, ``setpriv`` without the
    capabilities that override them for root."""
    if os.geteuid() != 0:
        return []
    setpriv = shutil.which("setpriv")
    assert setpriv is not None, "as root, these tests need setpriv (util-linux) to drop CAP_DAC_OVERRIDE"
    return [setpriv, f"--bounding-set={CAPS}", f"--inh-caps={CAPS}"]


def _cap_memory() -> None:
    resource.setrlimit(resource.RLIMIT_AS, (3 << 30, 3 << 30))


def _run(prefix: list[str], *args: str | Path) -> subprocess.CompletedProcess[str]:
    return subprocess.run(
        [*prefix, sys.executable, *map(str, args)], capture_output=True, text=True, timeout=300,
        env={k: v for k, v in os.environ.items() if not k.startswith("FILMKG_")}, preexec_fn=_cap_memory,
    )  # fmt: skip


def _filmkg(prefix: list[str], store: Path, *args: str | Path) -> subprocess.CompletedProcess[str]:
    return _run(prefix, "-m", "kg", "--store", store, *args)


# ------------------------------------------------------------------ read-only media


@pytest.fixture
def read_only_store(kg_path: Path, anora_csv: Path) -> Path:
    cli(kg_path, "ingest", anora_csv)
    for path in [kg_path, *kg_path.iterdir()]:
        path.chmod(path.stat().st_mode & ~0o222)
    yield kg_path
    for path in [kg_path, *kg_path.iterdir()]:
        path.chmod(path.stat().st_mode | 0o200)


def test_the_test_cannot_write_the_read_only_store(read_only_store: Path) -> None:
    """The control: under the same prefix, a file of the store cannot be opened for writing."""
    done = _run(_unprivileged(), "-c", f"open({str(read_only_store / 'CURRENT')!r}, 'a')")
    assert done.returncode == 1 and "PermissionError" in done.stderr


def test_a_read_only_store_can_be_queried(read_only_store: Path) -> None:
    before = store_files(read_only_store)
    prefix = _unprivileged()
    done = _filmkg(prefix, read_only_store, "query", "--name", "cast", "--bind", "film=Anora", "--format", "csv")
    assert done.returncode == 0, done.stderr
    assert "Mikey Madison" in done.stdout
    listed = _filmkg(prefix, read_only_store, "sources", "--json")
    assert listed.returncode == 0 and "anora.csv" in listed.stdout
    assert store_files(read_only_store) == before


def test_writing_a_read_only_store_says_reads_work(read_only_store: Path) -> None:
    before = store_files(read_only_store)
    done = _filmkg(_unprivileged(), read_only_store, "ingest", DATA / "tiny.csv")
    assert done.returncode == 4, done.stderr
    assert f"cannot write the store {read_only_store}" in done.stderr and "read commands work" in done.stderr
    assert "Traceback" not in done.stderr
    assert store_files(read_only_store) == before


# ------------------------------------------------------------------ damage found by a query


def _damage_tables(store: Path) -> int:
    """Overwrite 2,000 bytes near the start of each larger table (a data block; the index and the footer at
    the end stay whole, so the store still opens); returns how many tables."""
    damaged = 0
    for table in store.glob("*.sst"):
        if table.stat().st_size > 20_000:
            with table.open("r+b") as stream:
                stream.seek(100)
                stream.write(b"\xff" * 2000)
            damaged += 1
    return damaged


OPENS_THEN_QUERIES = """
import sys
from kg import KnowledgeGraph, StoreError
graph = KnowledgeGraph.open(sys.argv[1], read_only=True)
print("opened", flush=True)
try:
    graph.query("SELECT * WHERE { ?s ?p ?o }")
except StoreError as exc:
    print("StoreError", exc)
"""


@pytest.mark.parametrize(
    "command",
    [
        ["query", "SELECT * WHERE { ?s ?p ?o }"],
        ["query", "--name", "cast", "--bind", "film=Anora"],
        ["show", "Anora"],
        ["export", "--format", "nq", "-o", "{tmp}/out.nq"],
    ],
    ids=["query", "named-query", "show", "export"],
)
def test_damage_met_during_a_query_is_exit_4_saying_what_to_do(
    kg_path: Path, anora_csv: Path, tmp_path: Path, command: list[str]
) -> None:
    cli(kg_path, "ingest", anora_csv)
    assert _damage_tables(kg_path) > 0
    api = _run([], "-c", OPENS_THEN_QUERIES, kg_path)
    assert api.stdout.startswith("opened\nStoreError"), api.stdout + api.stderr  # the open does not see it
    done = _filmkg([], kg_path, *[part.replace("{tmp}", str(tmp_path)) for part in command])
    assert done.returncode == 4, done.stderr
    assert f"the store {kg_path} is damaged" in done.stderr and "Corruption" in done.stderr
    assert "backup" in done.stderr and "export" in done.stderr and "Traceback" not in done.stderr
    assert done.stdout == ""
    assert not (tmp_path / "out.nq").exists()


# ------------------------------------------------------------------ damage that makes Oxigraph grow


@pytest.mark.parametrize(
    "command",
    [["sources"], ["sources", "--json"], ["query", "SELECT (COUNT(*) AS ?n) WHERE { GRAPH ?g { ?s ?p ?o } }"],
     ["ingest", str(DATA / "tiny.csv")]],
    ids=["sources", "sources-json", "count", "ingest"],
)
def test_damage_a_count_meets_is_exit_4_in_bounded_memory(kg_path: Path, anora_csv: Path, command: list[str]) -> None:
    """Oxigraph reports a damaged data block at every step of its scan, without end; a query that counts
    takes them all in (24 GB, then the kernel's OOM killer, without a cap). The memory guard checks
    the store once the read passes its bound, and ends the command with exit 4 and the advice."""
    cli(kg_path, "ingest", anora_csv)
    assert _damage_tables(kg_path) > 0
    before = store_files(kg_path)
    done = _filmkg([], kg_path, *command)
    assert done.returncode == 4, (done.returncode, done.stderr[-2000:])
    assert f"the store {kg_path} is damaged" in done.stderr and "Corruption" in done.stderr
    assert "backup" in done.stderr and "export" in done.stderr and "Traceback" not in done.stderr
    assert done.stdout == ""
    if command[0] != "ingest":  # a writer ended by the guard leaves its snapshot, for the next writer to remove
        assert store_files(kg_path) == before


def test_the_guard_leaves_a_healthy_read_alone(kg_path: Path, anora_csv: Path) -> None:
    """A read past a tiny bound scans the store, finds nothing wrong, and goes on: same answer as without."""
    cli(kg_path, "ingest", anora_csv)
    code = (
        "import sys, time\n"
        "from pathlib import Path\n"
        "from kg.store.guard import MemoryGuard, scan_for_damage\n"
        "found = []\n"
        "guard = MemoryGuard(Path(sys.argv[1]), found.append, bound=1, interval=0.01).start()\n"
        "guard._thread.join(timeout=60)\n"
        "print(found, scan_for_damage(Path(sys.argv[1])), guard._thread.is_alive())\n"
    )
    done = _run([], "-c", code, kg_path)
    assert done.stdout.strip() == "[] None False", done.stderr
    _damage_tables(kg_path)
    damaged = _run([], "-c", code, kg_path)
    assert damaged.stdout.startswith("['Corruption: block checksum mismatch"), damaged.stdout + damaged.stderr


# ------------------------------------------------------------------ a reader meets a writer


def test_a_reader_waits_for_a_real_writer_and_answers_from_what_it_committed(kg_path: Path, tmp_path: Path) -> None:
    """With ``--wait``, a reader waits for the writer (rather than answer from its snapshot: see
    tests/test_snapshot_readers.py), says so, and then sees the whole file the writer loaded."""
    cli(kg_path, "ingest", DATA / "tiny.csv")
    big = tmp_path / "big.nt"
    with big.open("w", encoding="utf-8") as out:
        for i in range(300_000):
            out.write(f'<http://example.org/s{i}> <http://example.org/p{i % 40}> "value {i}" .\n')
    expected = sum(1 for line in big.read_text(encoding="utf-8").splitlines() if "<http://example.org/p1> " in line)
    scratch = tmp_path / "tmp"
    scratch.mkdir()
    env = {**{k: v for k, v in os.environ.items() if not k.startswith("FILMKG_")}, "TMPDIR": str(scratch)}
    writer = subprocess.Popen([sys.executable, "-m", "kg", "--store", str(kg_path), "ingest", str(big)],
                              stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True, env=env)  # fmt: skip
    try:
        while not any(scratch.iterdir()) and writer.poll() is None:  # its temporary folder: it holds the store
            time.sleep(0.005)
        reader = _filmkg([], kg_path, "--wait", "300", "query",
                         "SELECT (COUNT(*) AS ?n) WHERE { ?s <http://example.org/p1> ?o }", "--format", "csv")  # fmt: skip
    finally:
        out, err = writer.communicate(timeout=300)
    assert writer.returncode == 0, err
    assert reader.returncode == 0, reader.stderr
    assert "waiting up to 300 s for another process to finish with the store" in reader.stderr
    assert csv_rows(reader.stdout) == [["n"], [str(expected)]]
