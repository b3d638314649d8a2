"""Real calendar servers on loopback for the tests: Radicale (CalDAV) and a small HTTP server
for .ics addresses that answers with ETags and 304s, or fails the ways real servers fail."""

from __future__ import annotations

import hashlib
import socket
import subprocess
import sys
import threading
import time
from dataclasses import dataclass, field
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path

import caldav

USER, PASSWORD = "praktijk", "app-wachtwoord-123"


def free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return probe.getsockname()[1]


def wait_for(port: int, seconds: float = 15) -> None:
    deadline = time.monotonic() + seconds
    while time.monotonic() < deadline:
        with socket.socket() as probe:
            if probe.connect_ex(("127.0.0.1", port)) == 0:
                return
        time.sleep(0.05)
    raise RuntimeError(f"nothing listens on {port}")


class Radicale:
    """A Radicale server in its own process, with one user."""

    def __init__(self, folder: Path, port: int | None = None):
        self.folder, self.port = folder, port or free_port()
        self.url = f"http://127.0.0.1:{self.port}/"
        self.process = None

    def start(self) -> Radicale:
        self.folder.mkdir(parents=True, exist_ok=True)
        (self.folder / "users").write_text(f"{USER}:{PASSWORD}\n")
        config = self.folder / "config"
        config.write_text(
            f"[server]\nhosts = 127.0.0.1:{self.port}\n"
            f"[auth]\ntype = htpasswd\nhtpasswd_filename = {self.folder / 'users'}\nhtpasswd_encryption = plain\n"
            f"[storage]\nfilesystem_folder = {self.folder / 'collections'}\n"
            "[logging]\nlevel = warning\n"
        )
        self.process = subprocess.Popen(  # noqa: S603 - our own test server
            [sys.executable, "-m", "radicale", "--config", str(config)],
            stdout=subprocess.DEVNULL,
            stderr=subprocess.DEVNULL,
        )
        wait_for(self.port)
        return self

    def stop(self) -> None:
        if self.process is not None:
            self.process.terminate()
            self.process.wait(timeout=10)
            self.process = None

    def client(self) -> caldav.DAVClient:
        return caldav.DAVClient(url=self.url, username=USER, password=PASSWORD, timeout=10)

    def calendar(self, name: str, events: list[str] = ()):
        """A new calendar with these iCalendar objects (one UID each, overrides included)."""
        with self.client() as client:
            collection = client.principal().make_calendar(name=name, cal_id=name)
            for text in events:
                collection.save_event(text)
            return str(collection.url)

    def events(self, calendar_url: str) -> list[str]:
        with self.client() as client:
            collection = client.calendar(url=calendar_url)
            return [item.data for item in collection.events()]


@dataclass
class Route:
    body: bytes = b""
    status: int = 200
    headers: dict = field(default_factory=dict)
    delay: float = 0
    size: int = 0  # stream this many bytes instead of the body


class IcsServer:
    """Serves routes; honours If-None-Match with a 304 and records every request.

    Answers CalDAV's methods (PROPFIND, REPORT, ...) from the same routes, to play a
    CalDAV server that redirects or answers too much.
    """

    def __init__(self):
        self.routes: dict[str, Route] = {}
        self.requests: list[dict] = []
        server = self

        class Handler(BaseHTTPRequestHandler):
            def log_message(self, *args):
                pass

            def do_GET(self):  # noqa: N802 - http.server's name
                server.requests.append({"method": self.command, "path": self.path, **dict(self.headers)})
                if self.headers.get("Content-Length"):
                    self.rfile.read(int(self.headers["Content-Length"]))
                route = server.routes.get(self.path, Route(status=404))
                if route.delay:
                    time.sleep(route.delay)
                etag = '"' + hashlib.sha256(route.body).hexdigest()[:16] + '"'
                if route.status == 200 and self.headers.get("If-None-Match") == etag:
                    self.send_response(304)
                    self.end_headers()
                    return
                self.send_response(route.status)
                for name, value in route.headers.items():
                    self.send_header(name, value)
                if route.status == 200:
                    self.send_header("ETag", etag)
                    self.send_header("Content-Type", "text/calendar; charset=utf-8")
                length = route.size or len(route.body)
                self.send_header("Content-Length", str(length))
                self.end_headers()
                try:
                    if route.size:
                        chunk = b"X" * 65536
                        for _ in range(route.size // len(chunk)):
                            self.wfile.write(chunk)
                    else:
                        self.wfile.write(route.body)
                except (BrokenPipeError, ConnectionResetError):
                    pass

            do_PROPFIND = do_REPORT = do_OPTIONS = do_PUT = do_DELETE = do_GET  # noqa: N815

        self.httpd = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
        self.httpd.daemon_threads = True
        self.url = f"http://127.0.0.1:{self.httpd.server_address[1]}"
        self.thread = threading.Thread(target=self.httpd.serve_forever, daemon=True)

    def start(self) -> IcsServer:
        self.thread.start()
        return self

    def stop(self) -> None:
        self.httpd.shutdown()
        self.httpd.server_close()


class Connections:
    """Every connection this process tries while recording, in any thread: (host, port) as
    passed to socket.connect. An audit hook, like the guard it checks; added after the
    guard's (booking.calendars.fetching is imported first), so a connection the guard refuses is
    never tried and never recorded."""

    _active: list[Connections] = []
    _hooked = False

    def __init__(self):
        self.addresses: list[tuple] = []

    @classmethod
    def _hook(cls, event: str, args: tuple) -> None:
        if event == "socket.connect" and cls._active and isinstance(args[1], tuple):
            for log in cls._active:
                log.addresses.append(args[1])

    def __enter__(self) -> Connections:
        import booking.calendars.fetching  # noqa: F401 - the guard's hook comes first

        if not Connections._hooked:
            sys.addaudithook(Connections._hook)
            Connections._hooked = True
        Connections._active.append(self)
        return self

    def __exit__(self, *exc) -> None:
        Connections._active.remove(self)

    def hosts(self) -> set[str]:
        return {address[0] for address in self.addresses}
