"""Requests per second and median latency of public pages under gunicorn, DEBUG off.

Loopback only, bounded in time. Prints one line per page.
"""

import argparse
import http.client
import os
import secrets
import statistics
import subprocess
import sys
import tempfile
import threading
import time
from pathlib import Path

from _server import ROOT, free_port, start_gunicorn  # noqa: E402 - beside this script
from cryptography.fernet import Fernet

PATHS = ["/hechtingsproblematiek/", "/artikelen/"]


def hammer(port: int, path: str, seconds: float, concurrency: int) -> tuple[int, int, list[float]]:
    latencies: list[float] = []
    errors = 0
    lock = threading.Lock()
    deadline = time.monotonic() + seconds

    def worker() -> None:
        nonlocal errors
        own: list[float] = []
        own_errors = 0
        while time.monotonic() < deadline:
            start = time.perf_counter()
            try:
                conn = http.client.HTTPConnection("127.0.0.1", port, timeout=10)
                conn.request("GET", path, headers={"Host": "127.0.0.1", "Accept-Encoding": "gzip"})
                response = conn.getresponse()
                response.read()
                conn.close()
                if response.status != 200:
                    own_errors += 1
                    continue
            except OSError:
                own_errors += 1
                continue
            own.append(time.perf_counter() - start)
        with lock:
            latencies.extend(own)
            errors += own_errors

    threads = [threading.Thread(target=worker) for _ in range(concurrency)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    return len(latencies), errors, latencies


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--seconds", type=float, default=10)
    parser.add_argument("--concurrency", type=int, default=8)
    parser.add_argument("--workers", type=int, default=2)
    args = parser.parse_args()

    workdir = Path(tempfile.mkdtemp(prefix="practice-bench-"))
    port = free_port()
    env = {
        **os.environ,
        "DJANGO_SETTINGS_MODULE": "practice.settings",
        "DJANGO_DEBUG": "0",
        "DJANGO_SECRET_KEY": secrets.token_urlsafe(50),
        "DJANGO_ENCRYPTION_KEYS": Fernet.generate_key().decode(),
        "DJANGO_ALLOWED_HOSTS": "127.0.0.1",
        "DJANGO_STATIC_ROOT": str(workdir / "static"),
        "DJANGO_LOG_LEVEL": "WARNING",
    }
    env.setdefault("DATABASE_URL", f"sqlite:///{workdir / 'bench.sqlite3'}")
    manage = [sys.executable, str(ROOT / "manage.py")]
    for command in (["migrate", "--noinput", "-v0"], ["load_initial_content"], ["collectstatic", "--noinput", "-v0"]):
        subprocess.run(manage + command, env=env, check=True, cwd=ROOT, stdout=subprocess.DEVNULL)

    server = start_gunicorn(env, workers=args.workers, port=port)
    try:
        database = "PostgreSQL" if env["DATABASE_URL"].startswith("postgres") else "SQLite"
        print(
            f"gunicorn, {args.workers} sync workers, DEBUG off, {database}; "
            f"{args.concurrency} concurrent clients, {args.seconds:g} s per page"
        )
        for path in PATHS:
            hammer(port, path, 1, args.concurrency)  # warm up
            count, errors, latencies = hammer(port, path, args.seconds, args.concurrency)
            median = statistics.median(latencies) * 1000 if latencies else float("nan")
            p95 = statistics.quantiles(latencies, n=20)[-1] * 1000 if len(latencies) > 20 else float("nan")
            print(
                f"{path:28} {count / args.seconds:8.1f} req/s   median {median:6.1f} ms   "
                f"p95 {p95:6.1f} ms   errors {errors}"
            )
    finally:
        server.terminate()
        server.wait(timeout=10)


if __name__ == "__main__":
    main()
