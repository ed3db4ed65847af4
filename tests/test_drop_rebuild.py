"""A drop that rebuilds the store without the file's graph (see kg/store/rebuild.py): same content as a
drop by batches and as a store that never had the file; crash-safe at every step (real processes
killed with SIGKILL at marked points); batches when the rule or the folder says so.

Real stores on disk. The generated file (benchmarks/generate.py) is most of the store, and
``REBUILD_MIN`` is lowered so that a small store takes the rebuild path.
"""

from __future__ import annotations

import os
import shutil
import signal
import subprocess
import sys
import textwrap
import time
from pathlib import Path

import pytest

from cli_helpers import cli
from conftest import ANORA, DATA
from kg import KnowledgeGraph
from kg.store import rebuild
from kg.store.rebuild import prefer_rebuild, rebuild_folder
from test_sources import _content, _never_had

sys.path.insert(0, str(Path(__file__).resolve().parent.parent / "benchmarks"))
from generate import write  # noqa: E402

ROWS = 600


@pytest.fixture(scope="module")
def base(tmp_path_factory: pytest.TempPathFactory) -> tuple[Path, Path]:
    """A store folder holding the Anora file and a generated file of :data:`ROWS` rows (most of the store),
    and that file; closed, to be copied by each test."""
    here = tmp_path_factory.mktemp("base")
    films = write(here / "films.csv", ROWS, seed=5)
    with KnowledgeGraph.open(here / "store") as graph:
        graph.ingest([ANORA, films])
    return here / "store", films


def _copy(base: tuple[Path, Path], tmp_path: Path) -> Path:
    target = tmp_path / "parent" / "store"
    target.parent.mkdir(parents=True)
    shutil.copytree(base[0], target)
    return target


def _debris(store: Path) -> list[Path]:
    return sorted(store.parent.glob(f".{store.name}.rebuild-*"))


def _drop(store: Path, name: str) -> None:
    with KnowledgeGraph.open(store) as graph:
        graph.drop(name)


def test_a_drop_by_rebuild_equals_a_store_that_never_had_the_file_and_a_drop_by_batches(
    base: tuple[Path, Path], tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    rebuilt, batches = _copy(base, tmp_path / "a"), _copy(base, tmp_path / "b")
    monkeypatch.setattr(rebuild, "REBUILD_MIN", 1)
    before = rebuilt.stat().st_ino
    _drop(rebuilt, "films.csv")
    assert rebuilt.stat().st_ino != before, "the store folder was not swapped: no rebuild"
    assert _debris(rebuilt) == [] and list(rebuilt.glob(".filmkg-snapshot-*")) == []  # the writer's snapshot went too
    monkeypatch.setattr(rebuild, "REBUILD_MIN", 10**12)  # never rebuild
    before = batches.stat().st_ino
    _drop(batches, "films.csv")
    assert batches.stat().st_ino == before
    with KnowledgeGraph.open(rebuilt, read_only=True) as one, KnowledgeGraph.open(batches, read_only=True) as two:
        assert _content(one) == _content(two) == _never_had(ANORA)
        assert set(one.store.raw) == set(two.store.raw)  # blank nodes of the ontology keep their names
    out = cli(rebuilt, "sources", "--json").stdout
    assert "anora.csv" in out and "films.csv" not in out


def test_the_rule_chooses_batches_when_most_of_the_store_remains(
    base: tuple[Path, Path], tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    assert prefer_rebuild(remaining=0, removed=rebuild.REBUILD_MIN)
    assert not prefer_rebuild(remaining=0, removed=rebuild.REBUILD_MIN - 1)
    assert not prefer_rebuild(remaining=4_000_000, removed=1_000_000)
    assert prefer_rebuild(remaining=1_000_000, removed=4_000_000)
    store = _copy(base, tmp_path)
    monkeypatch.setattr(rebuild, "REBUILD_MIN", 1)
    before = store.stat().st_ino
    _drop(store, "anora.csv")  # the small file: most of the store remains
    assert store.stat().st_ino == before and _debris(store) == []
    listed = cli(store, "sources", "--json").stdout
    assert "films.csv" in listed and "anora.csv" not in listed


def _read_only(folder: Path, on: bool) -> None:
    """Make ``folder`` refuse new entries: immutable (``chattr +i``) as root, whom a mode of 0o555 would
    not stop; a mode of 0o555 otherwise."""
    if os.geteuid() == 0:
        subprocess.run(["chattr", "+i" if on else "-i", str(folder)], check=True)
    else:
        os.chmod(folder, 0o555 if on else 0o755)


def test_the_store_is_compacted_after_dropping_a_big_file_not_a_small_one(
    base: tuple[Path, Path], tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """Compacting costs what the whole store costs: a drop compacts only when the file was a tenth of the store or more."""
    from kg.store.embedded import EmbeddedStore

    compacted: list[str] = []
    real = EmbeddedStore.optimize
    monkeypatch.setattr(EmbeddedStore, "optimize", lambda self: (compacted.append("x"), real(self))[1])
    store = _copy(base, tmp_path)
    _drop(store, ANORA.name)  # (a few dozen triples beside the generated file)
    assert compacted == []
    _drop(store, base[1].name)
    assert compacted == ["x"]


def test_a_parent_folder_that_cannot_be_written_falls_back_to_batches(base: tuple[Path, Path], tmp_path: Path) -> None:
    store = _copy(base, tmp_path)
    before = store.stat().st_ino
    _read_only(store.parent, True)
    try:
        run = subprocess.run([sys.executable, "-c", _child_script("", ""), str(store)], capture_output=True, text=True)
    finally:
        _read_only(store.parent, False)
    assert run.returncode == 0, run.stderr
    assert store.stat().st_ino == before and _debris(store) == []
    with KnowledgeGraph.open(store, read_only=True) as graph:
        assert _content(graph) == _never_had(ANORA)


_PAUSES = {
    "built": ("build_without", "result = original(*args, **kwargs)\nmark()"),
    "before swap": ("exchange", "mark()\nresult = original(*args, **kwargs)"),
    "after swap": ("exchange", "result = original(*args, **kwargs)\nmark()"),
    "removing the old folder": (
        "remove_folder",
        "if (args[0] / 'CURRENT').exists():\n"
        "    for table in sorted(args[0].glob('*.sst'))[:1] + [args[0] / 'CURRENT']:\n"
        "        table.unlink()\n"
        "    mark()\n"
        "result = original(*args, **kwargs)",
    ),
}


def _child_script(function: str, body: str) -> str:
    """A drop of films.csv from the store ``sys.argv[1]`` with the rebuild forced, ``function`` of
    kg.store.rebuild wrapped so that ``body`` runs around it; ``mark()`` writes ``sys.argv[1]`` +
    ``.marker`` and sleeps until the process is killed."""
    wrap = "" if not body else f"""
original = getattr(rebuild, {function!r})
def wrapped(*args, **kwargs):
{textwrap.indent(body, "    ")}
    return result
setattr(rebuild, {function!r}, wrapped)
"""
    return f"""
import sys, time
from pathlib import Path
from kg import KnowledgeGraph
from kg.store import rebuild
rebuild.REBUILD_MIN = 1
def mark():
    Path(sys.argv[1] + ".marker").write_text("here")
    time.sleep(600)
{wrap}
with KnowledgeGraph.open(Path(sys.argv[1])) as graph:
    graph.drop("films.csv")
"""


@pytest.mark.parametrize("point", list(_PAUSES))
def test_a_rebuild_killed_at_any_point_leaves_a_store_that_answers_and_debris_the_next_write_removes(
    base: tuple[Path, Path], tmp_path: Path, point: str
) -> None:
    store = _copy(base, tmp_path)
    marker = Path(f"{store}.marker")
    victim = subprocess.Popen([sys.executable, "-c", _child_script(*_PAUSES[point]), str(store)], stderr=subprocess.PIPE)
    deadline = time.monotonic() + 300
    while not marker.exists() and victim.poll() is None and time.monotonic() < deadline:
        time.sleep(0.01)
    victim.send_signal(signal.SIGKILL)
    _, err = victim.communicate()
    assert victim.returncode == -signal.SIGKILL and marker.exists(), err
    marker.unlink()
    assert _debris(store) == [rebuild_folder(store, victim.pid)]

    listed = cli(store, "sources", "--json").stdout  # a read: answers, removes nothing
    assert "anora.csv" in listed and "films.csv" not in listed
    reference = KnowledgeGraph.memory()
    reference.ingest(ANORA)
    with KnowledgeGraph.open(store, read_only=True) as graph:
        query = "SELECT (COUNT(*) AS ?n) WHERE { ?s ?p ?o }"
        assert [r[0] for r in graph.store.select(query)] == [r[0] for r in reference.store.select(query)]
    assert _debris(store) == [rebuild_folder(store, victim.pid)]

    next_write = subprocess.run(
        [sys.executable, "-m", "kg", "--store", str(store), "ingest", str(DATA / "tiny.csv")], capture_output=True, text=True
    )
    assert next_write.returncode == 0, next_write.stderr
    assert "removed what interrupted commands left:" in next_write.stderr and "1 rebuild folder" in next_write.stderr
    assert _debris(store) == []
    with KnowledgeGraph.open(store, read_only=True) as graph:
        assert _content(graph) == _never_had(ANORA, DATA / "tiny.csv")
