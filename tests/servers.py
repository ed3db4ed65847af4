"""Start Virtuoso 7 (Debian's ``virtuoso-opensource``) on loopback for the remote-endpoint tests.

Both ``.ci/run`` and the test fixtures use :func:`start_virtuoso`: a database folder of its own
with its own ``virtuoso.ini`` (SQL and HTTP ports on 127.0.0.1 only), started in the foreground
so that its process id is the server's, then made writable for the tests:

- ``GRANT SPARQL_UPDATE TO "SPARQL"``: the anonymous ``/sparql`` endpoint (user ``SPARQL``)
  may run updates, and ``/sparql-graph-crud`` (the Graph Store Protocol) may write. No HTTP
  credentials are needed, which is fine for a throw-away server that only listens on 127.0.0.1;
- the ``dba`` password (``dba`` in a new database) is replaced by a random one, so that nothing
  else on the machine can log in to the SQL port.

From the shell (``.ci/run``): ``python tests/servers.py virtuoso FOLDER`` starts the server, prints
``PID BASE_URL`` and leaves it running; stop it by its process id.
"""

from __future__ import annotations

import secrets
import shutil
import socket
import subprocess
import sys
import time
import urllib.error
import urllib.request
from dataclasses import dataclass
from pathlib import Path

VIRTUOSO_COMMAND = "virtuoso-t"
ISQL_COMMANDS = ("isql-vt", "isql")
STARTUP_SECONDS = 120.0

_INI = """\
; filmkg test server: one database folder, loopback only, small memory.
[Database]
DatabaseFile       = {folder}/virtuoso.db
ErrorLogFile       = {folder}/virtuoso.log
LockFile           = {folder}/virtuoso.lck
TransactionFile    = {folder}/virtuoso.trx
xa_persistent_file = {folder}/virtuoso.pxa
ErrorLogLevel      = 7
FileExtend         = 200
Striping           = 0
TempStorage        = TempDatabase

[TempDatabase]
DatabaseFile       = {folder}/virtuoso-temp.db
TransactionFile    = {folder}/virtuoso-temp.trx
Striping           = 0

[Parameters]
ServerPort         = 127.0.0.1:{sql_port}
DisableUnixSocket  = 1
CaseMode           = 2
DirsAllowed        = {folder}
NumberOfBuffers    = 10000
MaxDirtyBuffers    = 6000
MaxQueryMem        = 256M
ThreadsPerQuery    = 2

[HTTPServer]
ServerPort           = 127.0.0.1:{http_port}
ServerRoot           = {folder}
ServerThreads        = 10
MaxClientConnections = 10
Charset              = UTF-8
EnabledDavVSP        = 0

[SPARQL]
; Debian's default: SELECT answers are cut at this many rows (filmkg refuses a cut answer).
ResultSetMaxRows      = 10000
MaxQueryExecutionTime = 60
"""


@dataclass(frozen=True)
class Virtuoso:
    """A running Virtuoso: its process, its HTTP base URL (``http://127.0.0.1:PORT``) and folder."""

    process: subprocess.Popen[bytes]
    base: str
    folder: Path

    def stop(self) -> None:
        """Stop the server (SIGTERM: a quick shutdown, about a second)."""
        if self.process.poll() is None:
            self.process.terminate()
            try:
                self.process.wait(timeout=30)
            except subprocess.TimeoutExpired:
                self.process.kill()
                self.process.wait(timeout=30)


def virtuoso_installed() -> bool:
    """Whether ``virtuoso-t`` and its ``isql`` are on the PATH."""
    return shutil.which(VIRTUOSO_COMMAND) is not None and _isql() is not None


def free_port() -> int:
    """A loopback port with nothing listening on it."""
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return int(sock.getsockname()[1])


def start_virtuoso(folder: Path) -> Virtuoso:
    """Create a database in ``folder`` (an empty folder), start Virtuoso on it and make it writable.

    Raises:
        RuntimeError: Virtuoso is not installed, exited, or did not answer in time.
    """
    isql = _isql()
    if shutil.which(VIRTUOSO_COMMAND) is None or isql is None:
        raise RuntimeError("Virtuoso is not installed: apt-get install virtuoso-opensource")
    folder = folder.resolve()
    sql_port, http_port = free_port(), free_port()
    ini = folder / "virtuoso.ini"
    ini.write_text(_INI.format(folder=folder, sql_port=sql_port, http_port=http_port), encoding="utf-8")
    with open(folder / "server.out", "wb") as log:
        process = subprocess.Popen(
            [VIRTUOSO_COMMAND, "+configfile", str(ini), "+foreground"],
            cwd=folder, stdin=subprocess.DEVNULL, stdout=log, stderr=subprocess.STDOUT,
        )
    server = Virtuoso(process, f"http://127.0.0.1:{http_port}", folder)
    try:
        _wait_until_up(server)
        script = f'GRANT SPARQL_UPDATE TO "SPARQL";\nUSER_SET_PASSWORD(\'dba\', \'{secrets.token_hex(16)}\');\n'
        done = subprocess.run(
            [isql, f"127.0.0.1:{sql_port}", "dba", "dba"], input=script.encode(), capture_output=True, timeout=60
        )
        if done.returncode != 0 or b"Error" in done.stdout + done.stderr:
            raise RuntimeError(f"isql could not grant SPARQL_UPDATE: {(done.stdout + done.stderr).decode(errors='replace')}")
    except BaseException:
        server.stop()
        raise
    return server


def _isql() -> str | None:
    for name in ISQL_COMMANDS:
        found = shutil.which(name)
        if found is not None:
            return found
    return None


def _wait_until_up(server: Virtuoso) -> None:
    url = f"{server.base}/sparql?query=ASK%7B%7D"
    deadline = time.monotonic() + STARTUP_SECONDS
    while time.monotonic() < deadline:
        if server.process.poll() is not None:
            log = (server.folder / "server.out").read_text(encoding="utf-8", errors="replace")[-2000:]
            raise RuntimeError(f"Virtuoso exited with {server.process.returncode}:\n{log}")
        try:
            with urllib.request.urlopen(url, timeout=2) as answer:
                answer.read()
            return
        except (OSError, urllib.error.URLError):
            time.sleep(0.2)
    raise RuntimeError(f"Virtuoso did not answer at {url} within {STARTUP_SECONDS:g} s")


def main(argv: list[str]) -> int:
    """``servers.py virtuoso FOLDER``: start Virtuoso, print ``PID BASE_URL``, leave it running."""
    if len(argv) != 2 or argv[0] != "virtuoso":
        print("usage: servers.py virtuoso FOLDER", file=sys.stderr)
        return 2
    server = start_virtuoso(Path(argv[1]))
    print(server.process.pid, server.base, flush=True)
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
