"""Remote SPARQL 1.1 servers in place of the embedded store.

:class:`Endpoints` names the three services a server offers: the query endpoint
(required), the update endpoint (without it the graph is read-only) and the
Graph Store Protocol endpoint (bulk uploads; without it uploads go as chunked
``INSERT DATA`` updates). :class:`RemoteStore` gives them the few store
operations filmkg uses, so every feature works the same on a server:

- queries over "every graph" (and ``GRAPH ?g`` patterns) name the dataset
  explicitly with the protocol's ``default-graph-uri`` and ``named-graph-uri``
  parameters: the registry, the ontology and the graphs the registry lists. A graph being uploaded is not in
  the registry yet, so readers never see half a file, and a server's own union
  default graph setting does not matter;
- results come back as SPARQL JSON or N-Triples and are parsed by pyoxigraph,
  so they are the same pyoxigraph terms as from the embedded store;
- uploads go over the Graph Store Protocol, ``POST ?graph=IRI`` in chunks of
  whole lines (:data:`CHUNK_BYTES`); a file with blank nodes goes in one
  streamed request, because a blank node label only holds within one request.

Credentials come from the environment, never from the command line:
``FILMKG_ENDPOINT_USER`` and ``FILMKG_ENDPOINT_PASSWORD`` (HTTP basic), or
``FILMKG_ENDPOINT_TOKEN`` (a bearer token). ``FILMKG_ENDPOINT_TIMEOUT`` sets the
seconds to wait for an answer (default 60).

Examples:
    >>> Endpoints("http://127.0.0.1:7878/query").read_only
    True
    >>> Endpoints("http://user:secret@127.0.0.1:7878/query").check_no_credentials()
    Traceback (most recent call last):
    ...
    kg.errors.EndpointError: the endpoint URL http://127.0.0.1:7878/query carries credentials: set FILMKG_ENDPOINT_USER and FILMKG_ENDPOINT_PASSWORD (or FILMKG_ENDPOINT_TOKEN) instead, so they do not show in the command line
"""

from __future__ import annotations

import io
import os
import re
from collections.abc import Iterator, Mapping
from dataclasses import dataclass
from pathlib import Path
from typing import IO, TYPE_CHECKING, Any
from urllib.parse import urlsplit, urlunsplit

import pyoxigraph as ox

from kg.errors import EndpointError, QueryError, StoreError
from kg.sparql import declares_dataset, prologue, scrub
from kg.store.base import as_boolean, as_solutions, as_triples, dataset_graphs, registered_graphs_query

if TYPE_CHECKING:
    import requests
    from rdflib import Dataset

__all__ = [
    "CHUNK_BYTES",
    "ENDPOINT_ENV",
    "GSP_ENDPOINT_ENV",
    "UPDATE_ENDPOINT_ENV",
    "Endpoints",
    "RemoteStore",
]

ENDPOINT_ENV = "FILMKG_ENDPOINT"
UPDATE_ENDPOINT_ENV = "FILMKG_UPDATE_ENDPOINT"
GSP_ENDPOINT_ENV = "FILMKG_GSP_ENDPOINT"
USER_ENV = "FILMKG_ENDPOINT_USER"
PASSWORD_ENV = "FILMKG_ENDPOINT_PASSWORD"
TOKEN_ENV = "FILMKG_ENDPOINT_TOKEN"
TIMEOUT_ENV = "FILMKG_ENDPOINT_TIMEOUT"
CHUNK_ENV = "FILMKG_UPLOAD_CHUNK_BYTES"
CHUNK_BYTES = 8_000_000
"""Upload chunk size in bytes of N-Triples (about 50,000 triples); ``FILMKG_UPLOAD_CHUNK_BYTES`` overrides it."""
DEFAULT_TIMEOUT = 60.0

_RESULTS_ACCEPT = "application/sparql-results+json, application/n-triples;q=0.9, text/turtle;q=0.8"
_BLANK = re.compile(rb"(?:^|\s)_:")
_GRAPH_VARIABLE = re.compile(r"\bGRAPH\s*[?$]", re.IGNORECASE)


@dataclass(frozen=True)
class Endpoints:
    """The URLs of a SPARQL server: query (required), update and Graph Store Protocol (optional)."""

    query: str
    update: str | None = None
    gsp: str | None = None

    @property
    def read_only(self) -> bool:
        """Without an update endpoint nothing can be written."""
        return self.update is None

    def check_no_credentials(self) -> None:
        """Refuse URLs with ``user:password@``: credentials belong in the environment.

        Raises:
            EndpointError: a URL carries a user name or password.
        """
        self.check_urls()
        for url in (self.query, self.update, self.gsp):
            if url is not None and (urlsplit(url).username or urlsplit(url).password):
                raise EndpointError(
                    f"the endpoint URL {_without_credentials(url)} carries credentials: set {USER_ENV} and "
                    f"{PASSWORD_ENV} (or {TOKEN_ENV}) instead, so they do not show in the command line"
                )

    def check_urls(self) -> None:
        """Every URL is ``http`` or ``https`` with a host.

        Raises:
            EndpointError: a URL that is not one.

        Examples:
            >>> Endpoints("localhost:7878/query").check_urls()
            Traceback (most recent call last):
            ...
            kg.errors.EndpointError: "localhost:7878/query" is not an http(s) URL: give the full URL, for example http://localhost:7878/query
        """
        for url in (self.query, self.update, self.gsp):
            if url is None:
                continue
            try:
                parts = urlsplit(url)
                valid = parts.scheme in ("http", "https") and bool(parts.hostname) and (parts.port or 0) >= 0
            except ValueError:
                valid = False
            if not valid:
                raise EndpointError(
                    f'"{url}" is not an http(s) URL: give the full URL, for example http://localhost:7878/query'
                )

    def __str__(self) -> str:
        return self.query


def credentials() -> tuple[str | None, tuple[str, str] | None]:
    """The bearer token, or the basic user and password, from the environment (surrounding
    whitespace removed, so that a token read from a file with its newline works).

    Raises:
        EndpointError: a value HTTP cannot carry; the message names the variable, never the value.

    Examples:
        >>> import os
        >>> os.environ[TOKEN_ENV] = "abc\\n"
        >>> credentials()
        ('abc', None)
        >>> os.environ[TOKEN_ENV] = "a b"
        >>> credentials()
        Traceback (most recent call last):
        ...
        kg.errors.EndpointError: FILMKG_ENDPOINT_TOKEN holds a space or control character, which HTTP headers cannot carry
        >>> del os.environ[TOKEN_ENV]
    """
    token = os.environ.get(TOKEN_ENV, "").strip()
    if token:
        if any(c.isspace() or not c.isprintable() or ord(c) > 126 for c in token):
            raise EndpointError(f"{TOKEN_ENV} holds a space or control character, which HTTP headers cannot carry")
        return token, None
    user = os.environ.get(USER_ENV, "").strip()
    if not user:
        return None, None
    password = os.environ.get(PASSWORD_ENV, "").strip("\r\n")
    for name, value in ((USER_ENV, user), (PASSWORD_ENV, password)):
        if not value.isprintable() or not all(ord(c) < 128 for c in value):
            raise EndpointError(
                f"{name} holds a character HTTP basic authentication cannot carry (use ASCII letters, "
                f"digits and punctuation, or {TOKEN_ENV})"
            )
    if ":" in user:
        raise EndpointError(f"{USER_ENV} cannot hold a colon (HTTP basic authentication separates user and password with it)")
    return None, (user, password)


def _without_credentials(url: str) -> str:
    parts = urlsplit(url)
    netloc = parts.netloc.rsplit("@", 1)[-1]
    return urlunsplit((parts.scheme, netloc, parts.path, parts.query, parts.fragment))


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
        if response.status_code >= 400:
            raise _http_error(url, response)
        return response

    # ------------------------------------------------------------------ the store operations

    def _query(
        self, query: str, union: bool, prefixes: Mapping[str, str] | None, *, scoped: bool = True
    ) -> ox.QuerySolutions | ox.QueryBoolean | list[ox.Triple]:
        """Run a query; with ``union`` the dataset is every filmkg graph.

        Raises:
            SyntaxError: the server refused the query and pyoxigraph finds a syntax error in it.
            QueryError: the server refused or failed the query for another reason.
            EndpointError: the server cannot be reached, timed out or failed.
        """
        text = prologue(query, prefixes) + query
        form: list[tuple[str, str]] = [("query", text)]
        if scoped and not declares_dataset(query):
            if union:
                graphs = self.graphs()
                form += [("default-graph-uri", g) for g in graphs] + [("named-graph-uri", g) for g in graphs]
            elif _GRAPH_VARIABLE.search(scrub(query)):
                # GRAPH ?g ranges over the filmkg graphs only: not over graphs being uploaded,
                # left by a failed upload, or written by other applications on the same server.
                form += [("named-graph-uri", g) for g in self.graphs()]
        try:
            response = self._send(
                "POST", self.endpoints.query, data=form, headers={"Accept": _RESULTS_ACCEPT}
            )
        except _Refused as exc:
            _local_syntax_check(query, prefixes)
            raise QueryError(
                f"the endpoint {self.endpoints.query} refused the query: {exc.detail} "
                "(check that this is the server's query endpoint)"
            ) from None
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
        return as_triples(self._query(sparql, union, prefixes))

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
        """
        self.check_writable()
        to_graph = ox.NamedNode(graph)
        with open(path, "rb") as stream:
            blank = any(_BLANK.search(line) for line in stream)
            stream.seek(0)
            if blank:
                self._post_triples(stream, to_graph)
                return
            for chunk in _chunks(stream, self.chunk_bytes):
                self._post_triples(chunk, to_graph)

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
        self.update(f"INSERT DATA {{ GRAPH {graph} {{\n{text.decode('utf-8')}\n}} }}")

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
        """Every named graph on the server (also those of other applications)."""
        rows = self._query("SELECT DISTINCT ?g WHERE { GRAPH ?g { } }", False, None, scoped=False)
        assert isinstance(rows, ox.QuerySolutions)
        return sorted(row[0].value for row in rows if isinstance(row[0], ox.NamedNode))

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
        from rdflib import Dataset
        from rdflib.plugins.stores.sparqlstore import SPARQLUpdateStore

        options: dict[str, Any] = {}
        token, basic = credentials()
        if token is not None:
            options["headers"] = {"Authorization": f"Bearer {token}"}
        elif basic is not None:
            options["auth"] = basic
        store = SPARQLUpdateStore(
            query_endpoint=self.endpoints.query, update_endpoint=self.endpoints.update, method="POST", **options
        )
        return Dataset(store=store, default_union=True)

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


def _parse_results(response: requests.Response) -> ox.QuerySolutions | ox.QueryBoolean | list[ox.Triple]:
    media = (response.headers.get("Content-Type") or "").split(";")[0].strip().lower()
    results_format = ox.QueryResultsFormat.from_media_type(media) if media else None
    try:
        if results_format is not None:
            return ox.parse_query_results(response.content, format=results_format)
        rdf = ox.RdfFormat.from_media_type(media) if media else None
        if rdf is None:
            raise EndpointError(f"the SPARQL endpoint {response.url} answered with {media or 'no content type'}, "
                                "which is neither SPARQL results nor RDF")
        return [ox.Triple(q.subject, q.predicate, q.object) for q in ox.parse(response.content, format=rdf)]
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
