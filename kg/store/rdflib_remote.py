"""An rdflib :class:`~rdflib.Dataset` over a SPARQL server, through rdflib's SPARQL store.

rdflib sends no filmkg dataset, so queries through it see the data with ``GRAPH ?g { ... }``
patterns. Two settings make it work on every tested server:

- queries go form-encoded (rdflib's ``POST_FORM``), as filmkg's own requests: Virtuoso 7 never
  answers a query POSTed directly as ``application/sparql-query`` (rdflib's ``POST``);
- SELECT and ASK ask for SPARQL JSON results, CONSTRUCT and DESCRIBE for RDF/XML: with rdflib's
  default Accept header (``application/rdf+xml, application/sparql-results+xml``) Virtuoso sends
  SELECT results as RDF/XML, which rdflib cannot read as results.

Examples:
    >>> remote_dataset("http://127.0.0.1:9/query", None).store.query_endpoint
    'http://127.0.0.1:9/query'
"""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

from kg.sparql import query_form

if TYPE_CHECKING:
    from rdflib import Dataset

__all__ = ["remote_dataset"]


def remote_dataset(
    query_endpoint: str, update_endpoint: str | None, *, token: str | None = None,
    basic: tuple[str, str] | None = None,
) -> Dataset:
    """An rdflib Dataset (union default graph) over the server's query and update endpoints.

    Args:
        query_endpoint: the query URL.
        update_endpoint: the update URL, or ``None`` (read-only).
        token: a bearer token to send.
        basic: HTTP basic user and password to send (when there is no token).

    Returns:
        The dataset.
    """
    from rdflib import Dataset
    from rdflib.plugins.stores.sparqlstore import SPARQLUpdateStore
    from rdflib.query import Result

    class _Store(SPARQLUpdateStore):
        def _query(self, *args: Any, **kwargs: Any) -> Result:
            text = args[0] if args else kwargs.get("query", "")
            self.returnFormat = "xml" if query_form(str(text)) == "graph" else "json"
            return super()._query(*args, **kwargs)

    options: dict[str, Any] = {}
    if token is not None:
        options["headers"] = {"Authorization": f"Bearer {token}"}
    elif basic is not None:
        options["auth"] = basic
    store = _Store(query_endpoint=query_endpoint, update_endpoint=update_endpoint, method="POST_FORM", **options)
    return Dataset(store=store, default_union=True)
