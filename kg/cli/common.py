"""What every command shares: the state the root callback sets, error handling, opening the graph, printing.

Library messages name parameters in backticks (`` `max_paths` ``); :func:`flags` says them
the command line's way (``--max-paths``).
"""

from __future__ import annotations

import functools
import json
import os
import re
import sys
from collections.abc import Callable, Mapping
from dataclasses import asdict, dataclass, is_dataclass
from pathlib import Path
from typing import Annotated, Any, Literal, TypeVar

import typer
from rich.console import Console
from rich.table import Table

from kg.errors import KGError, StoreError, UsageError
from kg.graph import KnowledgeGraph
from kg.output import cell
from kg.store import default_location
from kg.store.embedded import EmbeddedStore, damaged

__all__ = [
    "CliState",
    "FormatOption",
    "TableFormat",
    "echo_result",
    "flags",
    "handle_errors",
    "open_graph",
    "print_frame",
    "state",
]

F = TypeVar("F", bound=Callable[..., Any])


@dataclass(frozen=True)
class CliState:
    """The shared options of every command, as given on the command line (the environment fills in the rest)."""

    store: Path | None
    verbose: bool
    wait: float = 0.0
    endpoint: str | None = None
    update_endpoint: str | None = None
    gsp_endpoint: str | None = None


TableFormat = Literal["table", "csv", "json"]
"""How a table is printed."""
FormatOption = Annotated[TableFormat, typer.Option("--format", help="How to print the result.")]

_PARAMETER = re.compile(r"`([a-z][a-z0-9_]*)(?:=([^`\s]+))?`")


def flags(message: str, options: Mapping[str, str] | None = None) -> str:
    """A library message with its parameters said as the command's flags.

    ``options`` maps the command's parameter names to their flags; a plural library parameter
    is filled by a singular repeatable flag (``relations`` by ``--relation``), and a name the
    command does not know is said in kebab case.

    Examples:
        >>> flags("pass `allow_network=True` to permit it, or lower `max_paths`")
        'pass --allow-network to permit it, or lower --max-paths'
        >>> flags("narrow it with `relations` or `types`", {"relation": "--relation", "type_": "--type"})
        'narrow it with --relation or --type'
        >>> flags("run `filmkg ingest` first")
        'run `filmkg ingest` first'
    """
    known = dict(options or {})

    def say(match: re.Match[str]) -> str:
        name, value = match.group(1), match.group(2)
        singular = name[:-1] if name.endswith("s") else name
        flag = known.get(name) or known.get(singular) or known.get(singular + "_") or "--" + name.replace("_", "-")
        return flag if value in (None, "True") else f"{flag} {value}"

    return _PARAMETER.sub(say, message)


def options_of(ctx: typer.Context | None) -> dict[str, str]:
    """The flags of a command and of the root, by parameter name."""
    out: dict[str, str] = {}
    current: Any = ctx
    while current is not None:
        for param in current.command.params:
            flag = next((o for o in param.opts if o.startswith("--")), None)
            if flag is not None and param.name is not None:
                out.setdefault(param.name, flag)
        current = current.parent
    return out


def handle_errors(command: F) -> F:
    """Turn a :class:`~kg.errors.KGError` into ``error: <message>`` on stderr and its exit code."""

    @functools.wraps(command)
    def wrapper(*args: Any, **kwargs: Any) -> Any:
        try:
            return command(*args, **kwargs)
        except KGError as exc:
            ctx = kwargs.get("ctx")
            typer.echo(f"error: {flags(str(exc), options_of(ctx if isinstance(ctx, typer.Context) else None))}", err=True)
            code = exc.exit_code
        except (OSError, RuntimeError) as exc:  # RocksDB finds a damaged table while reading: exit 4, not a bug
            broken = damaged(exc, _store_folder(kwargs.get("ctx")))
            if broken is None:
                raise
            typer.echo(f"error: {flags(str(broken))}", err=True)
            code = broken.exit_code
        # Raised outside the except block, so that the error's traceback (and the store its frames
        # hold) is not kept alive by the Exit.
        raise typer.Exit(code)

    return wrapper  # type: ignore[return-value]


def _store_folder(ctx: Any) -> Path | None:
    """The store folder the shared options name, for messages (``None`` on a server). ``ctx`` is the
    command's context (click's own class, of which ``typer.Context`` is a subclass)."""
    found = ctx.find_root().obj if hasattr(ctx, "find_root") else None
    if not isinstance(found, CliState) or found.endpoint:
        return None
    return found.store or default_location()


def check(call: Callable[[], Any]) -> Any:
    """Run ``call`` outside a command (in the root callback): a :class:`~kg.errors.UsageError` becomes
    Typer's usage error (exit 2, with the usage line), any other :class:`~kg.errors.KGError` its message
    and exit code."""
    try:
        return call()
    except UsageError as exc:
        raise typer.BadParameter(flags(str(exc))) from None
    except KGError as exc:
        typer.echo(f"error: {flags(str(exc))}", err=True)
        raise typer.Exit(exc.exit_code) from None


def state(ctx: typer.Context) -> CliState:
    """The root callback's state."""
    found = ctx.find_root().obj
    assert isinstance(found, CliState)
    return found


def open_graph(ctx: typer.Context, *, write: bool = False, create: bool = False) -> KnowledgeGraph:
    """The graph the shared options name: read-only unless the command writes; created only when asked."""
    given = state(ctx)
    def waiting() -> None:
        typer.echo(f"waiting up to {given.wait:g} s for another process to finish with the store…", err=True)

    graph = KnowledgeGraph.from_env(
        store=given.store, endpoint=given.endpoint, update_endpoint=given.update_endpoint,
        gsp_endpoint=given.gsp_endpoint, create=create, read_only=not write, wait=given.wait, on_wait=waiting,
    )  # fmt: skip
    store = graph.store
    if isinstance(store, EmbeddedStore):
        if store.snapshot is not None:
            typer.echo(f"note: {flags(store.snapshot.note())}", err=True)
        store.watch_memory(_exit_damaged)
    return graph


def _exit_damaged(error: StoreError) -> None:
    """Say that the store is damaged and end the process with its exit code: called by the memory guard's
    thread while Oxigraph's query, which cannot be stopped, eats memory on a damaged table."""
    typer.echo(f"error: {flags(str(error))}", err=True)
    sys.stderr.flush()
    os._exit(error.exit_code)


def echo_result(value: Any, *, as_json: bool) -> None:
    """Print a library result (a dataclass): as JSON, or as its text form."""
    if as_json and is_dataclass(value) and not isinstance(value, type):
        typer.echo(json.dumps(asdict(value), ensure_ascii=False, indent=1))
    else:
        typer.echo(str(value))


def console() -> Console:
    """The console for tables on stdout (200 columns when not a terminal)."""
    return Console(highlight=False, width=None if sys.stdout.isatty() else 200)


def stderr() -> Console:
    """The console for progress on stderr."""
    return Console(stderr=True, highlight=False, soft_wrap=True)


def safe_frame(frame: Any) -> Any:
    """``frame`` with its text cells made safe for spreadsheets (:func:`kg.output.cell`); numbers,
    in every column, keep their type (a column of 19 and 0.25 stays 19 and 0.25)."""
    out = frame.copy()
    for name in out.columns:
        column = out[name]
        if getattr(column.dtype, "kind", "O") not in "iufcbmM":  # text, or text mixed with numbers
            out[name] = column.__class__([cell(v) for v in column], index=column.index, dtype=object)
    return out


def print_frame(frame: Any, format: TableFormat, *, title: str | None = None) -> None:
    """Print a pandas DataFrame as a table, CSV or JSON records."""
    if format == "csv":
        sys.stdout.write(safe_frame(frame).to_csv(index=False))
    elif format == "json":
        typer.echo(frame.to_json(orient="records", force_ascii=False, indent=1, default_handler=str))
    else:
        table = Table(*[str(c) for c in frame.columns], title=title)
        for row in frame.itertuples(index=False):
            table.add_row(*("" if v is None else str(v) for v in row))
        console().print(table)
