"""Check that every import in ``kg/`` points down the layers, and that there is no import cycle.

The layers, lowest first (an arrow reads "is imported by")::

    errors, lazy → vocab → ontology → sparql, formats, output, identifiers → store → statements → identity
        → registry, entity, texts → ingest, query, reconcile, verify, validate, quickstatements → conflicts → analysis → export, viz
        → graph → kg (the package) → cli → __main__

A module may import modules of lower layers, and modules of its own package (``kg.store.*``
among themselves, for example) as long as they form no cycle. Every import counts: at module
level, inside functions and under ``TYPE_CHECKING``. Third-party packages are held to the style
guide's rule: only ``cli`` imports typer, only ``viz`` imports pyvis, and only ``analysis``,
``viz`` and ``export`` import networkx.

Usage: ``python tools/imports.py [KG_DIR]``; prints each problem and exits 1 when there is one.
"""

from __future__ import annotations

import ast
import sys
from collections.abc import Iterator
from pathlib import Path

LAYERS: tuple[tuple[str, ...], ...] = (
    ("errors", "lazy"),
    ("vocab",),
    ("ontology",),
    ("sparql", "formats", "output", "identifiers"),
    ("store",),
    ("statements",),
    ("identity",),
    ("registry", "entity", "texts"),
    ("ingest", "query", "reconcile", "verify", "validate", "quickstatements"),
    ("conflicts",),
    ("analysis",),
    ("export", "viz"),
    ("graph",),
    ("",),  # kg/__init__.py
    ("cli",),
    ("__main__",),
)
THIRD_PARTY = {"typer": ("cli",), "pyvis": ("viz",), "networkx": ("analysis", "viz", "export")}


def layer_of(module: str) -> int:
    """The layer of ``kg.NAME...`` (by its first part after ``kg``)."""
    top = module.split(".")[1] if "." in module else ""
    for index, names in enumerate(LAYERS):
        if top in names:
            return index
    raise SystemExit(f"{module}: not in any layer of tools/imports.py: add it to LAYERS")


def modules(root: Path) -> dict[str, Path]:
    """Every module of the package at ``root``, by dotted name."""
    out = {}
    for file in sorted(root.rglob("*.py")):
        parts = file.relative_to(root.parent).with_suffix("").parts
        out[".".join(parts[:-1] if parts[-1] == "__init__" else parts)] = file
    return out


def imports(name: str, file: Path, known: dict[str, Path]) -> Iterator[tuple[int, str]]:
    """(line, module) of every import in ``file``: ``kg`` modules resolved to the nearest known one."""
    is_package = file.name == "__init__.py"
    for node in ast.walk(ast.parse(file.read_text(encoding="utf-8"))):
        targets: list[str] = []
        if isinstance(node, ast.Import):
            targets = [alias.name for alias in node.names]
        elif isinstance(node, ast.ImportFrom):
            base = node.module or ""
            if node.level:
                parts = name.split(".")
                parts = parts[: len(parts) - node.level + (1 if is_package else 0)]
                base = ".".join(parts + ([base] if base else []))
            targets = [f"{base}.{alias.name}" if f"{base}.{alias.name}" in known else base for alias in node.names]
        for target in targets:
            if target.split(".")[0] == "kg":
                while target not in known and "." in target:
                    target = target.rpartition(".")[0]
            yield node.lineno, target


def check(root: Path) -> list[str]:
    """Every problem: upward or sideways arrows, third-party rules, cycles."""
    known = modules(root)
    problems: list[str] = []
    edges: dict[str, set[str]] = {m: set() for m in known}
    for name, file in known.items():
        for line, target in imports(name, file, known):
            where = f"{file.relative_to(root.parent)}:{line}"
            top = target.split(".")[0]
            if top in THIRD_PARTY and layer_of(name) not in {layer_of(f"kg.{m}") for m in THIRD_PARTY[top]}:
                problems.append(f"{where}: {name} imports {top}, which only {', '.join(THIRD_PARTY[top])} may")
            if top != "kg" or target == name:
                continue
            edges[name].add(target)
            same_package = name.split(".")[:2] == target.split(".")[:2] and target != "kg"
            if name == "kg" or target == "kg":
                same_package = False
            if same_package:
                continue
            if layer_of(target) >= layer_of(name):
                problems.append(f"{where}: {name} imports {target}, which is not in a lower layer")
    problems += [f"cycle: {' -> '.join(c)}" for c in _cycles(edges)]
    return problems


def _cycles(edges: dict[str, set[str]]) -> list[list[str]]:
    found: list[list[str]] = []
    state: dict[str, int] = {}
    stack: list[str] = []

    def visit(node: str) -> None:
        state[node] = 1
        stack.append(node)
        for nxt in sorted(edges.get(node, ())):
            if state.get(nxt) == 1:
                found.append(stack[stack.index(nxt) :] + [nxt])
            elif nxt not in state:
                visit(nxt)
        stack.pop()
        state[node] = 2

    for node in sorted(edges):
        if node not in state:
            visit(node)
    return found


def main() -> int:
    root = Path(sys.argv[1] if len(sys.argv) > 1 else Path(__file__).resolve().parent.parent / "kg").resolve()
    problems = check(root)
    for problem in problems:
        print(problem)
    if not problems:
        print(f"{len(modules(root))} modules: every import points down, no cycle")
    return 1 if problems else 0


if __name__ == "__main__":
    sys.exit(main())
