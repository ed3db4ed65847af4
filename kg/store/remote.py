"""Remote SPARQL 1.1 servers in place of the embedded store.

:class:`~kg.store.endpoints.Endpoints` names the three services a server offers: the query
endpoint (required), the update endpoint (without it the graph is read-only) and the Graph
Store Protocol endpoint (bulk uploads; without it uploads go as chunked ``INSERT DATA``
updates). :class:`RemoteStore` gives them the few store operations filmkg uses, so every
feature works the same on a server:

- queries over "every graph" (and ``GRAPH ?g`` patterns) name the dataset
  explicitly with the protocol's ``default-graph-uri`` and ``named-graph-uri``
  parameters: the registry, the ontology and the graphs the registry lists. A graph being uploaded is not in
  the registry yet, so readers never see half a file, and a server's own union
  default graph setting does not matter;
- results come back as SPARQL JSON or N-Triples and are parsed by pyoxigraph,
  so they are the same pyoxigraph terms as from the embedded store (Virtuoso's own ways of
  writing some literals are undone first, see :mod:`kg.store.virtuoso`);
- uploads go over the Graph Store Protocol, ``POST ?graph=IRI`` in chunks of
  whole lines (:data:`CHUNK_BYTES`); a file with blank nodes goes in one
  streamed request, because a blank node label only holds within one request.

``FILMKG_ENDPOINT_TIMEOUT`` sets the seconds to wait for an answer (default 60).

Examples:
    >>> RemoteStore(Endpoints("http://127.0.0.1:7878/query")).read_only
    True
"""

from __future__ import annotations

import io
import os
import re
import tempfile
from collections.abc import Iterator, Mapping
from pathlib import Path
from typing import IO, TYPE_CHECKING, Any

import pyoxigraph as ox

from kg.errors import EndpointError, QueryError, StoreError
from kg.sparql import declares_dataset, insert_data, prologue, scrub
from kg.store.base import as_boolean, as_solutions, as_triples, dataset_graphs, registered_graphs_query
from kg.store.endpoints import PASSWORD_ENV, TOKEN_ENV, USER_ENV, Endpoints, credentials
from kg.store.rdflib_remote import remote_dataset
from kg.store.recovery import Recovery
from kg.store.virtuoso import bounded_offsets, dataset_pragmas, is_virtuoso, prepare_upload, repair

if TYPE_CHECKING:
    import requests
    from rdflib import Dataset

__all__ = ["CHUNK_BYTES", "RemoteStore"]

TIMEOUT_ENV = "FILMKG_ENDPOINT_TIMEOUT"
CHUNK_ENV = "FILMKG_UPLOAD_CHUNK_BYTES"
CHUNK_BYTES = 8_000_000
"""Upload chunk size in bytes of N-Triples (about 50,000 triples); ``FILMKG_UPLOAD_CHUNK_BYTES`` overrides it."""
DEFAULT_TIMEOUT = 60.0

_SOLUTIONS_ACCEPT = "application/sparql-results+json, application/sparql-results+xml;q=0.5"
_TRIPLES_ACCEPT = "application/n-triples, text/turtle;q=0.9, application/rdf+xml;q=0.5"
_MAX_ROWS_HEADER = "X-SPARQL-MaxRows"
_BLANK = re.compile(rb"(?:^|\s)_:")
_GRAPH_VARIABLE = re.compile(r"\bGRAPH\s*[?$]", re.IGNORECASE)
_OFFSET = re.compile(r"\bOFFSET\b", re.IGNORECASE)


class RemoteStore:
    """The store operations filmkg uses, over a SPARQL 1.1 server's HTTP endpoints.

    Args:
        endpoints: the server's URLs.
        timeout: seconds to wait for an answer (default ``$FILMKG_ENDPOINT_TIMEOUT`` or 60).
        chunk_bytes: upload chunk size (default ``$FILMKG_UPLOAD_CHUNK_BYTES`` or :data:`CHUNK_BYTES`).
    """

    def __init__(
        self, endpoints: Endpoints, *, timeout: float | None = None, chunk_bytes: int | None = None
    ) -> None:
        import requests

        endpoints.check_urls()
        self.endpoints = endpoints
        self.location: Path | None = None
        self.timeout = timeout if timeout is not None else _env_number(TIMEOUT_ENV, DEFAULT_TIMEOUT)
        self.chunk_bytes = chunk_bytes if chunk_bytes is not None else int(_env_number(CHUNK_ENV, CHUNK_BYTES))
        self._session: requests.Session | None = requests.Session()
        self._session.headers["User-Agent"] = "filmkg"
        self._server: str | None = None  # the Server header of the last answer
        token, basic = credentials()
        if token is not None:
            self._session.headers["Authorization"] = f"Bearer {token}"
        elif basic is not None:
            self._session.auth = basic

    # ------------------------------------------------------------------ HTTP

    def _send(self, method: str, url: str, **options: Any) -> requests.Response:
        """One request; every failure becomes an :class:`EndpointError` naming the URL and the fix."""
        import requests

        if self._session is None:
            raise StoreError("this knowledge graph is closed: connect again")
        try:
            response = self._session.request(method, url, timeout=self.timeout, **options)
        except requests.Timeout:
            raise EndpointError(
                f"the SPARQL endpoint {url} did not answer within {self.timeout:g} s: "
                f"set {TIMEOUT_ENV} to wait longer"
            ) from None
        except requests.ConnectionError as exc:
            raise EndpointError(
                f"cannot reach the SPARQL endpoint {url} ({_reason(exc)}): check that the server is running "
                "and the URL (`endpoint`, `update_endpoint`, `gsp_endpoint`)"
            ) from None
        except requests.RequestException as exc:  # its text may quote headers, so credentials: not shown
            raise EndpointError(f"the request to {url} failed ({type(exc).__name__})") from None
        self._server = response.headers.get("Server", "")
        if response.status_code >= 400:
            raise _http_error(url, response)
        return response

    def _is_virtuoso(self) -> bool:
        """Whether the server is Virtuoso (by the Server header of its answers; asks once if none came yet)."""
        if self._server is None:
            self.ask("ASK {}", union=False)
        return is_virtuoso(self._server)

    # ------------------------------------------------------------------ the store operations

    def _query(
        self, query: str, union: bool, prefixes: Mapping[str, str] | None, *, scoped: bool = True,
        triples: bool = False,
    ) -> ox.QuerySolutions | ox.QueryBoolean | list[ox.Triple]:
        """Run a query; with ``union`` the dataset is every filmkg graph. ``triples`` asks for an RDF
        answer (CONSTRUCT, DESCRIBE), otherwise SPARQL results: a server may answer a CONSTRUCT in
        any format the Accept header allows (Virtuoso sends its triples as SPARQL JSON results).

        Raises:
            SyntaxError: the server refused the query and pyoxigraph finds a syntax error in it.
            QueryError: the server refused or failed the query for another reason.
            EndpointError: the server cannot be reached, timed out or failed.
        """
        sent = query
        if _OFFSET.search(scrub(query)) and self._is_virtuoso():
            sent = bounded_offsets(query)  # Virtuoso fails an OFFSET without a LIMIT (see bounded_offsets)
        text = prologue(query, prefixes) + sent
        default: list[str] = []
        named: list[str] = []
        if scoped and not declares_dataset(query):
            if union:
                default = named = self.graphs()
            elif _GRAPH_VARIABLE.search(scrub(query)):
                # GRAPH ?g ranges over the filmkg graphs only: not over graphs being uploaded,
                # left by a failed upload, or written by other applications on the same server.
                named = self.graphs()
        form: list[tuple[str, str]] = [("query", text)]
        if (default or named) and self._is_virtuoso():
            # Virtuoso echoes each protocol graph in a header of its answer, and past 100
            # headers Python's HTTP client refuses the answer: the dataset goes in the query.
            form = [("query", dataset_pragmas(default, named) + text)]
        else:
            form += [("default-graph-uri", g) for g in default] + [("named-graph-uri", g) for g in named]
        try:
            response = self._send(
                "POST", self.endpoints.query, data=form,
                headers={"Accept": _TRIPLES_ACCEPT if triples else _SOLUTIONS_ACCEPT},
            )
        except _Refused as exc:
            _local_syntax_check(query, prefixes)
            raise QueryError(
                f"the endpoint {self.endpoints.query} refused the query: {exc.detail} "
                "(check that this is the server's query endpoint)"
            ) from None
        _check_not_cut(response)
        return _parse_results(response)

    def select(
        self, sparql: str, *, union: bool = True, prefixes: Mapping[str, str] | None = None
    ) -> ox.QuerySolutions:
        """The solutions of a SELECT query."""
        return as_solutions(self._query(sparql, union, prefixes))

    def ask(self, sparql: str, *, union: bool = True, prefixes: Mapping[str, str] | None = None) -> bool:
        """The answer of an ASK query."""
        return as_boolean(self._query(sparql, union, prefixes))

    def construct(
        self, sparql: str, *, union: bool = True, prefixes: Mapping[str, str] | None = None
    ) -> list[ox.Triple]:
        """The triples of a CONSTRUCT or DESCRIBE query."""
        return as_triples(self._query(sparql, union, prefixes, triples=True))

    @property
    def read_only(self) -> bool:
        """Without an update endpoint nothing can be written."""
        return self.endpoints.read_only

    def check_writable(self) -> None:
        """Raise :class:`~kg.errors.StoreError` naming the missing update endpoint."""
        if self.endpoints.update is None:
            raise StoreError(READ_ONLY.format(url=self.endpoints.query))

    def written(self) -> None:
        """Nothing to forget: the dataset is asked of the server before every query."""

    def update(self, update: str) -> None:
        """Run a SPARQL update (one request, so one transaction on servers that have them).

        Raises:
            StoreError: read-only (no update endpoint).
            EndpointError: the server cannot be reached or failed.
        """
        self.check_writable()
        assert self.endpoints.update is not None
        try:
            self._send("POST", self.endpoints.update, data={"update": update})
        except _Refused as exc:
            raise EndpointError(f"the endpoint {self.endpoints.update} refused an update: {exc.detail}") from None

    def bulk_load(self, path: Path, graph: str) -> None:
        """Upload an N-Triples file into ``graph``: Graph Store Protocol POSTs in chunks of whole lines.

        Without a GSP endpoint the chunks go as ``INSERT DATA`` updates. A file with blank nodes
        goes in one streamed request, because blank node labels only hold within one request.
        On Virtuoso, durations are first written so that its parser reads them right
        (:func:`kg.store.virtuoso.prepare_upload`).
        """
        self.check_writable()
        to_graph = ox.NamedNode(graph)
        virtuoso = self._is_virtuoso()
        with open(path, "rb") as stream:
            blank = any(_BLANK.search(line) for line in stream)
            stream.seek(0)
            if blank and virtuoso:
                with tempfile.TemporaryFile() as prepared:
                    prepared.writelines(prepare_upload(line) for line in stream)
                    prepared.seek(0)
                    self._post_triples(prepared, to_graph)
            elif blank:
                self._post_triples(stream, to_graph)
            else:
                for chunk in _chunks(stream, self.chunk_bytes):
                    self._post_triples(prepare_upload(chunk) if virtuoso else chunk, to_graph)

    def _post_triples(self, body: bytes | IO[bytes], graph: ox.NamedNode) -> None:
        if self.endpoints.gsp is not None:
            try:
                self._send(
                    "POST", self.endpoints.gsp, params={"graph": graph.value}, data=body,
                    headers={"Content-Type": "application/n-triples"},
                )
            except _Refused as exc:
                raise EndpointError(
                    f"the Graph Store endpoint {self.endpoints.gsp} refused an upload: {exc.detail}"
                ) from None
            return
        text = body if isinstance(body, bytes) else body.read()
        try:
            self.update(insert_data(f"GRAPH {graph} {{\n{text.decode('utf-8')}\n}}"))
        except EndpointError as exc:  # e.g. Virtuoso 7 refuses xsd:duration literals in updates
            raise EndpointError(
                f"uploading with SPARQL updates failed (give `gsp_endpoint`, the server's Graph Store "
                f"endpoint, to upload files as they are): {exc}", status=exc.status
            ) from None

    def add_graph(self, graph: str) -> None:
        """Create an empty named graph (servers that do not keep empty graphs ignore it)."""
        self.update(f"CREATE SILENT GRAPH {ox.NamedNode(graph)}")

    def remove_graph(self, graph: str) -> None:
        """Drop a named graph."""
        self.update(f"DROP SILENT GRAPH {ox.NamedNode(graph)}")

    def graphs(self) -> list[str]:
        """The filmkg dataset: the registry, the ontology and every graph the registry lists."""
        rows = self.select(registered_graphs_query(), union=False)
        return dataset_graphs([row[0].value for row in rows])

    def graph_names(self) -> list[str]:
        """Every named graph on the server (also those of other applications).

        ``GRAPH ?g {}`` lists them, empty ones included. Virtuoso answers it with one solution that
        leaves ``?g`` unbound, so there the graphs that hold a triple are listed instead (Virtuoso
        keeps no empty graphs).
        """
        names: set[str] = set()
        for pattern in ("GRAPH ?g { }", "GRAPH ?g { ?s ?p ?o }"):
            rows = self._query(f"SELECT DISTINCT ?g WHERE {{ {pattern} }}", False, None, scoped=False)
            assert isinstance(rows, ox.QuerySolutions)
            bound = [row[0] for row in rows]
            names = {term.value for term in bound if isinstance(term, ox.NamedNode)}
            if None not in bound:
                break
        return sorted(names)

    def quads(self) -> Iterator[ox.Quad]:
        """Every quad of the filmkg graphs, one graph at a time."""
        for name in self.graphs():
            node = ox.NamedNode(name)
            for triple in self._graph_triples(node):
                yield ox.Quad(triple.subject, triple.predicate, triple.object, node)

    def _graph_triples(self, node: ox.NamedNode) -> list[ox.Triple]:
        if self.endpoints.gsp is not None:
            try:
                response = self._send(
                    "GET", self.endpoints.gsp, params={"graph": node.value}, headers={"Accept": "application/n-triples"}
                )
                return _parse_results(response)  # type: ignore[return-value]  # an RDF answer gives triples
            except EndpointError as exc:
                if exc.status != 404:  # 404: an empty graph the server does not keep
                    raise
                return []
        return self.construct(f"CONSTRUCT {{ ?s ?p ?o }} WHERE {{ GRAPH {node} {{ ?s ?p ?o }} }}", union=False)

    def dump(self, output: IO[bytes], format: ox.RdfFormat, *, prefixes: Mapping[str, str] | None = None) -> None:
        """Write every quad of the filmkg graphs to ``output`` in a dataset ``format``."""
        ox.serialize(self.quads(), output, format=format, prefixes=dict(prefixes) if prefixes else None)

    def __len__(self) -> int:
        rows = self.select("SELECT (COUNT(*) AS ?n) WHERE { GRAPH ?g { ?s ?p ?o } }")
        return int(next(iter(rows))[0].value)

    def remove_debris(self) -> Recovery:
        """Nothing: a server keeps its own files."""
        return Recovery()

    def optimize(self) -> None:
        """Nothing to do: the server manages its storage."""

    def rdflib_dataset(self) -> Dataset:
        """An rdflib :class:`~rdflib.Dataset` over the server, through rdflib's SPARQL store
        (with the credentials from the environment). rdflib sends no filmkg dataset, so queries
        through it see the data with ``GRAPH ?g { ... }`` patterns; :func:`kg.query.query` needs none.

        Examples:
            >>> RemoteStore(Endpoints("http://127.0.0.1:9/query")).rdflib_dataset().store.query_endpoint
            'http://127.0.0.1:9/query'
        """
        token, basic = credentials()
        return remote_dataset(self.endpoints.query, self.endpoints.update, token=token, basic=basic)

    def close(self) -> None:
        """Close the HTTP connections."""
        if self._session is not None:
            self._session.close()
        self._session = None


READ_ONLY = (
    "the endpoint {url} is read-only here: pass `update_endpoint` (or set FILMKG_UPDATE_ENDPOINT) "
    "to write, and `gsp_endpoint` for fast uploads"
)


class _Refused(EndpointError):
    """A 400 answer: the server refused the request as written (``detail`` is its message)."""

    def __init__(self, message: str, detail: str) -> None:
        super().__init__(message, status=400)
        self.detail = detail


def _http_error(url: str, response: requests.Response) -> EndpointError:
    status = f"{response.status_code} {response.reason or ''}".strip()
    detail = " ".join(response.text.split())[:500] if response.text else ""
    if response.status_code == 400:
        return _Refused(f"the SPARQL endpoint {url} answered {status}: {detail}", detail or status)
    code = response.status_code
    if code in (401, 403):
        return EndpointError(
            f"the SPARQL endpoint {url} refused access ({status}): set {USER_ENV} and {PASSWORD_ENV}, "
            f"or {TOKEN_ENV}, to credentials it accepts",
            status=code,
        )
    if code == 404:
        return EndpointError(f"the SPARQL endpoint {url} answered {status}: check the URL", status=code)
    if "SR186" in detail:  # Virtuoso answers a missing permission with a 500
        return EndpointError(
            f"the SPARQL endpoint {url} refused access ({status}; on Virtuoso, an administrator lets its "
            f'anonymous SPARQL user write with GRANT SPARQL_UPDATE TO "SPARQL"): {detail}',
            status=code,
        )
    suffix = f": {detail}" if detail else ""
    return EndpointError(f"the SPARQL endpoint {url} answered {status}{suffix}", status=code)


def _reason(exc: Exception) -> str:
    text = str(exc)
    match = re.search(r"\[Errno -?\d+\] ([^'\")\]]+)", text)
    if match:
        return match.group(1).strip().lower()
    if "Max retries" in text or "NewConnectionError" in text:
        return "connection failed"
    return text[:200]


def _check_not_cut(response: requests.Response) -> None:
    """Refuse an answer the server cut at its row limit (Virtuoso's ``ResultSetMaxRows``, which it
    reports in an ``X-SPARQL-MaxRows`` header): a cut answer would be silently wrong."""
    limit = response.headers.get(_MAX_ROWS_HEADER)
    if limit is not None:
        raise EndpointError(
            f"the SPARQL endpoint {response.url} cut the answer at {limit} rows (its {_MAX_ROWS_HEADER} limit; "
            "on Virtuoso, ResultSetMaxRows in the [SPARQL] section of virtuoso.ini): raise the limit "
            "above the number of triples in the graph"
        )


def _parse_results(response: requests.Response) -> ox.QuerySolutions | ox.QueryBoolean | list[ox.Triple]:
    media = (response.headers.get("Content-Type") or "").split(";")[0].strip().lower()
    results_format = ox.QueryResultsFormat.from_media_type(media) if media else None
    content = repair(response.content) if is_virtuoso(response.headers.get("Server")) else response.content
    try:
        if results_format is not None:
            return ox.parse_query_results(content, format=results_format)
        rdf = ox.RdfFormat.from_media_type(media) if media else None
        if rdf is None:
            raise EndpointError(f"the SPARQL endpoint {response.url} answered with {media or 'no content type'}, "
                                "which is neither SPARQL results nor RDF")
        return [ox.Triple(q.subject, q.predicate, q.object) for q in ox.parse(content, format=rdf)]
    except SyntaxError as exc:
        raise EndpointError(f"the SPARQL endpoint {response.url} sent an answer that does not parse: {exc}") from None


def _local_syntax_check(query: str, prefixes: Mapping[str, str] | None) -> None:
    """Raise pyoxigraph's SyntaxError (with its position) when ``query`` does not parse.

    The query runs on an empty in-memory store, so a valid one costs nothing; ``SERVICE`` is
    never reached because the check only runs for queries the server refused.
    """
    if re.search(r"\bSERVICE\b", scrub(query), re.IGNORECASE):
        return
    try:
        ox.Store().query(query, prefixes=dict(prefixes) if prefixes else None)
    except (OSError, ValueError, RuntimeError):  # it parses; it failed for another reason
        return


def _chunks(stream: IO[bytes], size: int) -> Iterator[bytes]:
    """Whole lines of ``stream`` in pieces of about ``size`` bytes."""
    buffer = io.BytesIO()
    for line in stream:
        buffer.write(line)
        if buffer.tell() >= size:
            yield buffer.getvalue()
            buffer = io.BytesIO()
    if buffer.tell():
        yield buffer.getvalue()


def _env_number(name: str, default: float) -> float:
    text = os.environ.get(name)
    if not text:
        return default
    try:
        value = float(text)
    except ValueError:
        raise EndpointError(f"{name}={text!r} is not a number") from None
    if value <= 0:
        raise EndpointError(f"{name}={text!r} must be positive")
    return value
