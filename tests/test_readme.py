"""The README stays true: its command outputs are regenerated from real runs, each "Python:" line beside
a command is run and gives what the command printed, and CI runs its test command."""

from __future__ import annotations

import importlib.util
import re
import sys
from pathlib import Path
from types import ModuleType
from typing import Any

import pytest

ROOT = Path(__file__).resolve().parent.parent


def _tool() -> ModuleType:
    spec = importlib.util.spec_from_file_location("readme_tool", ROOT / "tools" / "readme.py")
    assert spec and spec.loader
    module = importlib.util.module_from_spec(spec)
    sys.modules[spec.name] = module  # its dataclasses look their module up
    spec.loader.exec_module(module)
    return module


tool = _tool()


@pytest.fixture(scope="module")
def outcomes() -> list[Any]:
    """Every example of the README run once: the commands on a store, the Python lines on a twin store."""
    return list(tool.run_examples())


def test_every_python_line_gives_what_its_command_printed(outcomes: list[Any]) -> None:
    assert tool.problems(outcomes) == []


def test_every_python_line_is_compared_with_its_command(outcomes: list[Any]) -> None:
    with_python = [o for o in outcomes if o.example.python]
    assert len(with_python) >= 20
    for outcome in with_python:
        assert outcome.compared, f"{outcome.example.heading}: its Python line was not compared"


def test_command_reference_matches_real_output(outcomes: list[Any]) -> None:
    readme = (ROOT / "README.md").read_text(encoding="utf-8")
    assert tool.updated(readme, outcomes) == readme, "README.md is out of date: run python tools/readme.py"
    for outcome in outcomes:
        if outcome.example.python:
            assert f"Python: `{outcome.example.python}`" in readme


INGEST = tool.Example("ingest", "ingest data/anora", 'kg.ingest("data/anora")')


@pytest.mark.parametrize(
    ("args", "python", "problem"),
    [
        ("query --name cast --format csv", 'kg.query(name="awards").to_dataframe()', "the rows differ"),
        ("query --name awards --format table", 'kg.query(name="awards", bind={"person": "Sean Baker"})', "the CSV differ"),
        ("show Igor", 'print(kg.show("Ani"))', "what is printed differ"),
        ("neighbors Ani --depth 1", 'kg.neighbors("Ani", depth=2)', "the number of records differ"),
        ("analyze centrality --measure betweenness --top 5", 'kg.centrality(measure="degree", top=5)', "the rows differ"),
        ("analyze stats", 'analysis.stats(kg)["classes"].head(2).pipe(lambda f: {"classes": f})', "the tables differ"),
        ("query --list", "kg.query.named_queries()", "raised AttributeError"),
        ("ingest tests/data/bad.csv", 'kg.ingest("tests/data/bad.csv")', "raised IngestError"),
        ("sources", "kg.sources()  # raises NotFoundError", "says it raises NotFoundError"),
        ("export --format trig -o anora.trig", 'kg.export("other.trig")', "the message differ"),
        ("analyze stats", 'kg.to_networkx("entity")', "no comparison for a"),
    ],
    ids=["frame", "query result", "printed", "records", "centrality", "tables", "broken line", "unexpected raise",
         "no raise", "file", "unknown result"],
)
def test_a_python_line_that_drifts_from_its_command_is_caught(args: str, python: str, problem: str) -> None:
    example = tool.Example("drifting", args, python)
    *_, outcome = tool.run_examples([INGEST, example])
    found = tool.problems([outcome])
    assert any(p.startswith("drifting: ") and problem in p for p in found), found


def test_readme_opens_with_the_two_commands_and_ci_runs_the_test_command() -> None:
    readme = (ROOT / "README.md").read_text(encoding="utf-8")
    blocks = re.findall(r"```bash\n(.*?)\n```", readme, re.S)
    main_job, test_command = blocks[0], blocks[1]
    assert "pip install ." in main_job and "filmkg ingest data/" in main_job and "filmkg query --name" in main_job
    assert "pytest" in test_command
    assert readme.index(main_job) < readme.index("## What it is")
    assert test_command in (ROOT / ".ci" / "run").read_text(encoding="utf-8")
