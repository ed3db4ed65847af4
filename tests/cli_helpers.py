"""Running the real CLI in-process (Typer's CliRunner) for the tests."""

from __future__ import annotations

from dataclasses import dataclass

from typer.testing import CliRunner

from kg.cli import app

runner = CliRunner()


@dataclass(frozen=True)
class Run:
    """What one command did: exit code, stdout and stderr apart, and the kind of exception."""

    exit_code: int
    stdout: str
    stderr: str
    output: str
    exception: type[BaseException] | None


def invoke(args: list[str], *, ok: bool, input: str | None = None, env: dict[str, str] | None = None) -> Run:
    """Run ``filmkg ARGS``; with ``ok``, exceptions propagate (happy paths use catch_exceptions=False)."""
    result = runner.invoke(app, args, input=input, env=env, catch_exceptions=not ok)
    return Run(
        exit_code=result.exit_code,
        stdout=result.stdout,
        stderr=result.stderr,
        output=result.output,
        exception=type(result.exception) if result.exception is not None else None,
    )
