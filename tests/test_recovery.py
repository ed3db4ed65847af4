"""Recovery from interrupted commands (issue 13): what a killed command leaves is removed by the next
writing command, which says so, and never by a read.

- orphan graphs: counted (graphs and triples) in the ingest and drop reports and on stderr, and
  their space given back (the store is compacted);
- temporary folders of dead ingests in ``$TMPDIR`` (never a live process's) and ``bulk-*.sst``
  files of a killed bulk load: made by a real ingest killed with SIGKILL;
- RocksDB's info log: reads write none, writes keep the newest few.
"""

from __future__ import annotations

import gc
import os
import signal
import subprocess
import sys
import time
from pathlib import Path

import pyoxigraph as ox
import pytest

from cli_helpers import cli, quads, store_files
from kg import KnowledgeGraph
from kg.store.recovery import KEEP_LOGS, SCRATCH_PREFIX, remove_dead_scratch
from kg.vocab import GRAPH_PREFIX

ROOT = Path(__file__).resolve().parent.parent
DATA = Path(__file__).resolve().parent / "data"
ORPHAN = GRAPH_PREFIX + "0123456789abcdef01234567"


def _triples_file(path: Path, n: int) -> Path:
    with path.open("w", encoding="utf-8") as out:
        for i in range(n):
            out.write(f'<http://example.org/s{i}> <http://example.org/p{i % 40}> "value number {i}, padded out" .\n')
    return path


def _leave_orphan(store: Path, ntriples: Path) -> int:
    """Load ``ntriples`` into a graph no registry entry names, as a killed ingest leaves it (with pyoxigraph
    itself); returns the number of triples, counted by pyoxigraph."""
    raw = ox.Store(str(store))
    raw.bulk_load(path=str(ntriples), format=ox.RdfFormat.N_TRIPLES, to_graph=ox.NamedNode(ORPHAN))
    raw.flush()
    count = sum(1 for _ in raw.quads_for_pattern(None, None, None, ox.NamedNode(ORPHAN)))
    del raw
    gc.collect()
    return count


def _size(folder: Path) -> int:
    return sum(p.stat().st_size for p in folder.rglob("*") if p.is_file())


def _graphs(store: Path) -> set[str]:
    return {q.graph_name.value for q in quads(store) if isinstance(q.graph_name, ox.NamedNode)}


# ------------------------------------------------------------------ orphan graphs


def test_an_orphan_is_removed_by_the_next_ingest_which_says_so(kg_path: Path, tiny_csv: Path, tmp_path: Path) -> None:
    cli(kg_path, "ingest", tiny_csv)
    lines = _triples_file(tmp_path / "orphan.nt", 250)
    expected = _leave_orphan(kg_path, lines)
    assert expected == 250
    before = store_files(kg_path)
    read = cli(kg_path, "sources")
    assert "orphan" not in read.stderr and store_files(kg_path) == before  # a read neither removes nor says
    other = tmp_path / "other.csv"
    other.write_text("subject,predicate,object\nSean Baker,directed,Anora\n")
    run = cli(kg_path, "ingest", other)
    assert "removed what interrupted commands left: 1 orphan graph (250 triples)" in run.stderr
    assert ORPHAN not in _graphs(kg_path)
    again = cli(kg_path, "ingest", other)  # nothing left: nothing said
    assert "removed" not in again.stderr


def test_the_ingest_report_counts_the_orphans(kg_path: Path, tiny_csv: Path, tmp_path: Path) -> None:
    with KnowledgeGraph.open(kg_path) as graph:
        graph.ingest(tiny_csv)
    expected = _leave_orphan(kg_path, _triples_file(tmp_path / "o.nt", 37))
    with KnowledgeGraph.open(kg_path) as graph:
        report = graph.ingest(tiny_csv)  # unchanged: the orphans go all the same
        assert [f.status for f in report.files] == ["unchanged"]
        assert (report.recovered.orphan_graphs, report.recovered.orphan_triples) == (1, expected)
        assert report.summary().startswith("1 file (1 unchanged)")


def test_drop_removes_the_orphans_and_says_so(kg_path: Path, tiny_csv: Path, tmp_path: Path) -> None:
    cli(kg_path, "ingest", tiny_csv)
    expected = _leave_orphan(kg_path, _triples_file(tmp_path / "o.nt", 12))
    run = cli(kg_path, "drop", "tiny.csv")
    assert f"1 orphan graph ({expected} triples)" in run.stderr
    assert run.stdout.startswith("dropped tiny.csv: ")
    assert not any(g.startswith(GRAPH_PREFIX) for g in _graphs(kg_path))


def test_cleaning_up_a_large_orphan_gives_its_space_back(kg_path: Path, tiny_csv: Path, tmp_path: Path) -> None:
    """The orphan's space is given back: the store ends near its size before, far below its size with it."""
    cli(kg_path, "ingest", tiny_csv)
    cli(kg_path, "ingest", tiny_csv)  # a second write open, so that the size compared settles
    small = _size(kg_path)
    _leave_orphan(kg_path, _triples_file(tmp_path / "big.nt", 150_000))
    with_orphan = _size(kg_path)
    assert with_orphan > small + (20 << 20)
    cli(kg_path, "ingest", tiny_csv)  # removes the orphan and compacts
    cli(kg_path, "ingest", tiny_csv)  # RocksDB drops the obsolete write-ahead log when it next opens for writing
    after = _size(kg_path)
    # what stays is RocksDB's string dictionary, which Oxigraph never shrinks (about 100 bytes a triple here)
    assert after < small + (with_orphan - small) // 2, (small, with_orphan, after)


def test_drop_of_a_large_source_gives_most_of_its_space_back(kg_path: Path, tmp_path: Path) -> None:
    cli(kg_path, "ingest", DATA / "tiny.csv")
    small = _size(kg_path)
    big = _triples_file(tmp_path / "big.nt", 150_000)
    cli(kg_path, "ingest", big)
    loaded = _size(kg_path)
    cli(kg_path, "drop", "big.nt")
    cli(kg_path, "ingest", DATA / "tiny.csv")  # the next write open lets RocksDB drop the obsolete log
    after = _size(kg_path)
    assert after < small + (loaded - small) // 2, (small, loaded, after)


# ------------------------------------------------------------------ debris of dead processes


def _filmkg(store: Path, tmpdir: Path, *args: str | Path) -> subprocess.Popen[str]:
    return subprocess.Popen(
        [sys.executable, "-m", "kg", "--store", str(store), *map(str, args)],
        stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True,
        env={**{k: v for k, v in os.environ.items() if not k.startswith("FILMKG_")}, "TMPDIR": str(tmpdir)},
    )  # fmt: skip


def test_a_killed_ingest_leaves_debris_that_the_next_write_removes(kg_path: Path, tmp_path: Path) -> None:
    """SIGKILL while the bulk loader writes its ``bulk-*.sst`` files: the temporary folder and those files
    stay; the next ingest removes both, says so, and the store holds exactly the next file."""
    tmpdir = tmp_path / "tmp"
    tmpdir.mkdir()
    cli(kg_path, "ingest", DATA / "tiny.csv")
    before = quads(kg_path)
    big = _triples_file(tmp_path / "big.nt", 400_000)
    victim = _filmkg(kg_path, tmpdir, "ingest", big)
    deadline = time.monotonic() + 300
    while not list(kg_path.glob("bulk-*.sst")) and victim.poll() is None and time.monotonic() < deadline:
        time.sleep(0.005)
    victim.send_signal(signal.SIGKILL)
    victim.communicate()
    left = list(kg_path.glob("bulk-*.sst"))
    folders = [p for p in tmpdir.iterdir() if p.name.startswith(f"{SCRATCH_PREFIX}{victim.pid}-")]
    assert victim.returncode == -signal.SIGKILL and left and folders, "the kill came too late"
    assert any(p.stat().st_size for p in folders[0].iterdir())
    assert quads(kg_path) <= before | {q for q in quads(kg_path) if q.graph_name.value.startswith(GRAPH_PREFIX)}
    manifest = b"".join(m.read_bytes() for m in kg_path.glob("MANIFEST-*"))
    assert all(p.name.encode() not in manifest for p in left)  # RocksDB does not list them
    sources = cli(kg_path, "sources", "--json")  # a read: removes nothing
    assert "big.nt" not in sources.stdout and list(kg_path.glob("bulk-*.sst")) == left and folders[0].exists()

    next_write = _filmkg(kg_path, tmpdir, "ingest", DATA / "tiny.csv")
    out, err = next_write.communicate(timeout=300)
    assert next_write.returncode == 0, err
    assert "removed what interrupted commands left:" in err and "1 temporary folder" in err
    assert f"{len(left)} bulk-load file" in err
    assert list(kg_path.glob("bulk-*.sst")) == [] and not folders[0].exists()
    assert list(tmpdir.iterdir()) == []
    assert quads(kg_path) == before  # the orphan (if the kill left one) is gone too; tiny.csv is unchanged


def test_the_folder_of_a_live_process_is_kept(tmp_path: Path) -> None:
    sleeper = subprocess.Popen([sys.executable, "-c", "import time; time.sleep(60)"])
    exited = subprocess.run([sys.executable, "-c", "import os; print(os.getpid())"], capture_output=True, text=True)
    try:
        live = tmp_path / f"{SCRATCH_PREFIX}{sleeper.pid}-abc"
        dead = tmp_path / f"{SCRATCH_PREFIX}{int(exited.stdout)}-def"
        unknown = tmp_path / f"{SCRATCH_PREFIX}xyz"  # an older filmkg's folder: whose it is cannot be told
        for folder in (live, dead, unknown):
            folder.mkdir()
            (folder / "0.nt").write_bytes(b"x" * 1000)
        done = remove_dead_scratch(tmp_path)
        assert (done.temp_folders, done.freed_bytes) == (1, 1000)
        assert live.exists() and unknown.exists() and not dead.exists()
    finally:
        sleeper.kill()
        sleeper.wait()


# ------------------------------------------------------------------ RocksDB's info log


def test_reads_write_no_log_and_writes_keep_a_few(kg_path: Path, tiny_csv: Path) -> None:
    cli(kg_path, "ingest", tiny_csv)
    logs = sorted(p.name for p in kg_path.glob("LOG*"))
    for _ in range(10):
        cli(kg_path, "sources")
        cli(kg_path, "query", "SELECT * WHERE { ?s ?p ?o } LIMIT 1")
    assert sorted(p.name for p in kg_path.glob("LOG*")) == logs
    for _ in range(10):
        cli(kg_path, "ingest", tiny_csv)
    assert len(list(kg_path.glob("LOG.old.*"))) == KEEP_LOGS
    assert (kg_path / "LOG").exists()
