"""The nginx site in deploy/ loads on Debian's nginx and serves the site: TLS, HTTP/2, no
version in headers, long-cached static files, and secret link tokens masked in its log."""

import os
import shutil
import socket
import ssl
import subprocess
import sys
import time
import urllib.request
from pathlib import Path

import pytest
from django.conf import settings

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT / "deploy" / "nginx"))
import local  # noqa: E402 - deploy/nginx/local.py renders the production file for this machine

from tests.booking.servers import free_port  # noqa: E402

NGINX = shutil.which("nginx") or "/usr/sbin/nginx"


def skip_or_fail(reason: str) -> None:
    if os.environ.get("REQUIRE_BROWSER_TESTS"):
        pytest.fail(reason)
    pytest.skip(reason)


@pytest.fixture
def nginx(live_site, tmp_path):
    if not Path(NGINX).exists():
        skip_or_fail("nginx ontbreekt (apt-get install nginx)")
    https_port, http_port = free_port(), free_port()
    upstream = int(live_site.rsplit(":", 1)[1])
    config = local.render(
        tmp_path,
        https_port,
        upstream,
        Path(settings.STATIC_ROOT),
        http_port=http_port,
        media_dir=Path(settings.MEDIA_ROOT),
    )
    checked = subprocess.run([NGINX, "-t", "-c", str(config), "-p", str(tmp_path)], capture_output=True, text=True)
    assert checked.returncode == 0, checked.stderr
    subprocess.run([NGINX, "-c", str(config), "-p", str(tmp_path)], check=True, capture_output=True)
    for _ in range(50):
        with socket.socket() as probe:
            if probe.connect_ex(("127.0.0.1", https_port)) == 0:
                break
        time.sleep(0.1)
    yield {"https": f"https://127.0.0.1:{https_port}", "http": f"http://127.0.0.1:{http_port}", "work": tmp_path}
    subprocess.run([NGINX, "-c", str(config), "-p", str(tmp_path), "-s", "stop"], capture_output=True)


def test_the_shipped_site_loads_on_debians_own_nginx(tmp_path):
    """`nginx -t` on deploy/nginx/praktijk.conf as README step 7 installs it: only the domain and
    the certificate changed, every other path (cache, log, static, media) the shipped one,
    included from Debian's own nginx.conf as a file in sites-enabled is."""
    if not Path(NGINX).exists():
        skip_or_fail("nginx ontbreekt (apt-get install nginx)")
    if not local.DEBIAN_NGINX_CONF.exists():
        skip_or_fail("geen /etc/nginx/nginx.conf van Debians nginx-pakket")
    if os.geteuid() != 0:
        skip_or_fail("nginx -t met de paden van de server (logboek, cache) vraagt root")
    config = local.as_installed(tmp_path)
    shipped = local.SITE.read_text().splitlines()
    installed = (tmp_path / "praktijk.conf").read_text().splitlines()
    changed = [(old, new) for old, new in zip(shipped, installed, strict=True) if old != new]
    assert changed and all(
        old.split()[0] in ("server_name", "return", "ssl_certificate", "ssl_certificate_key") for old, _ in changed
    ), changed
    # Checking, nginx makes the cache folder, the log file and its own temporary folders
    # beside them (as root, as on the server): whatever was not there before goes again.
    folders = {Path(path).parent for path in shipped_paths()}
    before = {folder: set(folder.iterdir()) for folder in folders if folder.is_dir()}
    try:
        checked = subprocess.run([NGINX, "-t", "-c", str(config)], capture_output=True, text=True)
    finally:
        for folder, entries in before.items():
            for path in set(folder.iterdir()) - entries:
                if path.is_dir() and not any(path.iterdir()):
                    path.rmdir()
                elif path.is_file() and path.stat().st_size == 0:
                    path.unlink()
    assert checked.returncode == 0, checked.stderr
    assert len(before) == 2, "the cache and the log are in folders Debian's nginx package makes"


def shipped_paths() -> list[str]:
    """Where the site has nginx write: its cache and its access log."""
    paths = []
    for line in local.SITE.read_text().splitlines():
        words = line.split()
        if words and words[0] in ("proxy_cache_path", "access_log"):
            paths.append(words[1].rstrip(";"))
    return paths


class NoRedirect(urllib.request.HTTPRedirectHandler):
    def redirect_request(self, *args, **kwargs):
        return None


def fetch(url: str):
    context = ssl.create_default_context()
    context.check_hostname = False
    context.verify_mode = ssl.CERT_NONE  # the test's own self-signed certificate
    opener = urllib.request.build_opener(urllib.request.HTTPSHandler(context=context), NoRedirect)
    try:
        with opener.open(url, timeout=10) as response:
            return response.status, response.headers, response.read()
    except urllib.error.HTTPError as error:
        return error.code, error.headers, error.read()


def test_the_deployment_config_serves_the_site(nginx, db):
    from content.initial_content import load_initial_content

    load_initial_content()
    status, headers, body = fetch(nginx["https"] + "/hechtingsproblematiek/")
    assert status == 200 and b"<h1" in body
    assert headers["Server"] == "nginx", "no version in the Server header"
    assert "Content-Security-Policy" in headers

    home = fetch(nginx["https"] + "/")[2].decode()
    stylesheet = home.split('href="/static/css/site.', 1)[1].split('"', 1)[0]
    status, headers, _ = fetch(f"{nginx['https']}/static/css/site.{stylesheet}")
    assert status == 200 and "immutable" in headers["Cache-Control"]

    status, headers, _ = fetch(nginx["http"] + "/contact/")
    assert status == 301 and headers["Location"] == "https://www.praktijk.nl/contact/"
    assert headers["Server"] == "nginx"


def test_secret_tokens_never_reach_the_nginx_log(nginx, db):
    for path in [
        "/kennismaking/beheer/GEHEIM-TOKEN-1/",
        "/kennismaking/bevestiging/GEHEIM-TOKEN-2/",
        "/agenda/GEHEIM-3.ics",
        "/kennismaking/wachtlijst/tijd/GEHEIM-4/",
        "/kennismaking/wachtlijst/afmelden/GEHEIM-5/",
        "/kennismaking/wachtlijst/bevestigen/GEHEIM-6/",
    ]:
        fetch(nginx["https"] + path)
    time.sleep(0.2)
    log = (nginx["work"] / "access.log").read_text()
    assert "/kennismaking/beheer/[token]" in log and "/agenda/[token].ics" in log
    assert "GEHEIM" not in log


def test_mistyped_links_keep_their_tokens_out_of_the_nginx_log_too(nginx, db):
    """Each of these still holds a working token once the typo is removed."""
    for path in [
        "/Kennismaking/beheer/GEHEIM-1/",
        "/kennismaking//beheer/GEHEIM-2/afzeggen/",
        "/KENNISMAKING/WACHTLIJST/TIJD/GEHEIM-3/",
        "/kennismaking/wachtlijst//bevestigen/GEHEIM-4/",
        "/Agenda/GEHEIM-5.ics",
        "/iets/anders/.eJyrVkpU:1xaiNS:GEHEIM-6/",
        "/kennismaking/beheer%2F.eJyrVkpU%3A1xaiNS%3AGEHEIM-7/",
    ]:
        fetch(nginx["https"] + path)
    time.sleep(0.2)
    log = (nginx["work"] / "access.log").read_text()
    assert log.count("[token]") == 7
    assert "GEHEIM" not in log


def post(url: str, size: int) -> int:
    request = urllib.request.Request(url, data=b"x" * size, method="POST")  # noqa: S310 - our own test server
    request.add_header("Content-Type", "application/octet-stream")
    context = ssl.create_default_context()
    context.check_hostname = False
    context.verify_mode = ssl.CERT_NONE
    try:
        with urllib.request.urlopen(request, context=context, timeout=10) as response:  # noqa: S310 - our own test server
            return response.status
    except urllib.error.HTTPError as error:
        return error.code


def test_uploaded_images_are_served_by_nginx_and_only_the_admin_takes_photos(nginx, db):
    from content.placeholder_image import create

    image = create()
    status, headers, body = fetch(nginx["https"] + image.file.url)
    assert status == 200 and body[:3] == b"\xff\xd8\xff"
    assert headers["Content-Type"] == "image/jpeg" and "max-age" in headers["Cache-Control"]
    assert headers["Content-Security-Policy"] == "default-src 'none'"
    (Path(settings.MEDIA_ROOT) / "afbeeldingen" / "x.html").write_text("<script>alert(1)</script>")
    assert fetch(nginx["https"] + "/media/afbeeldingen/x.html")[0] == 404

    photo = 5 * 1024 * 1024
    assert post(f"{nginx['https']}{settings.ADMIN_URL}content/image/add/", photo) != 413
    assert post(nginx["https"] + "/kennismaking/", photo) == 413


def fetch_with(url: str, headers: dict):
    context = ssl.create_default_context()
    context.check_hostname = False
    context.verify_mode = ssl.CERT_NONE
    request = urllib.request.Request(url, headers=headers)  # noqa: S310 - our own test server
    opener = urllib.request.build_opener(urllib.request.HTTPSHandler(context=context), NoRedirect)
    try:
        with opener.open(request, timeout=10) as response:
            return response.status, response.headers, response.read()
    except urllib.error.HTTPError as error:
        return error.code, error.headers, error.read()


def test_anonymous_content_pages_are_micro_cached_and_nothing_personal_is(nginx, db):
    from content.initial_content import load_initial_content
    from content.models import Page

    load_initial_content()
    page = nginx["https"] + "/hechtingsproblematiek/"
    assert fetch(page)[1]["X-Cache-Status"] in ("MISS", "EXPIRED")
    status, headers, body = fetch(page)
    assert status == 200 and headers["X-Cache-Status"] == "HIT"
    assert "Set-Cookie" not in headers

    # Staff and anyone halfway a form (session or CSRF cookie) always get a fresh page.
    for cookie in ("sessionid=abc", "csrftoken=abc", "taal=nl; sessionid=abc"):
        assert fetch_with(page, {"Cookie": cookie})[1]["X-Cache-Status"] == "BYPASS", cookie
    assert fetch_with(page, {"Cookie": "taal=nl"})[1]["X-Cache-Status"] == "HIT"

    # Booking steps, the feed, the health check, the admin: never from the cache.
    for path in ("/kennismaking/", "/kennismaking/online/", "/healthz", "/agenda/onbekend.ics"):
        fetch(nginx["https"] + path)
        assert fetch(nginx["https"] + path)[1]["X-Cache-Status"] is None, path
    admin_login = f"{nginx['https']}{settings.ADMIN_URL}login/"
    fetch(admin_login)
    assert fetch(admin_login)[1]["X-Cache-Status"] != "HIT"

    # A change in the admin is on the site within the cache time (5 s).
    Page.objects.filter(slug="hechtingsproblematiek").update(lead="Een nieuwe ondertitel")
    deadline = time.monotonic() + 8
    while b"Een nieuwe ondertitel" not in fetch(page)[2]:
        assert time.monotonic() < deadline, "the change did not appear within the cache time"
        time.sleep(0.5)
