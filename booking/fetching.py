"""Fetching a calendar address the therapist gave: someone else's URL, from our server.

Only http(s) (webcal:// is read as https://), a time limit, a size limit, at most a
few redirects, and never a request at a private network, or at loopback unless the
settings allow it (development and tests): every address is resolved first, and
the connection goes to exactly the address that was checked, so a name that
changes its answer in between (DNS rebinding) gains nothing. Each failure has a
plain Dutch message for the admin.
"""

from __future__ import annotations

import ipaddress
import socket
import ssl
import time
from dataclasses import dataclass
from urllib.parse import urljoin, urlsplit

import urllib3

MAX_BYTES = 10 * 1024 * 1024
MAX_REDIRECTS = 3
CONNECT_TIMEOUT = 5
READ_TIMEOUT = 20
TOTAL_SECONDS = 30
USER_AGENT = "Praktijkwebsite-agenda/1.0"


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


def _allowed(address: str, *, allow_loopback: bool) -> bool:
    ip = ipaddress.ip_address(address.split("%", 1)[0])
    if isinstance(ip, ipaddress.IPv6Address) and ip.ipv4_mapped:
        ip = ip.ipv4_mapped
    if ip.is_loopback:
        return allow_loopback
    return ip.is_global and not (ip.is_multicast or ip.is_reserved or ip.is_unspecified)


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
        raise FetchError("Dit adres wijst naar een intern netwerk. Alleen agenda's op internet kunnen worden gelezen.")
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
    deadline = time.monotonic() + max(TOTAL_SECONDS, read_timeout)
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
            raise FetchError("De agenda-server reageerde niet op tijd. We proberen het later opnieuw.") from None
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
            raise FetchError("Deze agenda is te groot om te lezen (meer dan 10 MB).")
        if time.monotonic() > deadline:
            raise FetchError("De agenda-server reageerde niet op tijd. We proberen het later opnieuw.")
        chunks.append(chunk)
    return b"".join(chunks)
