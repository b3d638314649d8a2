"""The theme page three ways, under the same wrk load, in one run: gunicorn alone, through
the deployment's nginx with its micro-cache, and nginx serving a static copy of the same
HTML. Prints requests per second of each and the ratios. Loopback only, bounded in time.

Needs wrk and nginx (apt-get install wrk nginx).
"""

import argparse
import os
import re
import secrets
import shutil
import subprocess
import sys
import tempfile
import time
import urllib.request
from pathlib import Path

from _server import ROOT, free_port, start_gunicorn  # noqa: E402 - beside this script
from cryptography.fernet import Fernet

sys.path.insert(0, str(ROOT / "deploy" / "nginx"))
import local  # noqa: E402 - renders the production nginx file for this machine

PATH = "/hechtingsproblematiek/"


def wrk(url: str, *, seconds: int, connections: int, threads: int) -> tuple[float, str]:
    output = subprocess.run(  # noqa: S603 - fixed program, our own arguments
        [shutil.which("wrk"), f"-t{threads}", f"-c{connections}", f"-d{seconds}s", "--latency", url],
        capture_output=True,
        text=True,
        check=True,
    ).stdout
    rate = float(re.search(r"Requests/sec:\s+([\d.]+)", output).group(1))
    median = re.search(r"50%\s+(\S+)", output).group(1)
    errors = re.search(r"Non-2xx or 3xx responses: (\d+)", output)
    if errors:
        raise SystemExit(f"{url}: {errors.group(1)} error responses")
    return rate, median


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--seconds", type=int, default=8)
    parser.add_argument("--connections", type=int, default=32)
    parser.add_argument("--threads", type=int, default=2)
    parser.add_argument("--workers", type=int, default=2)
    args = parser.parse_args()
    for program in ("wrk", "nginx"):
        if shutil.which(program) is None and not Path(f"/usr/sbin/{program}").exists():
            raise SystemExit(f"{program} ontbreekt: apt-get install {program}")

    work = Path(tempfile.mkdtemp(prefix="practice-cache-bench-"))
    port, https_port = free_port(), free_port()
    env = {
        **os.environ,
        "DJANGO_SETTINGS_MODULE": "practice.settings",
        "DJANGO_DEBUG": "0",
        "DJANGO_SECRET_KEY": secrets.token_urlsafe(50),
        "DJANGO_ENCRYPTION_KEYS": Fernet.generate_key().decode(),
        "DJANGO_ALLOWED_HOSTS": "127.0.0.1",
        "DJANGO_STATIC_ROOT": str(work / "static"),
        "DJANGO_MEDIA_ROOT": str(work / "media"),
        "DJANGO_LOG_LEVEL": "WARNING",
    }
    env.setdefault("DATABASE_URL", f"sqlite:///{work / 'bench.sqlite3'}")
    manage = [sys.executable, str(ROOT / "manage.py")]
    for command in (["migrate", "--noinput", "-v0"], ["load_initial_content"], ["collectstatic", "--noinput", "-v0"]):
        subprocess.run(manage + command, env=env, check=True, cwd=ROOT, stdout=subprocess.DEVNULL)  # noqa: S603

    nginx = shutil.which("nginx") or "/usr/sbin/nginx"
    config = local.render(
        work / "nginx", https_port, port, work / "static", http_port=free_port(), media_dir=work / "media"
    )
    server = start_gunicorn(env, workers=args.workers, port=port)
    subprocess.run([nginx, "-c", str(config), "-p", str(work / "nginx")], check=True)  # noqa: S603
    try:
        time.sleep(0.5)
        with urllib.request.urlopen(f"http://127.0.0.1:{port}{PATH}") as response:  # noqa: S310 - loopback
            html = response.read()
        (work / "static" / "copy").mkdir()
        (work / "static" / "copy" / "theme.html").write_bytes(html)

        database = "PostgreSQL" if env["DATABASE_URL"].startswith("postgres") else "SQLite"
        print(
            f"{PATH} ({len(html) // 1024} KB), {database}, gunicorn {args.workers} sync workers; "
            f"wrk {args.threads} threads, {args.connections} connections, {args.seconds} s each"
        )
        runs = {
            "gunicorn alone (http)": f"http://127.0.0.1:{port}{PATH}",
            "nginx + micro-cache (https)": f"https://127.0.0.1:{https_port}{PATH}",
            "nginx, static copy (https)": f"https://127.0.0.1:{https_port}/static/copy/theme.html",
        }
        rates = {}
        for name, url in runs.items():
            wrk(url, seconds=1, connections=args.connections, threads=args.threads)  # warm up
            rates[name], median = wrk(url, seconds=args.seconds, connections=args.connections, threads=args.threads)
            print(f"{name:30} {rates[name]:10.0f} req/s   median {median}")
        static = rates["nginx, static copy (https)"]
        cached = rates["nginx + micro-cache (https)"]
        print(f"micro-cache / static copy: {cached / static:.0%}")
        print(f"micro-cache / gunicorn alone: {cached / rates['gunicorn alone (http)']:.0f}x")
    finally:
        subprocess.run([nginx, "-c", str(config), "-p", str(work / "nginx"), "-s", "stop"], check=False)  # noqa: S603
        server.terminate()
        server.wait(timeout=10)
        shutil.rmtree(work, ignore_errors=True)


if __name__ == "__main__":
    main()
