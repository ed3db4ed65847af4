"""The URLs of a SPARQL server, and the credentials to send it, from the environment.

:class:`Endpoints` names the three services a server offers: the query endpoint (required),
the update endpoint (without it the graph is read-only) and the Graph Store Protocol endpoint.
Credentials come from the environment, never from the command line:
``FILMKG_ENDPOINT_USER`` and ``FILMKG_ENDPOINT_PASSWORD`` (HTTP basic), or
``FILMKG_ENDPOINT_TOKEN`` (a bearer token).

Examples:
    >>> Endpoints("http://127.0.0.1:7878/query").read_only
    True
    >>> Endpoints("http://user:secret@127.0.0.1:7878/query").check_no_credentials()
    Traceback (most recent call last):
    ...
    kg.errors.EndpointError: the endpoint URL http://127.0.0.1:7878/query carries credentials: set FILMKG_ENDPOINT_USER and FILMKG_ENDPOINT_PASSWORD (or FILMKG_ENDPOINT_TOKEN) instead, so they do not show in the command line
"""

from __future__ import annotations

import os
from dataclasses import dataclass
from urllib.parse import urlsplit, urlunsplit

from kg.errors import EndpointError

__all__ = [
    "ENDPOINT_ENV",
    "GSP_ENDPOINT_ENV",
    "PASSWORD_ENV",
    "TOKEN_ENV",
    "UPDATE_ENDPOINT_ENV",
    "USER_ENV",
    "Endpoints",
    "credentials",
]

ENDPOINT_ENV = "FILMKG_ENDPOINT"
UPDATE_ENDPOINT_ENV = "FILMKG_UPDATE_ENDPOINT"
GSP_ENDPOINT_ENV = "FILMKG_GSP_ENDPOINT"
USER_ENV = "FILMKG_ENDPOINT_USER"
PASSWORD_ENV = "FILMKG_ENDPOINT_PASSWORD"
TOKEN_ENV = "FILMKG_ENDPOINT_TOKEN"


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
