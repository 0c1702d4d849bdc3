"""The proxy the operating system names, for a profile whose proxy is ``"system"``.

Read as httpx reads it with ``trust_env`` (and as most programs on the machine do), through
:func:`urllib.request.getproxies`: the ``https_proxy``/``all_proxy`` environment variables
everywhere, and also the Internet Settings on Windows and the network settings on macOS.
``no_proxy`` (or the system's exception list) is honoured only when it covers every mirror: the
transport has one route for all mirrors, and sending a listed mirror through the proxy is safer
than sending an unlisted one around it.

Only proxies the transport can use without weakening it are accepted: SOCKS5 (host names are
always sent to the proxy unresolved) and HTTP proxies that tunnel with ``CONNECT`` (TLS then
runs end to end, pins included, and the proxy too receives the host name, not an address).
Anything else (SOCKS4, a proxy reached over TLS, a proxy that needs a login) is refused with a
sentence saying so, rather than bypassed: a person who was told to use the system's proxy must
not find their sync went around it.
"""

from __future__ import annotations

import urllib.request
from collections.abc import Callable, Mapping, Sequence
from urllib.parse import urlsplit

from fieldreader.sync.config import parse_mirror
from fieldreader.sync.errors import TransportConfigError

DEFAULT_PORTS = {"http": 80, "socks5": 1080, "socks5h": 1080}
Lookup = Callable[[], Mapping[str, str]]
Bypass = Callable[[str], bool]


def system_proxy(
    mirrors: Sequence[str],
    environ: Mapping[str, str],
    *,
    lookup: Lookup | None = None,
    bypass: Bypass | None = None,
) -> str | None:
    """The proxy URL for a transport to the ``mirrors`` (None: connect directly).

    Args:
        mirrors: the mirrors' base URLs.
        environ: the environment variables to read on every platform (the process's own in
            the app). On Windows and macOS the system settings count too, unless ``lookup``
            is given.
        lookup: the system's proxy table (scheme -> URL); tests pass their own.
        bypass: whether the system says a host is reached directly; tests pass their own.

    Raises:
        TransportConfigError: the system names a proxy this transport cannot use.
    """
    table = _lower_keys(lookup() if lookup is not None else _system_table(environ))
    configured = table.get("https") or table.get("all")
    if not configured:
        return None
    hosts = [parse_mirror(m).host for m in mirrors]
    skip = bypass if bypass is not None else _bypass_checker(environ, lookup is not None)
    if hosts and all(skip(host) for host in hosts):
        return None
    return _usable(configured.strip())


def _system_table(environ: Mapping[str, str]) -> dict[str, str]:
    """``getproxies()``, with the environment read from ``environ``.

    The variables take precedence where set (as in :func:`urllib.request.getproxies`); the
    platform's own settings (registry, System Configuration) come next.
    """
    from_env = _environment_table(environ)
    if from_env:
        return from_env
    platform = getattr(urllib.request, "getproxies_registry", None) or getattr(
        urllib.request, "getproxies_macosx_sysconf", None
    )
    return dict(platform()) if platform is not None else {}


def _environment_table(environ: Mapping[str, str]) -> dict[str, str]:
    """:func:`urllib.request.getproxies_environment` on a given mapping: ``<scheme>_proxy``
    in any case, the lower-case spelling winning (an empty one unsets), and no
    ``HTTP_PROXY`` under CGI (a request header can set it there)."""
    table: dict[str, str] = {}
    for name, value in environ.items():
        if value and name[-6:].lower() == "_proxy":
            table[name[:-6].lower()] = value
    if "REQUEST_METHOD" in environ:
        table.pop("http", None)
    for name, value in environ.items():
        if name[-6:] == "_proxy":
            if value:
                table[name[:-6].lower()] = value
            else:
                table.pop(name[:-6].lower(), None)
    return table


def _bypass_checker(environ: Mapping[str, str], given_table: bool) -> Bypass:
    """``no_proxy`` from ``environ``; without it, the platform's exception list."""
    no_proxy = environ.get("no_proxy") or environ.get("NO_PROXY")
    if no_proxy is not None or given_table:
        return lambda host: bool(no_proxy) and _in_no_proxy(host, no_proxy or "")
    platform = getattr(urllib.request, "proxy_bypass_registry", None) or getattr(
        urllib.request, "proxy_bypass_macosx_sysconf", None
    )
    if platform is None:
        return lambda host: False
    return lambda host: bool(platform(host))


def _in_no_proxy(host: str, no_proxy: str) -> bool:
    """``host`` matches an entry of a ``no_proxy`` list (``*``, a name, ``.suffix``)."""
    for entry in (e.strip().lower() for e in no_proxy.split(",")):
        name = entry.rsplit(":", 1)[0] if entry.count(":") == 1 else entry
        name = name.strip("[]").lstrip(".")
        if entry == "*" or (name and (host == name or host.endswith("." + name))):
            return True
    return False


def _usable(url: str) -> str:
    """``url`` as the transport's proxy setting, or an error saying why it cannot be used."""
    if "://" not in url:
        url = "http://" + url  # what httpx and curl assume for a bare host:port
    try:
        parts = urlsplit(url)
        port = parts.port
    except ValueError:
        raise TransportConfigError("The system's proxy setting is not a valid address.") from None
    scheme = parts.scheme.lower()
    if parts.username is not None or parts.password is not None:
        raise TransportConfigError(
            "The system's proxy asks for a user name and password, which fieldreader does not "
            "send. Ask your trainer for a profile with another proxy setting."
        )
    if scheme not in DEFAULT_PORTS:
        kind = {"https": "a proxy reached over TLS", "socks4": "a SOCKS4 proxy"}.get(
            scheme, f"a {scheme!r} proxy"
        )
        raise TransportConfigError(
            f"The system's proxy is {kind}, which fieldreader cannot use; it uses SOCKS5 or "
            "HTTP proxies. Nothing was sent."
        )
    host = parts.hostname
    if not host:
        raise TransportConfigError("The system's proxy setting names no host.")
    shown = f"[{host}]" if ":" in host else host
    scheme = "http" if scheme == "http" else "socks5h"
    return f"{scheme}://{shown}:{port or DEFAULT_PORTS[scheme]}"


def _lower_keys(table: Mapping[str, str]) -> dict[str, str]:
    return {k.lower(): v for k, v in table.items() if v}


__all__ = ["system_proxy"]
