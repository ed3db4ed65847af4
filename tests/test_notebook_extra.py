"""The ``notebook`` extra installs what the shipped notebooks import: every third-party module a notebook
imports belongs to a package declared in the core dependencies or in that extra."""

from __future__ import annotations

import ast
import json
import re
import sys
import tomllib
from importlib.metadata import packages_distributions
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parent.parent
NOTEBOOKS = sorted((ROOT / "notebooks").glob("*.ipynb"))


def _name(requirement: str) -> str:
    """The normalised distribution name of a requirement string."""
    match = re.match(r"[A-Za-z0-9][A-Za-z0-9._-]*", requirement)
    assert match, requirement
    return re.sub(r"[-_.]+", "-", match.group(0)).lower()


def _declared() -> set[str]:
    project = tomllib.loads((ROOT / "pyproject.toml").read_text(encoding="utf-8"))["project"]
    return {_name(r) for r in [*project["dependencies"], *project["optional-dependencies"]["notebook"]]}


def _imported_modules(notebook: Path) -> set[str]:
    cells = json.loads(notebook.read_text(encoding="utf-8"))["cells"]
    modules: set[str] = set()
    for cell in cells:
        if cell["cell_type"] != "code":
            continue
        source = "".join(cell["source"])
        source = "\n".join(line for line in source.splitlines() if not line.lstrip().startswith(("%", "!")))
        for node in ast.walk(ast.parse(source)):
            if isinstance(node, ast.Import):
                modules |= {alias.name.split(".")[0] for alias in node.names}
            elif isinstance(node, ast.ImportFrom) and node.module and not node.level:
                modules.add(node.module.split(".")[0])
    return modules


def test_the_extra_declares_jupyter_a_kernel_and_matplotlib() -> None:
    assert {"jupyterlab", "ipykernel", "matplotlib"} <= _declared()


@pytest.mark.parametrize("notebook", NOTEBOOKS, ids=lambda p: p.name)
def test_every_import_of_a_notebook_is_declared(notebook: Path) -> None:
    owners = packages_distributions()
    declared = _declared()
    missing = {}
    for module in sorted(_imported_modules(notebook)):
        if module in sys.stdlib_module_names or module == "kg":
            continue
        distributions = {_name(d) for d in owners.get(module, [])}
        assert distributions, f"{notebook.name} imports {module}, which no installed package provides"
        if not distributions & declared:
            missing[module] = sorted(distributions)
    assert not missing, f"{notebook.name} imports packages the notebook extra does not declare: {missing}"


def test_the_check_sees_an_undeclared_import(tmp_path: Path) -> None:
    notebook = tmp_path / "bad.ipynb"
    notebook.write_text(json.dumps({"cells": [{"cell_type": "code", "source": ["import hypothesis\n"]}]}))
    assert "hypothesis" in _imported_modules(notebook)
    assert "hypothesis" not in _declared()
