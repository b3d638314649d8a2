"""Renders praktijk.conf for a run on this machine, so that the real file is what gets tested.

render(): for serving. Only addresses, ports and paths change: loopback instead of the
public addresses, a self-signed certificate, a folder of its own for logs, the cache
and temporary files. Every other line (TLS, headers, caching, masked tokens in the log)
is the production file's.

as_installed(): for `nginx -t` only, with the shipped paths (see there).

Usage: python deploy/nginx/local.py WORKDIR HTTPS_PORT UPSTREAM_PORT STATIC_DIR
Writes WORKDIR/nginx.conf (and a certificate); start with `nginx -c WORKDIR/nginx.conf -p WORKDIR`.
"""

import subprocess
import sys
from pathlib import Path

SITE = Path(__file__).resolve().parent / "praktijk.conf"
DEBIAN_NGINX_CONF = Path("/etc/nginx/nginx.conf")
SITES_ENABLED = "include /etc/nginx/sites-enabled/*;"
DOMAIN = "praktijk.nl"


def certificate(work: Path) -> tuple[Path, Path]:
    """A throwaway self-signed certificate and key in WORK (made once)."""
    cert, key = work / "cert.pem", work / "key.pem"
    if not cert.exists():
        subprocess.run(  # noqa: S603 - fixed program and arguments
            [  # noqa: S607 - Debian's openssl from PATH
                "openssl",
                "req",
                "-x509",
                "-newkey",
                "rsa:2048",
                "-nodes",
                "-days",
                "2",
                "-subj",
                "/CN=127.0.0.1",
                "-keyout",
                str(key),
                "-out",
                str(cert),
            ],
            check=True,
            capture_output=True,
        )
    return cert, key


def as_installed(work: Path, domain: str = "praktijk.example") -> Path:
    """The site as an administrator installs it, for `nginx -t -c` on this machine's own nginx.

    Only what README step 7 says to fill in changes: the domain and the certificate's
    paths. Every other path (the cache, the log, static and media files) is the shipped
    one. It is included from a copy of Debian's own /etc/nginx/nginx.conf, next to the
    sites already enabled there, as a file in sites-enabled would be.
    """
    work.mkdir(parents=True, exist_ok=True)
    cert, key = certificate(work)
    site = SITE.read_text()
    site = site.replace(f"/etc/letsencrypt/live/www.{DOMAIN}/fullchain.pem", str(cert))
    site = site.replace(f"/etc/letsencrypt/live/www.{DOMAIN}/privkey.pem", str(key))
    site = site.replace(DOMAIN, domain)
    (work / "praktijk.conf").write_text(site)
    main = DEBIAN_NGINX_CONF.read_text()
    if SITES_ENABLED not in main:
        raise SystemExit(f"{DEBIAN_NGINX_CONF} does not include sites-enabled; is this Debian's nginx?")
    main = main.replace(SITES_ENABLED, f"{SITES_ENABLED}\n\tinclude {work / 'praktijk.conf'};")
    (work / "nginx.conf").write_text(main)
    return work / "nginx.conf"


def render(
    work: Path,
    https_port: int,
    upstream_port: int,
    static_dir: Path,
    http_port: int | None = None,
    media_dir: Path | None = None,
) -> Path:
    work.mkdir(parents=True, exist_ok=True)
    cert, key = certificate(work)
    http_port = http_port or https_port + 1
    site = SITE.read_text()
    replacements = {
        "    listen [::]:80;\n": "",
        "    listen [::]:443 ssl http2;\n": "",
        "listen 80;": f"listen 127.0.0.1:{http_port};",
        "listen 443 ssl http2;": f"listen 127.0.0.1:{https_port} ssl http2;",
        "/etc/letsencrypt/live/www.praktijk.nl/fullchain.pem": str(cert),
        "/etc/letsencrypt/live/www.praktijk.nl/privkey.pem": str(key),
        "/var/log/nginx/praktijk.access.log": str(work / "access.log"),
        "/var/lib/nginx/praktijk-cache": str(work / "cache"),
        "/srv/praktijk/static/": str(static_dir).rstrip("/") + "/",
        "/srv/praktijk/media/": str(media_dir or static_dir.parent / "media").rstrip("/") + "/",
        "http://127.0.0.1:8001": f"http://127.0.0.1:{upstream_port}",
    }
    for old, new in replacements.items():
        if old not in site:
            raise SystemExit(f"praktijk.conf changed: {old!r} not found; update deploy/nginx/local.py")
        site = site.replace(old, new)
    (work / "praktijk.conf").write_text(site)
    for folder in ("body", "proxy", "fastcgi", "uwsgi", "scgi"):
        (work / folder).mkdir(exist_ok=True)
    main = work / "nginx.conf"
    main.write_text(
        f"""user root;
worker_processes 1;
pid {work}/nginx.pid;
error_log {work}/error.log;
events {{ worker_connections 256; }}
http {{
    include /etc/nginx/mime.types;
    default_type application/octet-stream;
    client_body_temp_path {work}/body;
    proxy_temp_path {work}/proxy;
    fastcgi_temp_path {work}/fastcgi;
    uwsgi_temp_path {work}/uwsgi;
    scgi_temp_path {work}/scgi;
    include {work}/praktijk.conf;
}}
"""
    )
    return main


if __name__ == "__main__":
    work, https_port, upstream_port, static_dir = sys.argv[1:5]
    print(render(Path(work), int(https_port), int(upstream_port), Path(static_dir)))
