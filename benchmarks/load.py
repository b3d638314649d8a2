"""Load test: gunicorn with production settings on PostgreSQL, loopback only, bounded in time.

Mixed traffic (content pages, the booking flow with real bookings), then a burst of
simultaneous bookings at one slot. Prints throughput, latency percentiles and errors,
and checks in the database that no two active bookings overlap.

Usage: python benchmarks/load.py [--seconds 20] [--clients 16] [--burst 30]
Needs a PostgreSQL server on 127.0.0.1:5432 (user postgres); creates database 'loadtest'.
"""

import argparse
import http.client
import os
import random
import re
import secrets
import statistics
import subprocess
import sys
import tempfile
import threading
import time
import uuid
from pathlib import Path

from _server import ROOT, free_port, start_gunicorn  # noqa: E402 - beside this script
from cryptography.fernet import Fernet

CONTENT = ["/", "/hechtingsproblematiek/", "/artikelen/", "/emdr-therapie/", "/zoeken/?q=hechting", "/kennismaking/"]
ENV = {
    "DJANGO_DEBUG": "0",
    "DJANGO_SECRET_KEY": secrets.token_urlsafe(50),
    "DJANGO_ENCRYPTION_KEYS": Fernet.generate_key().decode(),
    "SITE_URL": "http://127.0.0.1",
    "DJANGO_ALLOWED_HOSTS": "127.0.0.1",
    "DATABASE_URL": "postgres://postgres@127.0.0.1:5432/loadtest",
    "DJANGO_TASKS_BACKEND": "database",
    "DJANGO_SHARED_CACHE": "1",
    "DJANGO_LOG_LEVEL": "WARNING",
    # As behind nginx: each simulated visitor has its own address in X-Forwarded-For.
    "DJANGO_BEHIND_PROXY": "1",
}


class Client:
    """One visitor: keeps its cookies, sends requests to the local server."""

    def __init__(self, port: int, address: str):
        self.port = port
        self.cookies: dict[str, str] = {}
        self.address = address

    def request(self, method: str, path: str, body: str | None = None) -> tuple[int, str, float]:
        headers = {"Host": f"127.0.0.1:{self.port}", "X-Forwarded-For": self.address}
        if self.cookies:
            headers["Cookie"] = "; ".join(f"{k}={v}" for k, v in self.cookies.items())
        if body is not None:
            headers["Content-Type"] = "application/x-www-form-urlencoded"
            headers["Referer"] = f"http://127.0.0.1:{self.port}{path}"
            headers["Origin"] = f"http://127.0.0.1:{self.port}"
        started = time.perf_counter()
        conn = http.client.HTTPConnection("127.0.0.1", self.port, timeout=30)
        conn.request(method, path, body=body, headers=headers)
        response = conn.getresponse()
        text = response.read().decode("utf-8", "replace")
        for header, value in response.getheaders():
            if header.lower() == "set-cookie":
                name, _, rest = value.partition("=")
                self.cookies[name] = rest.split(";")[0]
        conn.close()
        return response.status, text, time.perf_counter() - started


def book_once(client: Client, kind_slug: str, email: str, slot_path: str | None = None) -> tuple[list, str]:
    """The flow a person takes: times page, details form, submit. Returns (samples, outcome)."""
    from urllib.parse import urlencode

    samples = []
    if slot_path is None:
        status, text, took = client.request("GET", f"/kennismaking/{kind_slug}/")
        samples.append(("choose", status, took))
        times = re.findall(r'href="(/kennismaking/[a-z]+/\d{8}T\d{4}Z/)"', text)
        if not times:
            return samples, "no slot"
        slot_path = random.choice(times[:12])
    status, text, took = client.request("GET", slot_path)
    samples.append(("details", status, took))
    token = re.search(r'name="csrfmiddlewaretoken" value="([^"]+)"', text)
    form_token = re.search(r'name="request_token" value="([^"]+)"', text)
    if not token:
        return samples, "no form"
    body = urlencode(
        {
            "csrfmiddlewaretoken": token.group(1),
            "name": "Belasting Test",
            "email": email,
            "privacy": "on",
            "request_token": form_token.group(1) if form_token else str(uuid.uuid4()),
        }
    )
    status, text, took = client.request("POST", slot_path, body)
    samples.append(("book", status, took))
    if status == 302:
        return samples, "booked"
    if "net door iemand anders geboekt" in text or "niet (meer) kiezen" in text:
        return samples, "lost race"
    return samples, f"status {status}"


def percentile(values, q):
    return statistics.quantiles(values, n=100)[q - 1] * 1000 if len(values) > 100 else max(values, default=0) * 1000


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--seconds", type=float, default=20)
    parser.add_argument("--clients", type=int, default=16)
    parser.add_argument("--burst", type=int, default=30)
    parser.add_argument("--workers", type=int, default=3)
    args = parser.parse_args()

    workdir = Path(tempfile.mkdtemp(prefix="practice-load-"))
    env = {**os.environ, **ENV, "DJANGO_STATIC_ROOT": str(workdir / "static")}
    env.pop("PYTEST_VERSION", None)
    subprocess.run(
        [
            "psql",
            "-q",
            "-h",
            "127.0.0.1",
            "-U",
            "postgres",
            "-d",
            "postgres",
            "-c",
            "DROP DATABASE IF EXISTS loadtest",
            "-c",
            "CREATE DATABASE loadtest",
        ],
        check=True,
    )
    manage = [sys.executable, str(ROOT / "manage.py")]
    for command in (
        ["migrate", "--noinput", "-v0"],
        ["createcachetable"],
        ["load_initial_content"],
        ["collectstatic", "--noinput", "-v0"],
    ):
        subprocess.run(manage + command, env=env, check=True, cwd=ROOT, stdout=subprocess.DEVNULL)
    # Open every day from 08:00 to 20:00 in both kinds, so the booking flow has room.
    subprocess.run(
        manage
        + [
            "shell",
            "-c",
            (
                "from booking.models import WeeklyWindow; from datetime import time;"
                "WeeklyWindow.objects.all().delete();"
                "[WeeklyWindow.objects.create(weekday=d, start_time=time(8), end_time=time(20)) for d in range(7)]"
            ),
        ],
        env=env,
        check=True,
        cwd=ROOT,
        stdout=subprocess.DEVNULL,
    )

    port = free_port()
    server = start_gunicorn(env, workers=args.workers, port=port)
    try:
        samples: list[tuple[str, int, float]] = []
        outcomes: list[str] = []
        lock = threading.Lock()
        deadline = time.monotonic() + args.seconds

        def visitor(number: int) -> None:
            client = Client(port, f"10.9.{number // 250}.{number % 250 + 1}")
            own, own_outcomes, count = [], [], 0
            while time.monotonic() < deadline:
                count += 1
                if count % 10 == 0:  # one in ten visits books
                    result, outcome = book_once(
                        client, random.choice(["online", "praktijk"]), f"load{number}-{count}@example.com"
                    )
                    own += result
                    own_outcomes.append(outcome)
                else:
                    path = random.choice(CONTENT)
                    status, _, took = client.request("GET", path)
                    own.append(("content", status, took))
            with lock:
                samples.extend(own)
                outcomes.extend(own_outcomes)

        started = time.monotonic()
        threads = [threading.Thread(target=visitor, args=(n,)) for n in range(args.clients)]
        for thread in threads:
            thread.start()
        for thread in threads:
            thread.join()
        elapsed = time.monotonic() - started

        # The burst: everyone at once for the same slot.
        prepared = []
        first = Client(port, "10.8.0.1")
        status, text, _ = first.request("GET", "/kennismaking/online/")
        slot_path = re.findall(r'href="(/kennismaking/online/\d{8}T\d{4}Z/)"', text)[0]
        barrier = threading.Barrier(args.burst)
        burst_outcomes: list[str] = []

        def burster(number: int) -> None:
            client = Client(port, f"10.7.0.{number + 1}")
            client.request("GET", slot_path)  # the form and its cookie, before the start signal
            prepared.append(number)
            barrier.wait()
            _, outcome = book_once(client, "online", f"burst{number}@example.com", slot_path)
            with lock:
                burst_outcomes.append(outcome)

        threads = [threading.Thread(target=burster, args=(n,)) for n in range(args.burst)]
        for thread in threads:
            thread.start()
        for thread in threads:
            thread.join()
    finally:
        server.terminate()
        server.wait(timeout=10)

    overlaps = (
        subprocess.run(
            manage
            + [
                "shell",
                "-c",
                (
                    "from booking.models import Booking;"
                    "b=list(Booking.objects.active().order_by('start').values_list('start','occupied_until'));"
                    "print(sum(1 for (s1,u1),(s2,u2) in zip(b,b[1:]) if s2 < u1), len(b))"
                ),
            ],
            env=env,
            check=True,
            cwd=ROOT,
            capture_output=True,
            text=True,
        )
        .stdout.strip()
        .splitlines()[-1]
        .split()
    )

    errors = [s for s in samples if s[1] >= 500 or s[1] == 0]
    print(f"gunicorn ({args.workers} workers), DEBUG off, PostgreSQL; {args.clients} clients for {args.seconds:g} s")
    print(
        f"requests: {len(samples)} in {elapsed:.1f} s = {len(samples) / elapsed:.0f} req/s; 5xx errors: {len(errors)}"
    )
    for kind in ("content", "choose", "details", "book"):
        times = [took for name, status, took in samples if name == kind]
        if times:
            print(
                f"  {kind:8} n={len(times):5}  p50 {percentile(times, 50):6.1f} ms  p95 {percentile(times, 95):6.1f} ms  "
                f"p99 {percentile(times, 99):6.1f} ms"
            )
    print("bookings in the mixed traffic: " + ", ".join(f"{o}: {outcomes.count(o)}" for o in sorted(set(outcomes))))
    print(
        f"burst of {args.burst} at one slot: "
        + ", ".join(f"{o}: {burst_outcomes.count(o)}" for o in sorted(set(burst_outcomes)))
    )
    print(f"active bookings: {overlaps[1]}, overlapping pairs: {overlaps[0]}")
    sys.exit(1 if errors or overlaps[0] != "0" or burst_outcomes.count("booked") != 1 else 0)


if __name__ == "__main__":
    main()
