"""Writing result files safely: never into the store, never half a file, never a formula.

Every export and view is written to a temporary file in the target's folder and
renamed over the target only when complete, so a failure (a full disk, Ctrl-C)
leaves the previous file as it was; and a path inside the store folder is refused,
so a typo cannot destroy the store. Every CSV cell goes through :func:`cell`, so that a
name such as ``=HYPERLINK(...)`` is not a formula when the file is opened in a spreadsheet.

Examples:
    >>> import tempfile
    >>> folder = Path(tempfile.mkdtemp())
    >>> with written(folder / "out.txt") as stream:
    ...     _ = stream.write(b"hello")
    >>> (folder / "out.txt").read_text()
    'hello'
"""

from __future__ import annotations

import contextlib
import os
import re
import tempfile
from collections.abc import Iterator
from pathlib import Path
from typing import IO

from kg.errors import KGError

__all__ = ["cell", "uncell", "written"]

FORMULA_STARTS = ("=", "+", "-", "@", "\t", "\r")
"""What a spreadsheet reads as the start of a formula (OWASP's list for CSV injection)."""
_NUMBER = re.compile(r"[+-]?(?:[0-9]+(?:\.[0-9]*)?|\.[0-9]+)(?:[eE][+-]?[0-9]+)?")


def cell(value: object) -> object:
    """A CSV cell that no spreadsheet runs as a formula: text starting with ``=``, ``+``, ``-``, ``@``, a tab
    or a carriage return gets a leading ``'`` (OWASP's advice), unless it is a plain number (``-5``,
    ``+1.5e3``), which keeps its form; anything else is returned as it is.

    Examples:
        >>> cell("=HYPERLINK(A1)"), cell("@SUM(A1)"), cell("-5"), cell("-2.5e3"), cell(-5), cell("Anora")
        ("'=HYPERLINK(A1)", "'@SUM(A1)", '-5', '-2.5e3', -5, 'Anora')
    """
    if isinstance(value, str) and value.startswith(FORMULA_STARTS) and not _NUMBER.fullmatch(value):
        return "'" + value
    return value


def uncell(text: str) -> str:
    """Undo :func:`cell`: a CSV cell filmkg wrote (the proposals of ``reconcile``, say) reads back as it was.

    Examples:
        >>> uncell("'=1+2"), uncell("'quoted'"), uncell("'-5")
        ('=1+2', "'quoted'", "'-5")
    """
    if text.startswith("'") and text[1:].startswith(FORMULA_STARTS) and not _NUMBER.fullmatch(text[1:]):
        return text[1:]
    return text


@contextlib.contextmanager
def written(path: Path, *, store: Path | None = None) -> Iterator[IO[bytes]]:
    """A binary stream whose content replaces ``path`` when the block ends without an error.

    Args:
        path: the file to write.
        store: the store folder, which ``path`` must not be inside.

    Raises:
        KGError: ``path`` is inside the store, or cannot be written.

    Examples:
        >>> import tempfile
        >>> folder = Path(tempfile.mkdtemp())
        >>> with written(folder / "store" / "CURRENT", store=folder / "store") as stream:
        ...     pass
        Traceback (most recent call last):
        ...
        kg.errors.KGError: refusing to write .../store/CURRENT: it is inside the store folder .../store; write it elsewhere
    """
    target = path.expanduser()
    if store is not None:
        folder = store.expanduser().resolve()
        resolved = target.resolve()
        if resolved == folder or folder in resolved.parents:
            raise KGError(f"refusing to write {path}: it is inside the store folder {store}; write it elsewhere")
    try:
        descriptor, temporary = tempfile.mkstemp(prefix=f".{target.name}.", suffix=".part", dir=target.parent or ".")
    except OSError as exc:
        raise KGError(f"cannot write {path}: {exc.strerror or exc}") from exc
    try:
        with os.fdopen(descriptor, "wb") as stream:
            yield stream
        os.chmod(temporary, 0o666 & ~_umask())
        os.replace(temporary, target)
    except OSError as exc:
        _remove(temporary)
        raise KGError(f"cannot write {path}: {exc.strerror or exc}") from exc
    except BaseException:
        _remove(temporary)
        raise


def _umask() -> int:
    mask = os.umask(0)
    os.umask(mask)
    return mask


def _remove(path: str) -> None:
    with contextlib.suppress(OSError):
        os.unlink(path)
