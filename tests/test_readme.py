"""The README stays true: its command outputs are regenerated from real runs, and CI runs its test command."""

from __future__ import annotations

import importlib.util
import re
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent


def _tool() -> object:
    spec = importlib.util.spec_from_file_location("readme_tool", ROOT / "tools" / "readme.py")
    assert spec and spec.loader
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return module


def test_command_reference_matches_real_output() -> None:
    tool = _tool()
    readme = (ROOT / "README.md").read_text(encoding="utf-8")
    regenerated = tool.updated(readme)  # type: ignore[attr-defined]
    assert regenerated == readme, "README.md is out of date: run python tools/readme.py"


def test_readme_opens_with_the_two_commands_and_ci_runs_the_test_command() -> None:
    readme = (ROOT / "README.md").read_text(encoding="utf-8")
    blocks = re.findall(r"```bash\n(.*?)\n```", readme, re.S)
    main_job, test_command = blocks[0], blocks[1]
    assert "pip install ." in main_job and "filmkg ingest data/" in main_job and "filmkg query --name" in main_job
    assert "pytest" in test_command
    assert readme.index(main_job) < readme.index("## What it is")
    assert test_command in (ROOT / ".ci" / "run").read_text(encoding="utf-8")
