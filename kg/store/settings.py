"""Where the graph lives: a store folder or a SPARQL server, from explicit settings and the environment.

Precedence, the same for the command line and the API:

1. ``store`` and ``endpoint`` given together are an error;
2. an explicit ``store`` wins over ``FILMKG_ENDPOINT``;
3. an ``endpoint`` (given, or ``FILMKG_ENDPOINT``) selects a server, with ``update_endpoint``
   and ``gsp_endpoint`` (given, or ``FILMKG_UPDATE_ENDPOINT`` and ``FILMKG_GSP_ENDPOINT``);
4. otherwise the folder ``store``, ``FILMKG_STORE`` or ``./.filmkg``.

Examples:
    >>> where(store=Path("s"), environ={"FILMKG_ENDPOINT": "http://h/q"}).location
    PosixPath('s')
    >>> where(environ={"FILMKG_ENDPOINT": "http://h/q"}).endpoints
    Endpoints(query='http://h/q', update=None, gsp=None)
"""

from __future__ import annotations

import os
from collections.abc import Mapping
from dataclasses import dataclass
from pathlib import Path
from urllib.parse import urlsplit

from kg.errors import UsageError
from kg.store.embedded import DEFAULT_STORE, STORE_ENV
from kg.store.endpoints import ENDPOINT_ENV, GSP_ENDPOINT_ENV, UPDATE_ENDPOINT_ENV, Endpoints

__all__ = ["Where", "where"]


@dataclass(frozen=True)
class Where:
    """A store folder (``location``) or a server (``endpoints``): exactly one is set."""

    location: Path | None = None
    endpoints: Endpoints | None = None


def where(
    *,
    store: Path | None = None,
    endpoint: str | None = None,
    update_endpoint: str | None = None,
    gsp_endpoint: str | None = None,
    environ: Mapping[str, str] | None = None,
) -> Where:
    """Where the graph lives, by the precedence in the module's docstring.

    Raises:
        UsageError: ``store`` with ``endpoint``, or an update or GSP endpoint without a query endpoint.
        EndpointError: a URL that is not http(s), or one that carries credentials.

    Examples:
        >>> where(store=Path("s"), endpoint="http://h/q")
        Traceback (most recent call last):
        ...
        kg.errors.UsageError: give either `store` or `endpoint`, not both
    """
    env = os.environ if environ is None else environ
    for name, url in (("endpoint", endpoint), ("update_endpoint", update_endpoint), ("gsp_endpoint", gsp_endpoint)):
        if url is not None and _has_credentials(url, name):
            raise UsageError(
                f"`{name}` carries credentials, which other users can see in the process list: "
                "set FILMKG_ENDPOINT_USER and FILMKG_ENDPOINT_PASSWORD (or FILMKG_ENDPOINT_TOKEN) instead"
            )
    if store is not None and endpoint is not None:
        raise UsageError("give either `store` or `endpoint`, not both")
    if store is not None:
        if update_endpoint or gsp_endpoint:
            raise UsageError("`update_endpoint` and `gsp_endpoint` need `endpoint` (the query URL)")
        return Where(location=store)
    endpoint = endpoint or env.get(ENDPOINT_ENV) or None
    update_endpoint = update_endpoint or env.get(UPDATE_ENDPOINT_ENV) or None
    gsp_endpoint = gsp_endpoint or env.get(GSP_ENDPOINT_ENV) or None
    if endpoint is None:
        if update_endpoint or gsp_endpoint:
            raise UsageError("`update_endpoint` and `gsp_endpoint` need `endpoint` (the query URL)")
        folder = env.get(STORE_ENV)
        return Where(location=Path(folder) if folder else DEFAULT_STORE)
    urls = Endpoints(endpoint, update_endpoint, gsp_endpoint)
    urls.check_no_credentials()
    return Where(endpoints=urls)


def _has_credentials(url: str, name: str) -> bool:
    try:
        parts = urlsplit(url)
        return bool(parts.username or parts.password)
    except ValueError:
        raise UsageError(f"`{name}` {url} is not a valid URL: give it like http://localhost:7878/query") from None
