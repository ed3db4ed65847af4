"""Reading an input file within its limits: opening it, decompressing it, splitting it into lines.

:class:`Input` reads a file (decompressing ``.gz``) in bounded chunks and stops a
decompression bomb early; :class:`Lines` splits it into lines without ever holding more
than one line of ``max_line_bytes``, and reports a line that is too long or not UTF-8 at
its own line number. :func:`kind_of` says what a path is when it is not a file.

Examples:
    >>> import tempfile
    >>> p = Path(tempfile.mkdtemp()) / "t.csv"
    >>> _ = p.write_bytes(b"\\xef\\xbb\\xbfa,b\\r\\nc,d\\re\\n")
    >>> with Input(p, Limits()) as source:
    ...     list(Lines(source, max_line_bytes=100))
    ['a,b\\r\\n', 'c,d\\r', 'e\\n']
"""

from __future__ import annotations

import bz2
import gzip
import os
import stat
import zipfile
import zlib
from pathlib import Path
from types import TracebackType
from typing import IO

from kg.errors import IngestError, Problem
from kg.ingest.limits import RATIO_AFTER_BYTES, Limits, size

__all__ = ["CHUNK", "Input", "LineProblem", "Lines", "kind_of", "open_file"]

CHUNK = 1 << 16
"""How much is read at a time."""
_BOM = b"\xef\xbb\xbf"


def kind_of(path: Path) -> str | None:
    """What ``path`` is when it is neither a regular file nor a folder (``None`` for those, or when missing).

    Examples:
        >>> kind_of(Path("/dev/null")), kind_of(Path("/"))
        ('a character device', None)
    """
    try:
        mode = path.stat().st_mode
    except FileNotFoundError:
        return "a broken symbolic link" if path.is_symlink() else None
    except OSError as exc:
        return f"unreadable ({exc.strerror or exc})"
    if stat.S_ISREG(mode) or stat.S_ISDIR(mode):
        return None
    if stat.S_ISFIFO(mode):
        return "a named pipe (FIFO)"
    if stat.S_ISCHR(mode):
        return "a character device"
    if stat.S_ISBLK(mode):
        return "a block device"
    if stat.S_ISSOCK(mode):
        return "a socket"
    return "not a regular file"


def _unreadable(path: Path, exc: BaseException, line: int = 0) -> IngestError:
    reason = exc.strerror if isinstance(exc, OSError) and exc.strerror else str(exc) or type(exc).__name__
    if isinstance(exc, (EOFError, zlib.error, gzip.BadGzipFile)) or (
        path.suffix.lower() == ".bz2" and isinstance(exc, OSError) and not exc.strerror
    ):
        kind = "bzip2" if path.suffix.lower() == ".bz2" else "gzip"
        reason = f"not a complete {kind} file ({reason})"
    name = str(path)
    return IngestError(name, [Problem(name, line, None, None, f"cannot read the file: {reason}")])


def open_file(path: Path) -> IO[bytes]:
    """``path`` opened for reading, refusing anything but a regular file.

    Raises:
        IngestError: the file cannot be opened (permissions, a FIFO or a device, gone).
    """
    kind = kind_of(path)
    if kind is not None:
        name = str(path)
        raise IngestError(name, [Problem(name, 0, None, None, f"{kind}, not a file: give a regular file")])
    try:
        # O_NONBLOCK: a FIFO swapped in after the check must not block the open
        descriptor = os.open(path, os.O_RDONLY | getattr(os, "O_NONBLOCK", 0))
    except OSError as exc:
        raise _unreadable(path, exc) from exc
    if hasattr(os, "set_blocking"):
        os.set_blocking(descriptor, True)
    if not stat.S_ISREG(os.fstat(descriptor).st_mode):
        os.close(descriptor)
        name = str(path)
        raise IngestError(name, [Problem(name, 0, None, None, "not a regular file: give a regular file")])
    return os.fdopen(descriptor, "rb")


class Input:
    """A file read in bounded chunks, decompressed when it ends in ``.gz`` or ``.bz2`` (or, ending in
    ``.zip``, the one table or text file the archive holds: :attr:`member`), within ``limits``.

    Raises (from every read):
        IngestError: the file cannot be read, or decompresses past ``max_decompressed_bytes``
            or ``max_compression_ratio``.
    """

    def __init__(self, path: Path, limits: Limits) -> None:
        self.path = path
        self.limits = limits
        self.raw = open_file(path)
        self.member: str | None = None
        """The name of the file read from a ``.zip`` archive."""
        kind = path.suffix.lower()
        self.compressed = kind in (".gz", ".bz2", ".zip")
        self._stream: IO[bytes] = self.raw
        if kind == ".gz":
            self._stream = gzip.GzipFile(fileobj=self.raw, mode="rb")  # type: ignore[assignment]  # GzipFile is a binary stream
        elif kind == ".bz2":
            self._stream = bz2.BZ2File(self.raw, mode="rb")
        elif kind == ".zip":
            self._stream = self._zip_member()
        self.decompressed = 0
        """Bytes read so far (after decompression)."""
        self.line = 0
        """The line being read, for messages (set by whoever counts lines)."""

    def _zip_member(self) -> IO[bytes]:
        """The one data file (not a folder, not macOS metadata) of the ``.zip`` archive, opened."""
        name = str(self.path)
        try:
            archive = zipfile.ZipFile(self.raw)
            members = [
                info for info in archive.infolist()
                if not info.is_dir() and not info.filename.startswith("__MACOSX/") and not info.filename.rsplit("/", 1)[-1].startswith(".")
            ]  # fmt: skip
        except (zipfile.BadZipFile, OSError, EOFError) as exc:
            self.raw.close()
            raise IngestError(name, [Problem(name, 0, None, None, f"not a readable .zip archive ({exc}): check the file")]) from exc
        if len(members) != 1:
            self.raw.close()
            found = ", ".join(m.filename for m in members[:5]) or "nothing"
            message = f"a .zip archive must hold exactly one table, and this one holds {found}: unpack it and give the table"
            raise IngestError(name, [Problem(name, 0, None, None, message)])
        self.member = members[0].filename
        try:
            return archive.open(members[0])
        except (zipfile.BadZipFile, NotImplementedError, RuntimeError, OSError) as exc:
            self.raw.close()
            raise IngestError(name, [Problem(name, 0, None, None, f"cannot read {self.member} in the archive ({exc})")]) from exc

    def read(self, count: int = -1) -> bytes:
        """At most ``count`` (and at most :data:`CHUNK`) bytes; ``b""`` at the end."""
        want = CHUNK if count is None or count < 0 else min(count, CHUNK)
        try:
            data = self._stream.read(want)
        except (OSError, EOFError, zlib.error, zipfile.BadZipFile) as exc:
            raise _unreadable(self.path, exc, self.line) from exc
        if self.compressed and data:
            self._count(len(data))
        return data

    def _count(self, count: int) -> None:
        self.decompressed += count
        name, limits = str(self.path), self.limits
        if self.decompressed > limits.max_decompressed_bytes:
            message = (
                f"decompresses to more than {size(limits.max_decompressed_bytes)} (`max_decompressed_bytes`): "
                f"{limits.advice('max_decompressed_bytes')}"
            )
            raise IngestError(name, [Problem(name, 0, None, None, message)])
        consumed = max(self.position(), 1)
        if self.decompressed > RATIO_AFTER_BYTES and self.decompressed > limits.max_compression_ratio * consumed:
            message = (
                f"decompresses to more than {limits.max_compression_ratio} times its size (`max_compression_ratio`) "
                f"({size(consumed)} gave {size(self.decompressed)} so far), which is how a decompression bomb "
                f"looks: {limits.advice('max_compression_ratio')}"
            )
            raise IngestError(name, [Problem(name, 0, None, None, message)])

    def position(self) -> int:
        """Bytes of the file read so far (compressed bytes for ``.gz`` and ``.bz2``), for progress."""
        try:
            return self.raw.tell()
        except (OSError, ValueError):
            return 0

    def close(self) -> None:
        """Close the file."""
        try:
            self._stream.close()
        finally:
            self.raw.close()

    def __enter__(self) -> Input:
        return self

    def __exit__(
        self, kind: type[BaseException] | None, exc: BaseException | None, traceback: TracebackType | None
    ) -> None:
        self.close()


class LineProblem(Exception):
    """A line that cannot be read: too long, or not UTF-8. Reading can go on with the next line."""

    def __init__(self, line: int, column: int | None, message: str) -> None:
        super().__init__(message)
        self.line = line
        self.column = column
        self.message = message

    def located(self, path: str) -> Problem:
        """This problem in ``path``."""
        return Problem(path, self.line, self.column, None, self.message)


class Lines:
    """The lines of an :class:`Input` as text, each with its line ending (``\\n``, ``\\r\\n`` or ``\\r``).

    A line is never held past ``max_line_bytes``: a longer one is skipped in chunks and
    reported. A UTF-8 byte order mark at the start is dropped. ``next()`` raises
    :class:`LineProblem` for a line that is too long or not UTF-8, and can be called again
    for the line after it (as :mod:`csv` does).

    ``record_bytes`` adds up the lines read since the caller last set it to 0, so that a CSV
    record of several lines is held to the same limit.
    """

    def __init__(self, source: Input, *, max_line_bytes: int) -> None:
        self.source = source
        self.max = max_line_bytes
        self.number = 0
        """The number of the last line returned (or reported)."""
        self.record_bytes = 0
        self._pending: list[bytes | None] = []  # None: a line that was too long, skipped
        self._index = 0
        self._carry = b""
        self._skipping = False
        self._eof = False
        self._first = True

    def __iter__(self) -> Lines:
        return self

    def __next__(self) -> str:
        if self._index >= len(self._pending) and not self._fill():
            raise StopIteration
        data = self._pending[self._index]
        self._index += 1
        self.number += 1
        self.source.line = self.number
        if data is None or (len(data) - 2 > self.max and len(data.rstrip(b"\r\n")) > self.max):
            raise self._too_long("line")
        self.record_bytes += len(data)
        if self.record_bytes > self.max:
            raise self._too_long("record (a quoted value runs over several lines)")
        try:
            return data.decode("utf-8")
        except UnicodeDecodeError as exc:
            raise LineProblem(
                self.number,
                exc.start + 1,
                f"the file is not UTF-8 ({exc.reason} at byte {exc.start + 1} of line {self.number}): save it as UTF-8",
            ) from None

    def _too_long(self, what: str) -> LineProblem:
        limits = self.source.limits
        return LineProblem(
            self.number,
            None,
            f"this {what} is longer than {size(self.max)} (`max_line_bytes`): "
            f"check that the file is what it should be, or {limits.advice('max_line_bytes')}",
        )

    def _fill(self) -> bool:
        """Read until at least one line (or a too-long mark) is pending; ``False`` at the end."""
        self._pending, self._index = [], 0
        while not self._pending:
            if self._eof:
                if not self._carry:
                    return False
                self._pending, self._carry = [self._carry], b""
                break
            chunk = self.source.read(CHUNK)
            if not chunk:
                self._eof = True
                continue
            if self._first:
                self._first = False
                if chunk.startswith(_BOM):
                    chunk = chunk[len(_BOM) :]
            if self._skipping:
                chunk = self._skip(chunk)
                if self._skipping:
                    continue
            parts: list[bytes | None] = list((self._carry + chunk).splitlines(keepends=True))
            # the last part may go on in the next chunk: a line without its end, or "\r" before "\n"
            last = parts[-1] if parts else None
            self._carry = b""
            if last is not None and not last.endswith(b"\n"):
                self._carry = last
                parts.pop()
            if len(self._carry) > self.max + 1:
                parts.append(None)
                self._carry, self._skipping = b"", True
            self._pending = parts
        return True

    def _skip(self, chunk: bytes) -> bytes:
        """The rest of ``chunk`` after the end of the line being skipped (all of it is skipped when it has none)."""
        ends = [i for i in (chunk.find(b"\n"), chunk.find(b"\r")) if i >= 0]
        if not ends:
            return b""
        self._skipping = False
        end = min(ends)
        if chunk[end : end + 2] == b"\r\n":
            end += 1
        return chunk[end + 1 :]
