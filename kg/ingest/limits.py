"""Limits on what one input file may cost: line length, decompression, JSON depth, XML entities, disk.

Each limit has a default that no ordinary input comes near, and can be raised (or lowered)
with the ``limits`` argument of :func:`~kg.ingest.ingest`, an environment variable
``FILMKG_<NAME>`` (``FILMKG_MAX_LINE_BYTES=4000000``), or the ``ingest`` command's flag
(``--max-line-bytes``). A file past a limit is refused whole (exit code 3), and the
message names the limit to raise.

Examples:
    >>> Limits().max_line_bytes
    1048576
    >>> Limits.from_env({"FILMKG_MAX_JSON_DEPTH": "64"}).max_json_depth
    64
    >>> size(3_500_000)
    '3.3 MiB'
"""

from __future__ import annotations

import errno
import os
from collections.abc import Mapping
from dataclasses import dataclass, fields, replace
from pathlib import Path

from kg.errors import IngestError, Problem, UsageError

__all__ = ["ENV_PREFIX", "RATIO_AFTER_BYTES", "Limits", "check_free_space", "disk_full", "size", "temp_space_advice"]

ENV_PREFIX = "FILMKG_"
"""``FILMKG_MAX_LINE_BYTES`` sets ``max_line_bytes``, and so on."""
RATIO_AFTER_BYTES = 1 << 20
"""The compression ratio of a ``.gz`` file is checked once this much has been decompressed."""


@dataclass(frozen=True)
class Limits:
    """What one input file may cost. Every field is a whole number; see the README ("Bad input, safety")."""

    max_line_bytes: int = 1 << 20
    """A line of JSON Lines, a CSV or TSV record (so any one field), a line of N-Triples or N-Quads: 1 MiB."""
    max_decompressed_bytes: int = 4 << 30
    """What a ``.gz`` file may decompress to: 4 GiB."""
    max_compression_ratio: int = 100
    """How many times its compressed size a ``.gz`` file may decompress to (checked after 1 MiB)."""
    max_json_depth: int = 32
    """How deeply a JSON Lines record (or a JSON document) may nest arrays and objects."""
    max_document_bytes: int = 64 << 20
    """A JSON document read whole (a TMDB response), after decompression: 64 MiB."""
    max_entity_bytes: int = 1 << 20
    """What the entities an RDF/XML file declares in its DTD may expand to, all together: 1 MiB."""
    min_free_bytes: int = 64 << 20
    """Free space ingest leaves on the temporary folder's disk (``$TMPDIR``): 64 MiB."""

    def __post_init__(self) -> None:
        for item in fields(self):
            value = getattr(self, item.name)
            least = 0 if item.name == "min_free_bytes" else 1
            if isinstance(value, bool) or not isinstance(value, int) or value < least:
                raise UsageError(f"`{item.name}` must be a whole number of at least {least}, not {value!r}")

    @classmethod
    def from_env(cls, environ: Mapping[str, str] | None = None, **given: int | None) -> Limits:
        """The defaults, overridden by ``FILMKG_<NAME>`` variables, overridden by ``given`` values that are not ``None``.

        Raises:
            UsageError: a variable that is not a whole number.

        Examples:
            >>> Limits.from_env({"FILMKG_MAX_LINE_BYTES": "2_000_000"}, max_json_depth=None).max_line_bytes
            2000000
            >>> Limits.from_env({"FILMKG_MAX_JSON_DEPTH": "deep"})
            Traceback (most recent call last):
            ...
            kg.errors.UsageError: FILMKG_MAX_JSON_DEPTH="deep" is not a whole number
        """
        env = os.environ if environ is None else environ
        values: dict[str, int] = {}
        for item in fields(cls):
            name = ENV_PREFIX + item.name.upper()
            text = env.get(name, "").strip()
            if text:
                try:
                    values[item.name] = int(text)
                except ValueError:
                    raise UsageError(f'{name}="{text}" is not a whole number') from None
            value = given.get(item.name)
            if value is not None:
                values[item.name] = value
        unknown = set(given) - {item.name for item in fields(cls)}
        if unknown:
            raise ValueError(f"unknown limits: {', '.join(sorted(unknown))}")
        return replace(cls(), **values)

    def advice(self, name: str) -> str:
        """How to raise the limit ``name``: its parameter and its environment variable.

        Examples:
            >>> Limits().advice("max_json_depth")
            'raise `max_json_depth` (or FILMKG_MAX_JSON_DEPTH) if the file is right'
        """
        return f"raise `{name}` (or {ENV_PREFIX}{name.upper()}) if the file is right"


def size(count: float) -> str:
    """A byte count for people: ``512 bytes``, ``1.5 KiB``, ``3.3 MiB``, ``4.0 GiB``."""
    if count < 1024:
        return f"{int(count)} bytes"
    for unit in ("KiB", "MiB", "GiB", "TiB"):
        count /= 1024
        if count < 1024 or unit == "TiB":
            break
    return f"{count:.1f} {unit}"


def disk_full(exc: BaseException) -> bool:
    """Whether ``exc`` says a disk (or a quota) is full.

    Examples:
        >>> disk_full(OSError(errno.ENOSPC, "No space left on device")), disk_full(OSError("other"))
        (True, False)
    """
    if isinstance(exc, OSError) and exc.errno in (errno.ENOSPC, errno.EDQUOT):
        return True
    return "no space left" in str(exc).lower() or "disk full" in str(exc).lower()


def check_free_space(folder: Path, needed: int, limits: Limits, *, path: str, written: int | None = None) -> None:
    """Refuse to go on when the disk of ``folder`` would keep less than ``min_free_bytes`` free.

    Args:
        folder: the temporary folder.
        needed: bytes still to be written there (an estimate; 0 while writing).
        limits: the limits in force.
        path: the input file, for the message.
        written: bytes written so far for this file, when checking while writing.

    Raises:
        IngestError: too little space.
    """
    try:
        stat = os.statvfs(folder)
    except (OSError, AttributeError):  # no statvfs (Windows), or the folder is gone: the writes will tell
        return
    free = stat.f_bavail * stat.f_frsize
    if free - needed >= limits.min_free_bytes:
        return
    if written is None:
        what = f"needs about {size(needed)} of temporary space in {folder} but its disk has {size(free)} free"
    else:
        what = f"the temporary folder {folder} is nearly full ({size(free)} free after writing {size(written)})"
    raise IngestError(path, [Problem(path, 0, None, None, f"{what}: {temp_space_advice(limits)}")])


def temp_space_advice(limits: Limits) -> str:
    """What to do when the temporary folder's disk is (nearly) full."""
    if not limits.min_free_bytes:
        return "free some space, or point TMPDIR at a disk with more room"
    return (
        f"free some space, point TMPDIR at a disk with more room, or lower `min_free_bytes` "
        f"(now {size(limits.min_free_bytes)}; or {ENV_PREFIX}MIN_FREE_BYTES)"
    )
