"""Imports in kg/ point down the layers and form no cycle: tools/imports.py checks it, and is checked here.

The tool runs in a subprocess, as CI runs it: on the package itself (it must pass), and on
copies of ``kg/`` under tmp_path with one import added (it must fail, naming the file and
the line of that import).
"""

from __future__ import annotations

import re
import shutil
import subprocess
import sys
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parent.parent
TOOL = ROOT / "tools" / "imports.py"


def _check(package: Path | None = None) -> subprocess.CompletedProcess[str]:
    """``python tools/imports.py [PACKAGE]``."""
    args = [sys.executable, str(TOOL), *([str(package)] if package is not None else [])]
    return subprocess.run(args, capture_output=True, text=True, timeout=120, cwd=ROOT)


@pytest.fixture
def copy(tmp_path: Path) -> Path:
    """A copy of kg/ under tmp_path (the tool reads files; nothing is imported)."""
    target = tmp_path / "kg"
    shutil.copytree(ROOT / "kg", target, ignore=shutil.ignore_patterns("__pycache__"))
    return target


def _append(file: Path, text: str) -> int:
    """Append ``text`` (whole lines) to ``file``; the line number of its first line."""
    before = file.read_text(encoding="utf-8")
    if not before.endswith("\n"):
        before += "\n"
    file.write_text(before + text, encoding="utf-8")
    return before.count("\n") + 1


def test_every_import_in_kg_points_down() -> None:
    done = _check()
    assert done.returncode == 0, done.stdout + done.stderr
    assert re.fullmatch(r"\d+ modules: every import points down, no cycle\n", done.stdout), done.stdout


def test_an_unchanged_copy_passes(copy: Path) -> None:
    """The copies below fail because of the one import added, not because they are copies."""
    done = _check(copy)
    assert done.returncode == 0, done.stdout + done.stderr


@pytest.mark.parametrize(
    ("added", "offset"),
    [
        ("import kg.graph\n", 0),
        ("from kg.graph import KnowledgeGraph\n", 0),
        ("from .graph import KnowledgeGraph\n", 0),
        ("\n\ndef _later() -> None:\n    from kg import query\n", 3),
        ("from typing import TYPE_CHECKING\n\nif TYPE_CHECKING:\n    from kg.store import Store\n", 3),
    ],
    ids=["import", "from-import", "relative", "inside a function", "under TYPE_CHECKING"],
)
def test_an_upward_import_fails_naming_the_file_and_line(copy: Path, added: str, offset: int) -> None:
    line = _append(copy / "vocab.py", added) + offset
    done = _check(copy)
    assert done.returncode == 1, done.stdout
    assert re.search(rf"^kg/vocab\.py:{line}: kg\.vocab imports kg\.\w+, which is not in a lower layer$", done.stdout, re.M), (
        done.stdout
    )


def test_a_cycle_fails_naming_it(copy: Path) -> None:
    """Two modules of one package may import each other's layer, but not each other in a circle."""
    (copy / "store" / "left.py").write_text('"""One side."""\n\nfrom kg.store import right\n', encoding="utf-8")
    (copy / "store" / "right.py").write_text('"""The other."""\n\nfrom kg.store import left\n', encoding="utf-8")
    done = _check(copy)
    assert done.returncode == 1, done.stdout
    assert re.search(r"^cycle: kg\.store\.left -> kg\.store\.right -> kg\.store\.left$", done.stdout, re.M), done.stdout
    assert "lower layer" not in done.stdout  # a cycle inside one layer is no upward arrow


def test_a_third_party_package_out_of_its_layer_fails(copy: Path) -> None:
    line = _append(copy / "query.py", "import typer\n")
    done = _check(copy)
    assert done.returncode == 1, done.stdout
    assert re.search(rf"^kg/query\.py:{line}: kg\.query imports typer, which only cli may$", done.stdout, re.M), done.stdout
