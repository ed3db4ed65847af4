"""The remote backend (kg/store/remote.py): filmkg on real SPARQL servers on loopback.

Every test that takes the ``server`` fixture runs twice, on an Oxigraph server and on
Virtuoso 7 (test ids ``[oxigraph]`` and ``[virtuoso]``); each is started once per session
and emptied per test (see conftest.py).
Around it, this module runs small loopback HTTP servers of its own:

- :class:`Proxy`, a recording reverse proxy in front of the real server: it records the
  method, path, query string, headers and body of every request filmkg sends, and can
  answer a chosen request with an error instead of forwarding it;
- :func:`fake_endpoint`, a server that answers every request with a fixed status (404,
  401, 500), or too slowly (for the timeout).

Sections, in order:

1. every command gives the same answer on the server as on the embedded store (the core proof);
2. with only a query URL the graph is read-only;
3. uploads: chunked Graph Store POSTs, a one-request replace, the ``INSERT DATA`` fallback, blank nodes;
4. failures of the server and malformed URLs are clear messages (exit code 4 or 2, no traceback);
5. credentials come from the environment, and are never shown;
6. environment variables select the server;
7. SPARQL syntax errors, SERVICE and dataset clauses;
8. a failed ingest leaves the server as it was, and what it left behind is never seen;
9. the Python API.

The success and clean-failure helpers (:func:`cli_helpers.ok`, :func:`cli_helpers.fails`) and the
fixtures (``server``, ``anora_file``, ``anora_folder_store``, ``anora_server``) are shared with the
other test modules.
"""

from __future__ import annotations

import base64
import dataclasses
import http.server
import json
import re
import shutil
import threading
import sys
import time
from collections.abc import Callable, Iterable, Iterator
from dataclasses import dataclass
from pathlib import Path
from typing import Any
from urllib.parse import parse_qs, urlsplit

import pyoxigraph as ox
import pytest
import requests

from cli_helpers import Server, fails, free_port, ok, plain, stored, target_args

from kg import KnowledgeGraph
from kg.errors import EndpointError, StoreError
from kg.vocab import GRAPH_PREFIX, ONTOLOGY_GRAPH, REGISTRY_GRAPH

DATA = Path(__file__).resolve().parent / "data"
GENERATED_AT = "http://www.w3.org/ns/prov#generatedAtTime"
TIMESTAMP = re.compile(r"\d{4}-\d\d-\d\dT\d\d:\d\d:\d\dZ")
ENDPOINT_VARIABLES = (
    "FILMKG_ENDPOINT", "FILMKG_UPDATE_ENDPOINT", "FILMKG_GSP_ENDPOINT", "FILMKG_ENDPOINT_USER",
    "FILMKG_ENDPOINT_PASSWORD", "FILMKG_ENDPOINT_TOKEN", "FILMKG_ENDPOINT_TIMEOUT", "FILMKG_UPLOAD_CHUNK_BYTES",
    "FILMKG_STORE",
)


@pytest.fixture(autouse=True)
def _clean_environment(monkeypatch: pytest.MonkeyPatch) -> None:
    """No FILMKG_* variable of the developer's shell reaches these tests."""
    for name in ENDPOINT_VARIABLES:
        monkeypatch.delenv(name, raising=False)


# ------------------------------------------------------------------------------------------ helpers


def graph_names(quads: set[object]) -> set[str]:
    """The named graphs that hold at least one of ``quads``."""
    return {q.graph_name.value for q in quads if isinstance(q, ox.Quad) and isinstance(q.graph_name, ox.NamedNode)}


def source_graphs(server: Server) -> set[str]:
    """The graphs on the server that hold ingested files (whether or not the registry lists them)."""
    return {g for g in graph_names(server.dataset()) if g.startswith(GRAPH_PREFIX)}


def graph_triples(server: Server, graph: str) -> set[ox.Triple]:
    """The triples of one named graph on the server."""
    return server.graph_triples(graph)


def canonical(quads: Iterable[ox.Quad]) -> set[ox.Quad]:
    """Quads with blank nodes relabelled canonically, so that two copies of a dataset compare equal."""
    dataset = ox.Dataset(quads)
    dataset.canonicalize(ox.CanonicalizationAlgorithm.UNSTABLE)
    return set(dataset)


def sources_json(args: list[str]) -> list[dict[str, object]]:
    """``filmkg sources --json`` as a list of records."""
    return json.loads(ok([*args, "sources", "--json"]).stdout)  # type: ignore[no-any-return]


def truncated(source: Path, target: Path) -> Path:
    """A changed copy of ``source``: its last row removed."""
    lines = source.read_text(encoding="utf-8").splitlines(keepends=True)
    target.write_text("".join(lines[:-1]), encoding="utf-8")
    return target


# ------------------------------------------------------------------------------------------ loopback servers


@dataclass(frozen=True)
class Recorded:
    """One request filmkg sent: method, path, query string, headers (lower-case names), body, and
    the ``service`` it went to: ``query``, ``update`` or ``gsp`` (on Virtuoso, queries and updates
    share ``/sparql``, so the form field tells them apart)."""

    method: str
    path: str
    params: dict[str, list[str]]
    headers: dict[str, str]
    body: bytes
    service: str = "query"

    @property
    def update(self) -> str | None:
        """The SPARQL update of a form-encoded update request."""
        if self.service != "update":
            return None
        return parse_qs(self.body.decode("utf-8")).get("update", [None])[0]

    @property
    def is_upload(self) -> bool:
        """A Graph Store Protocol POST into a named graph."""
        return self.method == "POST" and self.service == "gsp" and "graph" in self.params


def service_of(server: Server, path: str, body: bytes) -> str:
    """Which of ``server``'s services a request to ``path`` with form ``body`` is for."""
    if path == urlsplit(server.gsp_url).path:
        return "gsp"
    if path == urlsplit(server.update_url).path and "update" in parse_qs(body.decode("utf-8", "replace")):
        return "update"
    return "query"


Answer = tuple[int, bytes, dict[str, str]]
"""What a loopback server answers: status, body and headers."""
FORWARDED_HEADERS = ("content-type", "server", "x-sparql-maxrows")
"""The answer headers the proxy passes on (``Server`` tells filmkg that it talks to Virtuoso)."""

Refusal = Callable[[Recorded], "int | None"]
"""Decides whether the proxy answers a request with this status instead of forwarding it."""


class Proxy:
    """A recording reverse proxy on 127.0.0.1 in front of the real server (see the module docstring)."""

    def __init__(self, upstream: Server) -> None:
        self.upstream = upstream
        self.requests: list[Recorded] = []
        self.refuse: Refusal | None = None
        self._lock = threading.Lock()
        proxy = self

        class Handler(_Handler):
            def service(self, path: str, body: bytes) -> str:
                return service_of(upstream, path, body)

            def respond(self, record: Recorded) -> Answer:
                return proxy._respond(record)

        self._http = _QuietServer(("127.0.0.1", 0), Handler)
        self._thread = threading.Thread(target=self._http.serve_forever, args=(0.05,), daemon=True)
        self._thread.start()
        self.server = dataclasses.replace(upstream, base=f"http://127.0.0.1:{self._http.server_port}")
        """The proxy as a :class:`Server`: its ``args()`` point filmkg through the proxy."""

    def _respond(self, record: Recorded) -> Answer:
        with self._lock:
            self.requests.append(record)
            status = self.refuse(record) if self.refuse is not None else None
        if status is not None:
            return status, b"refused by the test proxy", {"Content-Type": "text/plain"}
        headers = {k: v for k, v in record.headers.items() if k in ("accept", "content-type")}
        answer = requests.request(
            record.method, self.upstream.base + record.path, params=record.params, data=record.body,
            headers=headers, timeout=60,
        )
        passed = {k: v for k, v in answer.headers.items() if k.lower() in FORWARDED_HEADERS}
        return answer.status_code, answer.content, passed

    def since(self, index: int) -> list[Recorded]:
        """The requests recorded from ``index`` on."""
        with self._lock:
            return list(self.requests[index:])

    def mark(self) -> int:
        """The number of requests so far, for :meth:`since`."""
        with self._lock:
            return len(self.requests)

    def close(self) -> None:
        self._http.shutdown()
        self._http.server_close()


class _QuietServer(http.server.ThreadingHTTPServer):
    """A loopback test server that says nothing when the client hangs up first (filmkg may close the
    connection as soon as it has read an error status: socketserver would print that traceback to
    stderr, inside the command's own output under CliRunner)."""

    def handle_error(self, request: Any, client_address: Any) -> None:
        if isinstance(sys.exc_info()[1], ConnectionError):
            return
        super().handle_error(request, client_address)


class _Handler(http.server.BaseHTTPRequestHandler):
    """Reads a whole request and answers with what :meth:`respond` returns."""

    server_header: str | None = None

    def log_message(self, format: str, *args: object) -> None:
        """Keep the test output quiet."""

    def version_string(self) -> str:
        """The ``Server`` header: the upstream server's, when the answer carries one."""
        return self.server_header or super().version_string()

    def respond(self, record: Recorded) -> Answer:
        raise NotImplementedError

    def service(self, path: str, body: bytes) -> str:
        """The service a request is for (see :class:`Recorded`)."""
        return "query"

    def _body(self) -> bytes:
        if self.headers.get("Transfer-Encoding", "").lower() == "chunked":
            out = bytearray()
            while True:
                size = int(self.rfile.readline().split(b";")[0], 16)
                if size == 0:
                    while self.rfile.readline() not in (b"\r\n", b"\n", b""):
                        pass
                    return bytes(out)
                out += self.rfile.read(size)
                self.rfile.readline()
        return self.rfile.read(int(self.headers.get("Content-Length") or 0))

    def _handle(self) -> None:
        parts = urlsplit(self.path)
        body = self._body()
        record = Recorded(
            self.command, parts.path, parse_qs(parts.query), {k.lower(): v for k, v in self.headers.items()},
            body, self.service(parts.path, body),
        )
        status, body, headers = self.respond(record)
        self.server_header = next((v for k, v in headers.items() if k.lower() == "server"), None)
        self.send_response(status)
        for name, value in headers.items():
            if name.lower() != "server":
                self.send_header(name, value)
        if status == 401:
            self.send_header("WWW-Authenticate", 'Basic realm="test"')
        self.send_header("Content-Length", str(len(body)))
        self.end_headers()
        self.wfile.write(body)

    do_GET = do_POST = do_PUT = do_DELETE = _handle


@pytest.fixture
def proxy(server: Server) -> Iterator[Proxy]:
    """A recording reverse proxy in front of the (emptied) server."""
    running = Proxy(server)
    try:
        yield running
    finally:
        running.close()


@pytest.fixture
def fake_endpoint() -> Iterator[Callable[..., str]]:
    """Start loopback servers that answer every request with ``status``, ``body`` and ``headers``
    (default: text/plain) after ``delay`` seconds; each call returns the base URL of a new one."""
    started: list[_QuietServer] = []
    release = threading.Event()

    def start(
        status: int, body: bytes = b"", *, delay: float = 0.0, headers: dict[str, str] | None = None
    ) -> str:
        class Handler(_Handler):
            def respond(self, record: Recorded) -> Answer:
                if delay:
                    release.wait(delay)
                return status, body, headers or {"Content-Type": "text/plain"}

        http_server = _QuietServer(("127.0.0.1", 0), Handler)
        threading.Thread(target=http_server.serve_forever, args=(0.05,), daemon=True).start()
        started.append(http_server)
        return f"http://127.0.0.1:{http_server.server_port}"

    try:
        yield start
    finally:
        release.set()
        for http_server in started:
            http_server.shutdown()
            http_server.server_close()


# ------------------------------------------------------------------------------------------ 1. same answers


@pytest.fixture
def embedded(anora_folder_store: Path) -> list[str]:
    """The global options of an embedded store holding the Anora data (``anora_file``, ingested through filmkg)."""
    return target_args(anora_folder_store)


@pytest.fixture
def remote(anora_server: Server) -> list[str]:
    """The global options of the server holding the same Anora data (same path, same graph IRI)."""
    return anora_server.args()


SAME_ANSWER = [
    *(["query", "--name", name] for name in ("training", "advisors", "cast", "scene-songs", "awards", "choreography")),
    ["query", "--name", "evidence", "--bind", "entity=Andrea Werhun"],
    ["query", "--name", "cast", "--bind", "film=Anora", "--format", "json"],
    ["query", "--name", "awards", "--format", "table"],
    ["query", "--name", "training", "--format", "tsv"],
    ["query", "ASK { ?person film:actedIn res:anora }"],
    ["query", "SELECT ?g (COUNT(*) AS ?n) WHERE { GRAPH ?g { ?s ?p ?o } } GROUP BY ?g ORDER BY ?g"],
    ["query", "SELECT (COUNT(*) AS ?n) WHERE { ?s ?p ?o }"],
    ["query", "SELECT ?from WHERE { ?from film:directed ?film } ORDER BY ?from"],
    ["show", "Mikey Madison"],
    ["show", "Anora", "--json"],
    ["show", "Ani"],
    ["path", "Mikey Madison", "Andrea Werhun"],
    ["path", "Sean Baker", "Brooke Candy", "--max-paths", "5", "--json"],
    ["neighbors", "Anora"],
    ["neighbors", "Mikey Madison", "--depth", "2", "--format", "json"],
    ["analyze", "centrality"],
    ["analyze", "centrality", "--measure", "betweenness", "--format", "csv"],
    ["analyze", "centrality", "--measure", "pagerank", "--projection", "collaboration", "--format", "json"],
    ["analyze", "centrality", "--projection", "person-film", "--top", "0"],
    ["analyze", "communities"],
    ["analyze", "communities", "--projection", "entity", "--format", "json"],
    ["analyze", "components", "--top", "0"],
    ["analyze", "stats"],
    ["analyze", "stats", "--format", "json"],
]


@pytest.mark.parametrize("command", SAME_ANSWER, ids=lambda c: " ".join(c))
def test_command_gives_the_same_answer_on_the_server(
    command: list[str], embedded: list[str], remote: list[str]
) -> None:
    local = ok([*embedded, *command])
    served = ok([*remote, *command])
    assert local.stdout.strip(), "the command printed nothing, so the comparison proves nothing"
    assert served.stdout == local.stdout
    assert served.stderr == local.stderr


@pytest.mark.parametrize(
    "sparql",
    [
        "CONSTRUCT { ?s rdfs:label ?o } WHERE { ?s rdfs:label ?o ; a film:Person }",
        "DESCRIBE res:anora",
        f"CONSTRUCT {{ ?s ?p ?o }} WHERE {{ GRAPH ?g {{ ?s ?p ?o }} FILTER(?p != <{GENERATED_AT}>) }}",
    ],
)
def test_graph_queries_give_the_same_triples_on_the_server(
    sparql: str, embedded: list[str], remote: list[str], server: Server
) -> None:
    """CONSTRUCT and DESCRIBE results are sets: the order of the Turtle lines may differ, the triples may not.

    What DESCRIBE returns is up to the server (SPARQL 1.1, section 16.4): Oxigraph gives the
    triples about the resource, Virtuoso also those that point to it; so on Virtuoso the embedded
    store's answer is part of the server's."""
    local = ok([*embedded, "query", sparql, "--format", "nt"])
    served = ok([*remote, "query", sparql, "--format", "nt"])
    expected = canonical(ox.parse(local.stdout.encode("utf-8"), format=ox.RdfFormat.N_TRIPLES))
    assert len(expected) > 5
    got = canonical(ox.parse(served.stdout.encode("utf-8"), format=ox.RdfFormat.N_TRIPLES))
    turtle = ok([*remote, "query", sparql])
    assert canonical(ox.parse(turtle.stdout.encode("utf-8"), format=ox.RdfFormat.TURTLE)) == got
    if server.kind == "virtuoso" and sparql.startswith("DESCRIBE"):
        assert expected < got
        assert {q.object for q in got - expected} == {ox.NamedNode("https://w3id.org/filmkg/resource/anora")}
    else:
        assert got == expected


def test_a_from_clause_chooses_the_default_graph_on_both_backends(
    embedded: list[str], remote: list[str], server: Server
) -> None:
    """``FROM <ontology>`` makes the ontology graph the default graph, instead of the union of all graphs."""
    sparql = f"SELECT (COUNT(*) AS ?n) FROM <{ONTOLOGY_GRAPH}> WHERE {{ ?s ?p ?o }}"
    expected = f"n\n{len(graph_triples(server, ONTOLOGY_GRAPH))}\n"
    assert ok([*remote, "query", sparql]).stdout == expected
    assert ok([*embedded, "query", sparql]).stdout == expected


def test_ingest_and_drop_report_the_same_on_the_server(server: Server, tiny_csv: Path, kg_path: Path) -> None:
    local_args, remote_args = ["--store", str(kg_path)], server.args()
    for args in (["ingest", str(tiny_csv)], ["ingest", str(tiny_csv)], ["drop", "tiny.csv"]):
        local, served = ok([*local_args, *args]), ok([*remote_args, *args])
        assert served.stdout == local.stdout
        assert served.stderr == local.stderr
    assert local.stdout.startswith("dropped tiny.csv: ")
    assert source_graphs(server) == set()
    assert sources_json(remote_args) == []


def test_sources_are_the_same_on_the_server(embedded: list[str], remote: list[str]) -> None:
    """Only the ingestion time differs."""
    local, served = sources_json(embedded), sources_json(remote)
    assert [s["name"] for s in served] == ["anora.csv"]
    for record in (*local, *served):
        assert TIMESTAMP.fullmatch(str(record.pop("ingested")))
    assert served == local
    table_local, table_served = ok([*embedded, "sources"]), ok([*remote, "sources"])
    assert TIMESTAMP.sub("<time>", table_served.stdout) == TIMESTAMP.sub("<time>", table_local.stdout)
    assert "anora.csv" in table_served.stdout


EXPORT_FORMATS = {
    "nq": ox.RdfFormat.N_QUADS, "trig": ox.RdfFormat.TRIG, "nt": ox.RdfFormat.N_TRIPLES, "ttl": ox.RdfFormat.TURTLE
}


def test_a_dataset_of_many_graphs_gives_the_same_answers(server: Server, tmp_path: Path, kg_path: Path) -> None:
    """With 150 files the dataset of every query names 152 graphs. Virtuoso echoes each graph of
    the protocol's ``default-graph-uri``/``named-graph-uri`` in a header of its answer, which
    past 100 headers Python's HTTP client refuses; filmkg sends it the dataset in the query."""
    folder = tmp_path / "many"
    folder.mkdir()
    for i in range(150):
        (folder / f"f{i:03}.csv").write_text(f"subject,predicate,object\nPerson {i},directed,Film {i}\n", encoding="utf-8")
    local_args, remote_args = ["--store", str(kg_path)], server.args()
    for args in (local_args, remote_args):
        assert ok([*args, "ingest", str(folder)]).stdout.startswith("150 files (150 added): 150 rows")
    for command in (
        ["query", "SELECT (COUNT(*) AS ?n) WHERE { ?s ?p ?o }"],
        ["query", "SELECT (COUNT(DISTINCT ?g) AS ?n) WHERE { GRAPH ?g { ?s ?p ?o } }"],
        ["show", "Person 149"],
        ["analyze", "stats"],
    ):
        assert ok([*remote_args, *command]).stdout == ok([*local_args, *command]).stdout


@pytest.mark.parametrize("format", list(EXPORT_FORMATS))
def test_export_gives_the_same_quads_on_the_server(
    format: str, embedded: list[str], remote: list[str], tmp_path: Path
) -> None:
    """The same quads in the same named graphs (blank nodes compared canonically; ingestion times apart)."""

    def exported(args: list[str], name: str) -> tuple[set[ox.Quad], int]:
        out = tmp_path / f"{name}.{format}"
        run = ok([*args, "export", "--format", format, "-o", str(out)])
        assert run.stdout == ""
        assert run.stderr == f"wrote {out}\n"
        quads = set(ox.parse(path=str(out), format=EXPORT_FORMATS[format]))
        times = sum(q.predicate.value == GENERATED_AT for q in quads)
        return canonical(q for q in quads if q.predicate.value != GENERATED_AT), times

    local, local_times = exported(embedded, "embedded")
    served, served_times = exported(remote, "remote")
    assert served == local
    assert served_times == local_times == 1
    if format in ("nq", "trig"):
        assert {REGISTRY_GRAPH, ONTOLOGY_GRAPH} < graph_names(served)
    assert len(served) > 1000


@pytest.mark.parametrize(
    "options",
    [[], ["--focus", "Anora", "--depth", "2"], ["--type", "Person"], ["--query", "QUERY"]],
    ids=["all", "focus", "type", "query"],
)
def test_viz_writes_the_same_page_on_the_server(
    options: list[str], embedded: list[str], remote: list[str], tmp_path: Path
) -> None:
    sparql = tmp_path / "acted.rq"
    sparql.write_text("CONSTRUCT { ?p film:actedIn ?f } WHERE { ?p film:actedIn ?f }", encoding="utf-8")
    options = [str(sparql) if part == "QUERY" else part for part in options]
    (tmp_path / "embedded").mkdir()
    (tmp_path / "remote").mkdir()
    local = ok([*embedded, "viz", "-o", str(tmp_path / "embedded" / "view.html"), *options])
    served = ok([*remote, "viz", "-o", str(tmp_path / "remote" / "view.html"), *options])
    assert served.stdout == local.stdout == ""
    summary = re.fullmatch(r"wrote (\S+): (\d+) entities, (\d+) relations?\n", served.stderr)
    assert summary is not None, served.stderr
    assert int(summary.group(2)) > 3 and int(summary.group(3)) > 0
    assert served.stderr.replace("/remote/", "/embedded/") == local.stderr
    page = (tmp_path / "remote" / "view.html").read_text(encoding="utf-8")
    assert page == (tmp_path / "embedded" / "view.html").read_text(encoding="utf-8")
    assert "Mikey Madison" in page


FOREIGN = '<http://example.org/thing> <http://www.w3.org/2000/01/rdf-schema#label> "Foreign thing" .\n'


def test_graphs_filmkg_did_not_write_are_not_part_of_the_graph(
    embedded: list[str], remote: list[str], server: Server, tmp_path: Path
) -> None:
    """Other data on the same server (its default graph, other named graphs) is neither shown nor touched.

    Virtuoso has no default graph of its own (its default graph is the union of the named graphs, and
    its Graph Store endpoint refuses ``?default``), so there the foreign data is one named graph."""
    targets = [{"graph": "http://example.org/other"}]
    if server.kind == "oxigraph":
        targets.append({"default": ""})
    for params in targets:
        requests.post(
            server.gsp_url, params=params, data=FOREIGN.encode(), headers={"Content-Type": "application/n-triples"},
            timeout=30,
        ).raise_for_status()
    foreign = {q for q in server.dataset() if q.object == ox.Literal("Foreign thing")}
    assert len(foreign) == len(targets)
    count = ["query", "SELECT (COUNT(*) AS ?n) WHERE { ?s ?p ?o }"]
    assert ok([*remote, *count]).stdout == ok([*embedded, *count]).stdout
    run = fails([*remote, "show", "Foreign thing"], 5)
    assert run.stderr.startswith('error: no entity "Foreign thing"')
    out = tmp_path / "all.nq"
    ok([*remote, "export", "-o", str(out)])
    assert "Foreign thing" not in out.read_text(encoding="utf-8")
    ok([*remote, "drop", "anora.csv"])
    assert foreign <= server.dataset()


# ------------------------------------------------------------------------------------------ 2. read-only


@pytest.mark.parametrize(
    "command",
    [["sources", "--json"], ["query", "--name", "cast"], ["show", "Sean Baker"], ["analyze", "stats"]],
    ids=lambda c: " ".join(c),
)
def test_reading_commands_work_with_only_a_query_url(command: list[str], remote: list[str], server: Server) -> None:
    full = ok([*remote, *command])
    read_only = ok([*server.args(update=False, gsp=False), *command])
    assert read_only.stdout == full.stdout
    assert "Anora" in read_only.stdout or "anora" in read_only.stdout


def test_export_and_viz_work_with_only_a_query_url(remote: list[str], server: Server, tmp_path: Path) -> None:
    args = server.args(update=False, gsp=False)
    ok([*args, "export", "-o", str(tmp_path / "all.nq")])
    ok([*args, "viz", "-o", str(tmp_path / "view.html")])
    assert len(ox.Dataset(ox.parse(path=str(tmp_path / "all.nq"), format=ox.RdfFormat.N_QUADS))) > 1000
    assert "Mikey Madison" in (tmp_path / "view.html").read_text(encoding="utf-8")


@pytest.mark.parametrize(
    ("gsp", "command"),
    [
        (False, ["ingest", str(DATA / "tiny.csv")]),
        (True, ["ingest", str(DATA / "tiny.csv")]),
        (False, ["drop", "anora.csv"]),
        (True, ["drop", "anora.csv"]),
    ],
    ids=["ingest", "ingest with --gsp-endpoint", "drop", "drop with --gsp-endpoint"],
)
def test_writing_commands_are_refused_without_an_update_url(
    gsp: bool, command: list[str], remote: list[str], server: Server, proxy: Proxy
) -> None:
    before = server.dataset()
    start = proxy.mark()
    run = fails([*proxy.server.args(update=False, gsp=gsp), *command], 4)
    assert "read-only" in run.stderr
    assert "--update-endpoint" in run.stderr
    assert proxy.server.query_url in run.stderr
    assert server.dataset() == before
    sent = proxy.since(start)
    assert not [r for r in sent if r.service != "query"], "a read-only command sent a write"


# ------------------------------------------------------------------------------------------ 3. uploads


CHUNK = "2000"


def test_ingest_uploads_over_the_graph_store_protocol_in_chunks(
    proxy: Proxy, server: Server, anora_file: Path
) -> None:
    ok([*proxy.server.args(), "ingest", str(anora_file)], env={"FILMKG_UPLOAD_CHUNK_BYTES": CHUNK})
    (source,) = sources_json(server.args())
    target = str(source["graph"])
    uploads = [r for r in proxy.requests if r.is_upload]
    assert len(uploads) >= 10, f"{len(uploads)} uploads of 472 triples in chunks of {CHUNK} bytes"
    assert {tuple(r.params["graph"]) for r in uploads} == {(target,)}
    assert {r.headers.get("content-type") for r in uploads} == {"application/n-triples"}
    uploaded: set[ox.Triple] = set()
    for upload in uploads:
        assert upload.body.endswith(b"\n"), "a chunk ends in the middle of a line"
        last_line = upload.body.rstrip(b"\n").rsplit(b"\n", 1)[-1]
        assert len(upload.body) - len(last_line) - 1 < int(CHUNK), "a chunk is bigger than the chunk size"
        uploaded |= {q.triple for q in ox.parse(upload.body, format=ox.RdfFormat.N_TRIPLES)}  # each parses alone
    assert stored(uploaded) == graph_triples(server, target)
    assert len(uploaded) == source["triples"] == 472
    updates = [r.update for r in proxy.requests if r.update is not None]
    assert not [u for u in updates if target in u and "INSERT DATA" in u and f"GRAPH <{target}>" in u]
    assert len(updates) <= 2, "the data went as updates, not Graph Store uploads"


def test_reingest_swaps_the_registry_in_one_update_then_drops_the_old_graph(
    proxy: Proxy, server: Server, anora_file: Path, tmp_path: Path
) -> None:
    changing = tmp_path / "anora.csv"
    shutil.copy(anora_file, changing)
    args = proxy.server.args()
    ok([*args, "ingest", str(changing)], env={"FILMKG_UPLOAD_CHUNK_BYTES": CHUNK})
    (old,) = sources_json(server.args())
    truncated(anora_file, changing)
    start = proxy.mark()
    run = ok([*args, "ingest", str(changing)], env={"FILMKG_UPLOAD_CHUNK_BYTES": CHUNK})
    assert run.stdout.startswith("1 file (1 replaced): 48 rows")
    (new,) = sources_json(server.args())
    assert new["graph"] != old["graph"]
    sent = proxy.since(start)
    uploads = [i for i, r in enumerate(sent) if r.is_upload]
    assert len(uploads) > 1
    assert {sent[i].params["graph"][0] for i in uploads} == {new["graph"]}
    updates = [(i, r.update) for i, r in enumerate(sent) if r.update is not None]
    assert len(updates) == 2, [u for _, u in updates]
    (index, swap), (after, drop) = updates
    assert index > max(uploads), "the registry changed before the upload finished"
    assert old["graph"] in swap and new["graph"] in swap and "DROP" not in swap  # one transaction for readers
    assert after > index and f"DROP SILENT GRAPH <{old['graph']}>" in drop  # the old graph goes once unlisted
    assert f"<{new['graph']}>" in swap and "INSERT DATA" in swap
    assert source_graphs(server) == {new["graph"]}
    assert len(graph_triples(server, str(new["graph"]))) == new["triples"]


def test_unchanged_file_sends_nothing_and_drop_unlists_then_drops(
    proxy: Proxy, server: Server, anora_file: Path
) -> None:
    args = proxy.server.args()
    ok([*args, "ingest", str(anora_file)])
    (source,) = sources_json(server.args())
    start = proxy.mark()
    run = ok([*args, "ingest", str(anora_file)])
    assert run.stdout.startswith("1 file (1 unchanged)")
    assert {r.service for r in proxy.since(start)} == {"query"}
    start = proxy.mark()
    ok([*args, "drop", "anora.csv"])
    updates = [r.update for r in proxy.since(start) if r.update is not None]
    assert len(updates) == 2
    assert source["graph"] in updates[0] and "DROP" not in updates[0]  # unlisted first: readers never see half
    assert f"DROP SILENT GRAPH <{source['graph']}>" in updates[1]
    assert not [r for r in proxy.since(start) if r.service == "gsp"]
    assert source_graphs(server) == set()


def test_ingest_without_a_graph_store_url_sends_chunked_insert_data(
    proxy: Proxy, server: Server, anora_file: Path
) -> None:
    """On Virtuoso 7 the upload fails at the first chunk with a duration, because it refuses
    ``xsd:duration`` literals inside SPARQL updates (SR553); the message names the fix, and
    nothing of the file is left on the server."""
    args = [*proxy.server.args(gsp=False), "ingest", str(anora_file)]
    if server.kind == "virtuoso":
        message = clean_failure(args, env={"FILMKG_UPLOAD_CHUNK_BYTES": CHUNK})
        assert "SR553" in message and "xsd:duration" in message
        assert "uploading with SPARQL updates failed (give --gsp-endpoint" in message
        assert source_graphs(server) == set()
        return
    run = ok(args, env={"FILMKG_UPLOAD_CHUNK_BYTES": CHUNK})
    assert run.stdout.startswith("1 file (1 added): 49 rows, 472 triples")
    (source,) = sources_json(server.args())
    target = str(source["graph"])
    assert not [r for r in proxy.requests if r.service == "gsp"]
    inserts = [u for r in proxy.requests if (u := r.update) and f"INSERT DATA {{ GRAPH <{target}>" in u]
    assert 1 < len(inserts) < 472 // 10
    memory = KnowledgeGraph.memory()
    memory.ingest(anora_file)
    expected = {q.triple for q in memory.store.raw.quads_for_pattern(None, None, None, ox.NamedNode(target))}
    assert graph_triples(server, target) == expected
    assert len(expected) == 472


BLANK_TURTLE = """\
@prefix ex: <http://example.org/> .
ex:anora ex:credit _:credit .
_:credit ex:role "director" .
{filler}
_:credit ex:person ex:sean_baker .
_:credit ex:year 2024 .
ex:anora ex:award [ ex:name "Palme d'Or" ; ex:year 2024 ] .
"""
FILLER = "\n".join(f'ex:line{i} ex:note "{"padding " * 6}{i}" .' for i in range(80))
CREDIT = """PREFIX ex: <http://example.org/>
SELECT ?role ?person ?year WHERE { ex:anora ex:credit ?c . ?c ex:role ?role ; ex:person ?person ; ex:year ?year }"""
BLANKS = """PREFIX ex: <http://example.org/>
SELECT (COUNT(DISTINCT ?b) AS ?n) WHERE { ?b ex:year ?y FILTER(isBlank(?b)) }"""
AWARD = """PREFIX ex: <http://example.org/>
ASK { ex:anora ex:award [ ex:name "Palme d'Or" ; ex:year 2024 ] }"""


@pytest.mark.parametrize("gsp", [True, False], ids=["graph store", "insert data"])
def test_blank_nodes_keep_their_identity_with_a_tiny_chunk_size(gsp: bool, server: Server, tmp_path: Path) -> None:
    data = tmp_path / "credits.ttl"
    data.write_text(BLANK_TURTLE.format(filler=FILLER), encoding="utf-8")
    assert data.stat().st_size > 20 * 200
    args = server.args(gsp=gsp)
    run = ok([*args, "ingest", str(data)], env={"FILMKG_UPLOAD_CHUNK_BYTES": "200"})
    assert run.stdout.startswith("1 file (1 added): 87 rows, 87 triples")
    credit = ok([*args, "query", CREDIT])
    assert credit.stdout.splitlines() == ["role,person,year", "director,http://example.org/sean_baker,2024"]
    blanks = ok([*args, "query", BLANKS])
    assert blanks.stdout.splitlines() == ["n", "2"]
    award = ok([*args, "query", AWARD])
    assert award.stdout == "true\n"


TRICKY_TURTLE = r"""@prefix ex: <http://example.org/> .
ex:a ex:backslash "back\\u0041slash" , "\\\\" .
ex:a ex:syntax "tab\there } GRAPH <http://example.org/g> { # not a comment" .
ex:a ex:text "line1\nline2 \"quoted\" é ü 🎬"@en , "2024-01-01"^^<http://www.w3.org/2001/XMLSchema#date> .
<http://example.org/café> ex:label "IRI with é" .
"""


@pytest.mark.parametrize("gsp", [True, False], ids=["graph store", "insert data"])
def test_escapes_and_unicode_survive_both_upload_paths(gsp: bool, server: Server, tmp_path: Path) -> None:
    """N-Triples sent as Graph Store bodies or inside INSERT DATA come back exactly as the embedded store has them."""
    data = tmp_path / "tricky.ttl"
    data.write_text(TRICKY_TURTLE, encoding="utf-8")
    ok([*server.args(gsp=gsp), "ingest", str(data)])
    (source,) = sources_json(server.args())
    memory = KnowledgeGraph.memory()
    memory.ingest(data)
    expected = {q.triple for q in memory.store.raw.quads_for_pattern(None, None, None, ox.NamedNode(str(source["graph"])))}
    assert len(expected) == 6
    assert {ox.Literal("back\\u0041slash"), ox.Literal("\\\\")} <= {t.object for t in expected}
    assert graph_triples(server, str(source["graph"])) == expected


TYPED_TURTLE = """@prefix ex: <http://example.org/> .
@prefix xsd: <http://www.w3.org/2001/XMLSchema#> .
ex:durations ex:v "PT10S"^^xsd:duration , "PT7S"^^xsd:duration , "PT90M"^^xsd:duration , "P5M"^^xsd:duration ,
    "P2Y6M"^^xsd:duration , "P10D"^^xsd:duration , "P1DT10S"^^xsd:duration , "-PT10S"^^xsd:duration ,
    "-P5M"^^xsd:duration , "PT10.25S"^^xsd:duration , "P1Y2M3DT4H"^^xsd:duration , "PT0S"^^xsd:duration .
ex:values ex:v true , false , 1.0E3 , "1e20"^^xsd:double , "0.1"^^xsd:float , 0.85 , 7 , "2024"^^xsd:gYear ,
    "2024-01-01T10:00:00Z"^^xsd:dateTime , "x"@en .
"""
TYPED_CONSTRUCT = 'CONSTRUCT { ?s ?p ?o } WHERE { ?s ?p ?o FILTER(STRSTARTS(STR(?s), "http://example.org/")) }'


def test_typed_literals_read_back_as_on_the_embedded_store(server: Server, tmp_path: Path, kg_path: Path) -> None:
    """Durations, booleans and doubles come back in the embedded store's canonical form, in RDF
    answers (CONSTRUCT) and in SPARQL results (SELECT). Virtuoso keeps durations as numbers of
    months or seconds and misreads whole seconds ("PT10S" as 10.1 s); kg/store/virtuoso.py
    writes and reads them so that nothing changes. (What it cannot undo: on one subject and
    property, "P5M" and "PT5S" are the same number to Virtuoso, which keeps only one.)"""
    data = tmp_path / "typed.ttl"
    data.write_text(TYPED_TURTLE, encoding="utf-8")
    local_args, remote_args = ["--store", str(kg_path)], server.args()
    for args in (local_args, remote_args):
        ok([*args, "ingest", str(data)])
    local = ok([*local_args, "query", TYPED_CONSTRUCT, "--format", "nt"]).stdout
    served = ok([*remote_args, "query", TYPED_CONSTRUCT, "--format", "nt"]).stdout
    expected = set(ox.parse(local.encode("utf-8"), format=ox.RdfFormat.N_TRIPLES))
    assert len(expected) == 22
    assert set(ox.parse(served.encode("utf-8"), format=ox.RdfFormat.N_TRIPLES)) == expected
    select = "SELECT ?s ?o WHERE { ?s <http://example.org/v> ?o }"
    for format in ("csv", "json"):
        local_rows = ok([*local_args, "query", select, "--format", format]).stdout
        served_rows = ok([*remote_args, "query", select, "--format", format]).stdout
        assert sorted(served_rows.splitlines()) == sorted(local_rows.splitlines())
    assert "PT10S" in served_rows and "P2Y6M" in served_rows


# ---------------------------------------------------------------------- 4. server failures and malformed URLs


def clean_failure(args: list[str], *, env: dict[str, str] | None = None) -> str:
    """Run a command that must fail with exit code 4; its error message as one line."""
    run = fails(args, 4, env=env)
    assert run.stderr.startswith("error: "), run.stderr
    assert run.stderr.count("\n") == 1, "a one-line message"
    return run.stderr.strip()


COMMANDS = [["sources"], ["query", "--name", "cast"], ["show", "Anora"], ["ingest", str(DATA / "tiny.csv")]]
COMMAND_IDS = ["sources", "query", "show", "ingest"]


def endpoint_args(base: str) -> list[str]:
    return ["--endpoint", f"{base}/query", "--update-endpoint", f"{base}/update", "--gsp-endpoint", f"{base}/store"]


@pytest.mark.parametrize("command", COMMANDS, ids=COMMAND_IDS)
def test_unreachable_server_is_a_clear_message(command: list[str]) -> None:
    base = f"http://127.0.0.1:{free_port()}"
    message = clean_failure([*endpoint_args(base), *command])
    assert f"cannot reach the SPARQL endpoint {base}/query (connection refused)" in message
    assert "check that the server is running" in message


@pytest.mark.parametrize("command", COMMANDS, ids=COMMAND_IDS)
def test_server_error_answer_is_a_clear_message(command: list[str], fake_endpoint: Callable[..., str]) -> None:
    base = fake_endpoint(500, b"the storage is on fire")
    message = clean_failure([*endpoint_args(base), *command])
    assert f"the SPARQL endpoint {base}/query answered 500 Internal Server Error: the storage is on fire" in message


@pytest.mark.parametrize("command", COMMANDS, ids=COMMAND_IDS)
def test_not_found_answer_is_a_clear_message(command: list[str], fake_endpoint: Callable[..., str]) -> None:
    base = fake_endpoint(404, b"no such page")
    message = clean_failure([*endpoint_args(base), *command])
    assert f"the SPARQL endpoint {base}/query answered 404 Not Found" in message
    assert "check the URL" in message


@pytest.mark.parametrize(
    ("server", "option", "message"),
    [
        pytest.param("oxigraph", "--update-endpoint", "the endpoint {url} refused an update: ", id="update-oxigraph"),
        pytest.param(
            "oxigraph", "--gsp-endpoint", "the SPARQL endpoint {url} answered 415 Unsupported Media Type",
            id="gsp-oxigraph",
        ),
        pytest.param(
            "virtuoso", "--gsp-endpoint",
            "the Graph Store endpoint {url} refused an upload: Virtuoso 22023 Error "
            "The request does not contain text of SPARQL query",
            id="gsp-virtuoso",
        ),
        # No update case on Virtuoso: it answers queries and updates at the same URL (/sparql), so
        # there the query URL is the right update URL and nothing is refused.
    ],
    indirect=["server"],
)
def test_a_url_of_the_wrong_service_is_a_clear_message(
    option: str, message: str, server: Server, anora_file: Path
) -> None:
    """The query URL given as the update or Graph Store URL: the server's refusal, and nothing changed."""
    urls = {"--endpoint": server.query_url, "--update-endpoint": server.update_url, "--gsp-endpoint": server.gsp_url}
    urls[option] = server.query_url
    args = [part for name, url in urls.items() for part in (name, url)]
    if option == "--gsp-endpoint":
        ok([*server.args(), "ingest", str(DATA / "tiny.csv")])  # the ontology is there: the upload is what fails
    before = server.dataset()
    text = clean_failure([*args, "ingest", str(anora_file)])
    assert message.format(url=server.query_url) in text
    assert server.dataset() == before


def test_slow_server_times_out_with_a_clear_message(fake_endpoint: Callable[..., str]) -> None:
    base = fake_endpoint(200, b"", delay=10)
    began = time.monotonic()
    message = clean_failure([*endpoint_args(base), "sources"], env={"FILMKG_ENDPOINT_TIMEOUT": "0.5"})
    assert time.monotonic() - began < 5
    assert f"the SPARQL endpoint {base}/query did not answer within 0.5 s" in message
    assert "set FILMKG_ENDPOINT_TIMEOUT to wait longer" in message


def test_a_virtuoso_that_may_not_write_says_how_to_grant_it(fake_endpoint: Callable[..., str]) -> None:
    """Virtuoso answers an update from a user without the right with a 500 and its SR186 error."""
    body = (
        b"Virtuoso 42000 Error SR186:SECURITY: No permission to execute procedure "
        b"DB.DBA.SPARQL_INSERT_DICT_CONTENT with user ID 107, group ID 107\n\nSPARQL query:\nINSERT DATA { }"
    )
    base = fake_endpoint(500, body, headers={"Content-Type": "text/plain", "Server": "Virtuoso/07.20.3229 (Linux)"})
    message = clean_failure([*endpoint_args(base), "sources"])
    assert f"the SPARQL endpoint {base}/query refused access (500 Internal Server Error;" in message
    assert 'GRANT SPARQL_UPDATE TO "SPARQL"' in message and "No permission" in message


def test_an_answer_the_server_cut_at_its_row_limit_is_refused(fake_endpoint: Callable[..., str]) -> None:
    """Virtuoso cuts SELECT answers at ResultSetMaxRows (10,000 in Debian's virtuoso.ini) and says so
    only in an ``X-SPARQL-MaxRows`` header: a cut answer would be silently wrong."""
    body = b'{"head": {"vars": ["g"]}, "results": {"bindings": []}}'
    base = fake_endpoint(
        200, body, headers={"Content-Type": "application/sparql-results+json", "X-SPARQL-MaxRows": "10000"}
    )
    message = clean_failure([*endpoint_args(base), "sources"])
    assert f"the SPARQL endpoint {base}/query cut the answer at 10000 rows" in message
    assert "ResultSetMaxRows" in message


@pytest.mark.parametrize("value", ["soon", "0", "-1"])
def test_bad_timeout_setting_is_a_clear_message(value: str, server: Server) -> None:
    message = clean_failure([*server.args(), "sources"], env={"FILMKG_ENDPOINT_TIMEOUT": value})
    assert f"FILMKG_ENDPOINT_TIMEOUT={value!r}" in message


@pytest.mark.parametrize("status", [401, 403])
def test_refused_access_names_the_credential_variables(status: int, fake_endpoint: Callable[..., str]) -> None:
    base = fake_endpoint(status, b"go away")
    message = clean_failure(
        [*endpoint_args(base), "sources"],
        env={"FILMKG_ENDPOINT_USER": "alice", "FILMKG_ENDPOINT_PASSWORD": "s3cr3t-pw"},
    )
    assert f"the SPARQL endpoint {base}/query refused access ({status}" in message
    assert "FILMKG_ENDPOINT_USER" in message and "FILMKG_ENDPOINT_PASSWORD" in message
    assert "FILMKG_ENDPOINT_TOKEN" in message
    assert "s3cr3t-pw" not in message


@pytest.mark.parametrize("option", ["--endpoint", "--update-endpoint", "--gsp-endpoint"])
def test_credentials_in_a_url_on_the_command_line_are_refused(option: str, server: Server) -> None:
    urls = {
        "--endpoint": server.query_url, "--update-endpoint": server.update_url, "--gsp-endpoint": server.gsp_url
    }
    urls[option] = urls[option].replace("http://", "http://alice:s3cr3t-pw@")
    args = [part for name, url in urls.items() for part in (name, url)]
    before = server.dataset()
    run = fails([*args, "ingest", str(DATA / "tiny.csv")], 2)
    assert "s3cr3t-pw" not in run.output and "s3cr3t-pw" not in run.stderr
    message = plain(run.stderr)
    assert f"{option} carries credentials" in message
    assert "FILMKG_ENDPOINT_USER and FILMKG_ENDPOINT_PASSWORD (or FILMKG_ENDPOINT_TOKEN)" in message
    assert server.dataset() == before


def test_credentials_in_a_url_from_the_environment_are_refused(server: Server) -> None:
    run = fails(["sources"], 4, env={"FILMKG_ENDPOINT": server.query_url.replace("http://", "http://alice:s3cr3t-pw@")})
    assert "s3cr3t-pw" not in run.output and "s3cr3t-pw" not in run.stderr
    assert f"the endpoint URL {server.query_url} carries credentials" in run.stderr


@pytest.mark.parametrize(
    ("options", "message"),
    [
        (["--store", "STORE", "--endpoint", "SERVER"], "give either --store or --endpoint, not both"),
        (["--update-endpoint", "SERVER"], "--update-endpoint and --gsp-endpoint need --endpoint"),
        (["--gsp-endpoint", "SERVER"], "--update-endpoint and --gsp-endpoint need --endpoint"),
    ],
    ids=["store and endpoint", "update without query", "gsp without query"],
)
def test_inconsistent_endpoint_options_are_usage_errors(
    options: list[str], message: str, server: Server, kg_path: Path, tiny_csv: Path
) -> None:
    args = [{"STORE": str(kg_path), "SERVER": server.query_url}.get(part, part) for part in options]
    run = fails([*args, "ingest", str(tiny_csv)], 2)
    assert "Usage:" in run.stderr
    assert message in plain(run.stderr)
    assert not kg_path.exists()
    assert server.dataset() == set()


@pytest.mark.parametrize(
    "args",
    [
        ["--endpoint", "localhost:7878/query"],
        ["--endpoint", "ftp://127.0.0.1/query"],
        ["--endpoint", "http://127.0.0.1:9/query", "--update-endpoint", "file:///tmp/update"],
        ["--endpoint", "http:///query"],
    ],
    ids=["no scheme", "ftp", "file update", "no host"],
)
def test_a_url_that_is_not_http_is_refused(args: list[str]) -> None:
    run = fails([*args, "sources"], 4)
    assert "is not an http(s) URL: give the full URL" in run.stderr


def test_a_malformed_url_is_a_usage_error() -> None:
    run = fails(["--endpoint", "http://[::1", "sources"], 2)
    assert "--endpoint http://[::1 is not a valid URL" in plain(run.stderr)


def test_a_port_out_of_range_is_a_clear_message() -> None:
    message = clean_failure(["--endpoint", "http://127.0.0.1:99999/query", "sources"])
    assert '"http://127.0.0.1:99999/query" is not an http(s) URL' in message


# -------------------------------------------------------------------------------- 5. credentials, never shown


def test_basic_credentials_come_from_the_environment(proxy: Proxy, tiny_csv: Path) -> None:
    env = {"FILMKG_ENDPOINT_USER": "alice", "FILMKG_ENDPOINT_PASSWORD": "s3cr3t-pw"}
    ok([*proxy.server.args(), "ingest", str(tiny_csv)], env=env)
    ok([*proxy.server.args(), "sources"], env=env)
    expected = "Basic " + base64.b64encode(b"alice:s3cr3t-pw").decode("ascii")
    assert {r.service for r in proxy.requests} >= {"query", "update", "gsp"}
    assert {r.headers.get("authorization") for r in proxy.requests} == {expected}


def test_a_bearer_token_comes_from_the_environment(proxy: Proxy, tiny_csv: Path) -> None:
    env = {"FILMKG_ENDPOINT_TOKEN": "tok-123"}
    ok([*proxy.server.args(), "ingest", str(tiny_csv)], env=env)
    ok([*proxy.server.args(), "query", "--name", "cast"], env=env)
    assert {r.service for r in proxy.requests} >= {"query", "update", "gsp"}
    assert {r.headers.get("authorization") for r in proxy.requests} == {"Bearer tok-123"}


def test_no_credentials_without_the_variables(proxy: Proxy, tiny_csv: Path) -> None:
    ok([*proxy.server.args(), "ingest", str(tiny_csv)])
    assert proxy.requests
    assert not [r for r in proxy.requests if "authorization" in r.headers]


def test_a_token_read_with_its_newline_works(proxy: Proxy, tiny_csv: Path) -> None:
    ok([*proxy.server.args(), "ingest", str(tiny_csv)], env={"FILMKG_ENDPOINT_TOKEN": "tok-123\n"})
    assert {r.headers.get("authorization") for r in proxy.requests} == {"Bearer tok-123"}


@pytest.mark.parametrize(
    ("env", "variable", "secret"),
    [
        ({"FILMKG_ENDPOINT_TOKEN": "s3cr3t tok"}, "FILMKG_ENDPOINT_TOKEN", "s3cr3t"),
        ({"FILMKG_ENDPOINT_TOKEN": "s3cr3t\ntok"}, "FILMKG_ENDPOINT_TOKEN", "s3cr3t"),
        ({"FILMKG_ENDPOINT_USER": "bob", "FILMKG_ENDPOINT_PASSWORD": "s3cr3t密码"}, "FILMKG_ENDPOINT_PASSWORD", "s3cr3t"),
        ({"FILMKG_ENDPOINT_USER": "bob:s3cr3t"}, "FILMKG_ENDPOINT_USER", "s3cr3t"),
    ],
    ids=["space in token", "newline in token", "non-ASCII password", "colon in user"],
)
def test_credentials_http_cannot_carry_are_refused_without_showing_them(
    env: dict[str, str], variable: str, secret: str, server: Server
) -> None:
    message = clean_failure([*server.args(), "sources"], env=env)
    assert variable in message
    assert secret not in message


# ------------------------------------------------------------------------------------------ 6. environment


def test_environment_variables_select_the_server(server: Server, tiny_csv: Path) -> None:
    env = {
        "FILMKG_ENDPOINT": server.query_url, "FILMKG_UPDATE_ENDPOINT": server.update_url,
        "FILMKG_GSP_ENDPOINT": server.gsp_url,
    }
    run = ok(["ingest", str(tiny_csv)], env=env)
    assert "1 file (1 added)" in run.stdout
    assert [s["name"] for s in sources_json(server.args())] == ["tiny.csv"]
    listed = ok(["sources", "--json"], env={"FILMKG_ENDPOINT": server.query_url})
    assert [s["name"] for s in json.loads(listed.stdout)] == ["tiny.csv"]


def test_the_query_url_alone_from_the_environment_is_read_only(server: Server, tiny_csv: Path) -> None:
    before = server.dataset()
    env = {"FILMKG_ENDPOINT": server.query_url, "FILMKG_GSP_ENDPOINT": server.gsp_url}
    run = fails(["ingest", str(tiny_csv)], 4, env=env)
    assert "--update-endpoint (or set FILMKG_UPDATE_ENDPOINT)" in run.stderr
    assert server.dataset() == before


def test_an_explicit_store_overrides_the_endpoint_variables(server: Server, tiny_csv: Path, kg_path: Path) -> None:
    dead = f"http://127.0.0.1:{free_port()}"
    env = {
        "FILMKG_ENDPOINT": f"{dead}/query", "FILMKG_UPDATE_ENDPOINT": f"{dead}/update",
        "FILMKG_GSP_ENDPOINT": f"{dead}/store",
    }
    before = server.dataset()
    run = ok(["--store", str(kg_path), "ingest", str(tiny_csv)], env=env)
    assert "1 file (1 added)" in run.stdout
    assert (kg_path / "CURRENT").exists()
    listed = ok(["--store", str(kg_path), "sources", "--json"], env=env)
    assert [s["name"] for s in json.loads(listed.stdout)] == ["tiny.csv"]
    assert server.dataset() == before


def test_an_explicit_endpoint_overrides_the_endpoint_variables(server: Server, tiny_csv: Path) -> None:
    dead = f"http://127.0.0.1:{free_port()}"
    env = {"FILMKG_ENDPOINT": f"{dead}/query", "FILMKG_UPDATE_ENDPOINT": f"{dead}/update"}
    run = ok([*server.args(), "ingest", str(tiny_csv)], env=env)
    assert "1 file (1 added)" in run.stdout
    assert [s["name"] for s in sources_json(server.args())] == ["tiny.csv"]


# -------------------------------------------------------------- 7. SPARQL errors, SERVICE and dataset clauses


@pytest.mark.parametrize(
    ("sparql", "bind"),
    [
        ("SELECT * WHERE { ?s ?p }", []),
        ("SELECT ?actor WHERE {\n  ?actor film:actedIn ?film .\n  FILTER(?film = )\n}", []),
        ("SELECT ?actor WHERE {\n  ?actor film:actedIn ?film ;\n  rdfs:label }", ["--bind", "film=Anora"]),
    ],
    ids=["one line", "prefixed, several lines", "with --bind"],
)
def test_syntax_error_on_the_server_points_into_the_query(
    sparql: str, bind: list[str], embedded: list[str], server: Server
) -> None:
    served = fails([*server.args(), "query", sparql, *bind], 6)
    local = fails([*embedded, "query", sparql, *bind], 6)
    assert served.stderr == local.stderr
    lines = served.stderr.splitlines()
    assert lines[0].startswith("error: SPARQL syntax error: error at ")
    assert lines[-1].strip() == "^"
    assert lines[-2].removeprefix("  ") in sparql.splitlines()


def test_service_is_refused_before_anything_reaches_the_server(proxy: Proxy) -> None:
    sparql = "SELECT * WHERE { SERVICE <http://127.0.0.1:9/sparql> { ?s ?p ?o } }"
    run = fails([*proxy.server.args(), "query", sparql], 6)
    assert "SERVICE" in run.stderr and "--allow-network" in run.stderr
    assert not [r for r in proxy.requests if b"SERVICE" in r.body]


def test_a_prefixed_name_ending_in_from_is_not_a_dataset_clause(embedded: list[str], remote: list[str]) -> None:
    sparql = "PREFIX ex: <http://example.org/> SELECT (COUNT(*) AS ?n) WHERE { ?s ?p ?o FILTER(?p != ex:moved-from) }"
    for args in (embedded, remote):
        count = int(ok([*args, "query", "--format", "csv", sparql]).stdout.split()[1])
        assert count > 1000


# -------------------------------------------------------------- 8. failed ingests, and what they leave behind


def test_bad_rows_leave_the_server_as_it_was(remote: list[str], server: Server) -> None:
    before = server.dataset()
    run = fails([*remote, "ingest", str(DATA / "bad.csv")], 3)
    assert "nothing was ingested" in run.stderr
    assert 'unknown relation "trainedd-for"' in run.stderr
    assert server.dataset() == before


def test_bad_rows_on_an_empty_server_write_nothing(server: Server, tiny_csv: Path) -> None:
    run = fails([*server.args(), "ingest", str(tiny_csv), str(DATA / "bad.csv")], 3)
    assert "bad.csv" in run.stderr
    assert server.dataset() == set()


def nth(count: int, matches: Callable[[Recorded], bool], status: int = 500) -> Refusal:
    """A refusal of the ``count``-th request that ``matches`` (and only that one)."""
    seen = 0

    def refuse(record: Recorded) -> int | None:
        nonlocal seen
        if not matches(record):
            return None
        seen += 1
        return status if seen == count else None

    return refuse


@pytest.fixture
def anora_then_changed(proxy: Proxy, server: Server, anora_file: Path, tmp_path: Path) -> tuple[Path, set[ox.Quad]]:
    """The server holding the Anora data ingested from a file that has since changed; and its quads."""
    changing = tmp_path / "anora.csv"
    shutil.copy(anora_file, changing)
    ok([*server.args(), "ingest", str(changing)])
    truncated(anora_file, changing)
    before = server.dataset()
    assert len(source_graphs(server)) == 1
    return changing, before


@pytest.mark.parametrize("gsp", [True, False], ids=["graph store", "insert data"])
def test_an_upload_that_fails_halfway_leaves_the_previous_version(
    gsp: bool, proxy: Proxy, server: Server, anora_then_changed: tuple[Path, set[ox.Quad]]
) -> None:
    changing, before = anora_then_changed
    if gsp:
        proxy.refuse = nth(2, lambda r: r.is_upload)
    else:
        proxy.refuse = nth(2, lambda r: "INSERT DATA { GRAPH <" + GRAPH_PREFIX in (r.update or ""))
    run = fails([*proxy.server.args(gsp=gsp), "ingest", str(changing)], 4, env={"FILMKG_UPLOAD_CHUNK_BYTES": CHUNK})
    assert "500" in run.stderr and "refused by the test proxy" in run.stderr
    assert (proxy.server.gsp_url if gsp else proxy.server.update_url) in run.stderr
    assert server.dataset() == before


def test_a_refused_registry_swap_leaves_the_previous_version(
    proxy: Proxy, server: Server, anora_then_changed: tuple[Path, set[ox.Quad]]
) -> None:
    changing, before = anora_then_changed
    def is_swap(record: Recorded) -> bool:  # unlists the previous version and lists the new one, in one update
        update = record.update or ""
        return "DELETE WHERE" in update and f"<{REGISTRY_GRAPH}>" in update and "INSERT DATA" in update

    proxy.refuse = nth(1, is_swap, 503)
    run = fails([*proxy.server.args(), "ingest", str(changing)], 4)
    assert "503" in run.stderr
    assert server.dataset() == before


def test_a_graph_left_by_a_crashed_upload_is_invisible(
    proxy: Proxy, server: Server, anora_then_changed: tuple[Path, set[ox.Quad]], tmp_path: Path
) -> None:
    """If even the clean-up fails (as when the process dies), readers still see only the registered version."""
    changing, before = anora_then_changed
    listed = ok([*server.args(), "sources", "--json"]).stdout
    exported = tmp_path / "before.nq"
    ok([*server.args(), "export", "-o", str(exported)])
    second_upload = nth(2, lambda r: r.is_upload)

    def refuse_upload_then_cleanup(record: Recorded) -> int | None:
        if "DROP SILENT GRAPH" in (record.update or ""):
            return 500
        return second_upload(record)

    proxy.refuse = refuse_upload_then_cleanup
    fails([*proxy.server.args(), "ingest", str(changing)], 4, env={"FILMKG_UPLOAD_CHUNK_BYTES": CHUNK})
    assert len(source_graphs(server)) == 2, "the test did not leave a partial graph behind"
    assert ok([*server.args(), "sources", "--json"]).stdout == listed
    again = tmp_path / "after.nq"
    ok([*server.args(), "export", "-o", str(again)])
    assert set(ox.parse(path=str(again), format=ox.RdfFormat.N_QUADS)) == set(
        ox.parse(path=str(exported), format=ox.RdfFormat.N_QUADS)
    )
    count = ok([*server.args(), "query", "SELECT (COUNT(*) AS ?n) WHERE { ?s ?p ?o }"]).stdout
    assert count == f"n\n{len(before)}\n"
    # The next writing command removes it. It finds it among the server's graphs: GRAPH ?g {} on
    # Oxigraph; Virtuoso answers that with one row and ?g unbound, so there the graphs with a triple.
    ok([*server.args(), "drop", "anora.csv"])
    assert source_graphs(server) == set()


def test_a_graph_left_by_a_failed_ingest_is_not_seen_by_any_command(
    server: Server, anora_file: Path, tmp_path: Path
) -> None:
    """The upload lands, the registry swap fails (a wrong update URL): nothing about the file shows,
    also not in the commands that walk ``GRAPH ?g`` (neighbours, paths, views, statistics)."""
    full = server.args()
    ok([*full, "ingest", str(anora_file)])
    ghost = tmp_path / "ghost.csv"
    ghost.write_text("subject,predicate,object\nMikey Madison,acted-in,Ghost Film\n", encoding="utf-8")
    broken = ["--endpoint", server.query_url, "--update-endpoint", f"{server.base}/nope", "--gsp-endpoint", server.gsp_url]
    message = clean_failure([*broken, "ingest", str(ghost)])
    assert "404" in message
    assert len(source_graphs(server)) == 2  # the partly ingested graph is on the server, not in the registry
    for command in (["neighbors", "Mikey Madison", "--depth", "2"], ["analyze", "stats"], ["path", "Sean Baker", "Mikey Madison"]):
        assert "Ghost" not in ok([*full, *command]).stdout, command
    view = tmp_path / "view.html"
    ok([*full, "viz", "--focus", "Mikey Madison", "-o", str(view)])
    assert "Ghost" not in view.read_text(encoding="utf-8")


# ------------------------------------------------------------------------------------------ 9. Python API


def test_connect_ingest_query_sources_drop(server: Server, tiny_csv: Path) -> None:
    with KnowledgeGraph.connect(server.query_url, update_endpoint=server.update_url, gsp_endpoint=server.gsp_url) as kg:
        assert not kg.read_only
        report = kg.ingest(tiny_csv)
        assert [f.status for f in report.files] == ["added"]
        assert [s.name for s in kg.sources()] == ["tiny.csv"]
        result = kg.query("SELECT ?film WHERE { ?who film:directed ?film }")
        assert result.kind == "select" and len(result.rows) >= 1
        assert len(kg) == len(server.dataset())
        dropped = kg.drop("tiny.csv")
        assert dropped.name == "tiny.csv"
        assert kg.sources() == []
        assert source_graphs(server) == set()
        assert graph_names(server.dataset()) == {REGISTRY_GRAPH, ONTOLOGY_GRAPH}
        assert len(kg) == len(server.dataset())
    with pytest.raises(StoreError, match="closed"):
        kg.sources()


def test_connect_without_update_url_is_read_only(server: Server, tiny_csv: Path) -> None:
    with KnowledgeGraph.connect(server.query_url, gsp_endpoint=server.gsp_url) as kg:
        assert kg.read_only
        assert kg.sources() == []
        with pytest.raises(StoreError, match="`update_endpoint`"):
            kg.ingest(tiny_csv)
    assert server.dataset() == set()


def test_connect_refuses_credentials_in_the_url(server: Server) -> None:
    with pytest.raises(EndpointError) as caught:
        KnowledgeGraph.connect(server.query_url.replace("http://", "http://alice:s3cr3t-pw@"))
    assert "s3cr3t-pw" not in str(caught.value)
    assert "FILMKG_ENDPOINT_USER" in str(caught.value)


def test_rdflib_dataset_queries_the_server(server: Server, anora_file: Path) -> None:
    """rdflib sends no dataset, so ``GRAPH ?g`` ranges over every graph on the server (Virtuoso's
    own included): the count keeps to filmkg's graphs."""
    with KnowledgeGraph.connect(server.query_url, update_endpoint=server.update_url, gsp_endpoint=server.gsp_url) as kg:
        kg.ingest(anora_file)
        rows = list(kg.dataset.query(
            'SELECT (COUNT(*) AS ?n) WHERE { GRAPH ?g { ?s ?p ?o } FILTER(STRSTARTS(STR(?g), "https://w3id.org/filmkg/")) }'
        ))
        assert int(rows[0][0]) == len(kg) > 1000
        labels = kg.dataset.query(
            'SELECT ?s WHERE { GRAPH ?g { ?s <http://www.w3.org/2000/01/rdf-schema#label> "Mikey Madison" } }'
        )
        assert [str(row[0]) for row in labels] == ["https://w3id.org/filmkg/resource/mikey_madison"]


def test_rdflib_dataset_sends_the_credentials(proxy: Proxy, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("FILMKG_ENDPOINT_TOKEN", "tok-456")
    with KnowledgeGraph.connect(proxy.server.query_url) as kg:
        list(kg.dataset.query("ASK { GRAPH ?g { ?s ?p ?o } }"))
    assert proxy.requests
    assert {r.headers.get("authorization") for r in proxy.requests} == {"Bearer tok-456"}
