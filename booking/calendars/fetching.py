"""Fetching a calendar address the therapist gave: someone else's URL, from our server.

Only http(s) (webcal:// is read as https://), a time limit, a size limit, at most a
few redirects, and never a request at a private network, or at loopback unless the
settings allow it (development and tests): every address is resolved first, and
the connection goes to exactly the address that was checked, so a name that
changes its answer in between (DNS rebinding) gains nothing. Each failure has a
plain Dutch message for the admin.

Libraries that follow redirects and resolve names themselves (caldav, through
niquests) are held to the same rule at the last moment: inside `outgoing()`, a
process-wide audit hook checks the address of every socket.connect of this thread
and refuses a disallowed one before the connection is made. Every calendar read
and write runs inside it, the .ics fetcher too.
"""

from __future__ import annotations

import contextvars
import ipaddress
import socket
import ssl
import sys
import time
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from urllib.parse import urljoin, urlsplit

import urllib3

MAX_BYTES = 10 * 1024 * 1024
MAX_REDIRECTS = 3
CONNECT_TIMEOUT = 5
READ_TIMEOUT = 20
TOTAL_SECONDS = 30
USER_AGENT = "Praktijkwebsite-agenda/1.0"


INTERNAL = "Dit adres wijst naar een intern netwerk. Alleen agenda's op internet kunnen worden gelezen."
TOO_BIG = "Deze agenda is te groot om te lezen (meer dan 10 MB)."
TOO_SLOW = "De agenda-server reageerde niet op tijd. We proberen het later opnieuw."


class FetchError(Exception):
    """Reading failed; `message` says why, in Dutch, for the admin."""

    def __init__(self, message: str):
        super().__init__(message)
        self.message = message


@dataclass(frozen=True)
class Fetched:
    not_modified: bool
    body: bytes = b""
    etag: str = ""
    last_modified: str = ""


def normalise(url: str) -> str:
    url = url.strip()
    if url.lower().startswith("webcal://"):
        return "https://" + url[len("webcal://") :]
    return url


# IPv6 forms that carry an IPv4 address inside; what counts is the IPv4 address.
_NAT64 = ipaddress.IPv6Network("64:ff9b::/96")  # RFC 6052: the last 32 bits
_IPV4_COMPATIBLE = ipaddress.IPv6Network("::/96")  # deprecated ::a.b.c.d
# IPv6 ranges Python (3.11) calls global that never lead to a calendar server on the internet.
_NEVER = [
    ipaddress.IPv6Network("2001::/32"),  # Teredo: tunnels to a host behind someone's NAT
    ipaddress.IPv6Network("64:ff9b:1::/48"),  # NAT64 for local use (RFC 8215)
    ipaddress.IPv6Network("fec0::/10"),  # site-local, deprecated but still routed inside some networks
]


def _allowed(address: str, *, allow_loopback: bool) -> bool:
    """Whether a connection to this IP address may be made: the one address check.

    Loopback only when allowed, and only as itself (127.0.0.1, ::1, ::ffff:127.0.0.1):
    an IPv4 address inside 6to4, NAT64 or an IPv4-compatible address must be public.
    """
    ip = ipaddress.ip_address(address.split("%", 1)[0])
    if isinstance(ip, ipaddress.IPv6Address):
        if ip.ipv4_mapped:  # the kernel connects to the IPv4 address itself
            ip = ip.ipv4_mapped
        elif (inner := _tunnelled_ipv4(ip)) is not None:
            return _public(inner)
        elif any(ip in network for network in _NEVER):
            return False
    if ip.is_loopback:
        return allow_loopback
    return _public(ip)


def _tunnelled_ipv4(ip: ipaddress.IPv6Address) -> ipaddress.IPv4Address | None:
    if ip.sixtofour:  # 2002::/16
        return ip.sixtofour
    if ip in _NAT64 or (ip in _IPV4_COMPATIBLE and int(ip) > 1):  # not :: and ::1 themselves
        return ipaddress.IPv4Address(int(ip) & 0xFFFF_FFFF)
    return None


def _public(ip: ipaddress.IPv4Address | ipaddress.IPv6Address) -> bool:
    return ip.is_global and not (ip.is_multicast or ip.is_reserved or ip.is_unspecified)


# --- Every connection, checked when it is made ------------------------------------------------


@dataclass
class _Guard:
    allow_loopback: bool
    deadline: float
    refused: bool = False


_guard: contextvars.ContextVar[_Guard | None] = contextvars.ContextVar("outgoing_calendar_connection", default=None)


class RefusedConnection(ConnectionRefusedError):
    """A connection to an address that `_allowed` refuses; raised before it is made."""


def _check_connect(event: str, args: tuple) -> None:
    """Audit hook: called for every audit event in the process, so it returns at once for others."""
    if event != "socket.connect":
        return
    guard = _guard.get()
    if guard is None:
        return
    address = args[1]
    host = address[0] if isinstance(address, tuple) and address else None
    try:
        allowed = isinstance(host, str) and _allowed(host, allow_loopback=guard.allow_loopback)
    except ValueError:  # a name, or a Unix socket: only checked IP addresses are connected to
        allowed = False
    if not allowed:
        guard.refused = True
        raise RefusedConnection("refused: not a public address")


sys.addaudithook(_check_connect)


@contextmanager
def outgoing(*, allow_loopback: bool, seconds: float = TOTAL_SECONDS) -> Iterator[float]:
    """Every connection this thread makes inside is checked by `_allowed` first.

    A failure after a refused connection surfaces as FetchError(INTERNAL), however
    the library in between wrapped it. Gives the deadline, `seconds` from now, for
    reading response bodies (`limit_response` uses it too).
    """
    guard = _Guard(allow_loopback=allow_loopback, deadline=time.monotonic() + seconds)
    token = _guard.set(guard)
    try:
        yield guard.deadline
    except Exception:
        if guard.refused:
            raise FetchError(INTERNAL) from None
        raise
    finally:
        _guard.reset(token)


def limit_response(response, *args, **kwargs):
    """A niquests response hook: reads the body within MAX_BYTES and the deadline of `outgoing()`.

    It runs before niquests reads the body itself, so a huge or endless answer is
    stopped, not kept in memory.
    """
    guard = _guard.get()
    deadline = guard.deadline if guard is not None else time.monotonic() + TOTAL_SECONDS
    if response.raw is not None and response._content is False:
        response._content = _read_limited(response.raw, deadline)
        response._content_consumed = True
    return response


def resolve(url: str, *, allow_loopback: bool) -> tuple[str, str, int, str]:
    """(scheme, host, port, checked address) of a URL, or FetchError."""
    parts = urlsplit(normalise(url))
    if parts.scheme not in ("http", "https") or not parts.hostname:
        raise FetchError("Dit adres begint niet met https:// of http://. Kopieer het volledige agenda-adres.")
    port = parts.port or (443 if parts.scheme == "https" else 80)
    try:
        infos = socket.getaddrinfo(parts.hostname, port, type=socket.SOCK_STREAM)
    except (socket.gaierror, UnicodeError):
        raise FetchError("Deze server bestaat niet (meer). Kijk of het adres goed is overgenomen.") from None
    addresses = [info[4][0] for info in infos]
    if not addresses or not all(_allowed(address, allow_loopback=allow_loopback) for address in addresses):
        raise FetchError(INTERNAL)
    return parts.scheme, parts.hostname, port, addresses[0]


def fetch(
    url: str,
    *,
    etag: str = "",
    last_modified: str = "",
    allow_loopback: bool = False,
    read_timeout: float = READ_TIMEOUT,
) -> Fetched:
    """GET with If-None-Match/If-Modified-Since; Fetched(not_modified=True) on a 304."""
    with outgoing(allow_loopback=allow_loopback, seconds=max(TOTAL_SECONDS, read_timeout)) as deadline:
        return _fetch(url, etag, last_modified, allow_loopback, read_timeout, deadline)


def _fetch(
    url: str, etag: str, last_modified: str, allow_loopback: bool, read_timeout: float, deadline: float
) -> Fetched:
    current = normalise(url)
    for _hop in range(MAX_REDIRECTS + 1):
        scheme, host, port, address = resolve(current, allow_loopback=allow_loopback)
        parts = urlsplit(current)
        path = (parts.path or "/") + (f"?{parts.query}" if parts.query else "")
        headers = {"Host": parts.netloc.rsplit("@", 1)[-1], "User-Agent": USER_AGENT, "Accept": "text/calendar, */*"}
        if etag:
            headers["If-None-Match"] = etag
        if last_modified:
            headers["If-Modified-Since"] = last_modified
        timeout = urllib3.Timeout(connect=CONNECT_TIMEOUT, read=read_timeout)
        if scheme == "https":
            pool = urllib3.HTTPSConnectionPool(
                address,
                port,
                server_hostname=host,
                assert_hostname=host,
                ssl_context=ssl.create_default_context(),
                timeout=timeout,
                retries=False,
            )
        else:
            pool = urllib3.HTTPConnectionPool(address, port, timeout=timeout, retries=False)
        try:
            response = pool.urlopen("GET", path, headers=headers, redirect=False, preload_content=False)
            try:
                if response.status in (301, 302, 303, 307, 308) and response.headers.get("Location"):
                    current = urljoin(current, response.headers["Location"])
                    continue
                if response.status == 304:
                    return Fetched(not_modified=True, etag=etag, last_modified=last_modified)
                if response.status == 401 or response.status == 403:
                    raise FetchError(
                        "De agenda-server laat ons niet binnen. Is het adres nog geldig, of is het vernieuwd?"
                    )
                if response.status == 404:
                    raise FetchError("Op dit adres staat geen agenda (meer). Misschien is het adres vernieuwd.")
                if response.status != 200:
                    raise FetchError(
                        f"De agenda-server gaf een foutmelding (code {response.status}). We proberen het later opnieuw."
                    )
                body = _read_limited(response, deadline)
                return Fetched(
                    not_modified=False,
                    body=body,
                    etag=response.headers.get("ETag", "")[:300],
                    last_modified=response.headers.get("Last-Modified", "")[:100],
                )
            finally:
                response.release_conn()
        except FetchError:
            raise
        except (urllib3.exceptions.TimeoutError, TimeoutError):
            raise FetchError(TOO_SLOW) from None
        except urllib3.exceptions.SSLError:
            raise FetchError("De beveiligde verbinding met de agenda-server klopt niet.") from None
        except (urllib3.exceptions.HTTPError, OSError):
            raise FetchError("Er was geen verbinding met de agenda-server. We proberen het later opnieuw.") from None
        finally:
            pool.close()
    raise FetchError("Het adres stuurt ons te vaak door. Kopieer het agenda-adres opnieuw.")


def _read_limited(response, deadline: float) -> bytes:
    chunks, size = [], 0
    for chunk in response.stream(64 * 1024, decode_content=True):
        size += len(chunk)
        if size > MAX_BYTES:
            raise FetchError(TOO_BIG)
        if time.monotonic() > deadline:
            raise FetchError(TOO_SLOW)
        chunks.append(chunk)
    return b"".join(chunks)
