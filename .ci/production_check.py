"""Against the site running with production settings under gunicorn behind the deployment's
nginx (started by .ci/serve_production): a person's flow in headless Chromium, with the
headers, cookies, origins and health checked.

Usage: python .ci/production_check.py https://127.0.0.1:8443
"""

import re
import ssl
import sys
import urllib.request
from urllib.parse import urlsplit

from playwright.sync_api import sync_playwright

BASE = sys.argv[1].rstrip("/")
ORIGIN = "{0.scheme}://{0.netloc}".format(urlsplit(BASE))
# The run's own self-signed certificate.
TLS = ssl.create_default_context()
TLS.check_hostname = False
TLS.verify_mode = ssl.CERT_NONE
CONTENT_PAGES = [
    "/",
    "/hechtingsproblematiek/",
    "/artikelen/",
    "/zoeken/?q=hechting",
    "/over-mij/",
    "/contact/",
    "/privacyverklaring/",
    "/kennismaking/",
    "/kennismaking/online/",
]
failures = []
passed = []


def check(condition, message):
    print(("ok    " if condition else "FAIL  ") + message)
    (passed if condition else failures).append(message)


def fetch(path):
    request = urllib.request.Request(BASE + path)  # noqa: S310 - our own local server
    try:
        with urllib.request.urlopen(request, timeout=10, context=TLS) as response:  # noqa: S310 - our own local server
            return response.status, dict(response.headers), response.read()
    except urllib.error.HTTPError as error:
        return error.code, dict(error.headers), error.read()


status, _, body = fetch("/healthz")
check(status == 200 and body == b"ok\n", "/healthz answers 200 with the database up")

for path in CONTENT_PAGES:
    status, headers, _ = fetch(path)
    csp = headers.get("Content-Security-Policy", "")
    check(status == 200, f"{path} answers 200")
    check("unsafe-inline" not in csp and "frame-ancestors 'none'" in csp, f"{path} has a strict CSP")
    check(headers.get("Strict-Transport-Security", "").startswith("max-age="), f"{path} sends HSTS")
    check(headers.get("X-Content-Type-Options") == "nosniff", f"{path} sends nosniff")
    check(headers.get("Referrer-Policy") == "same-origin", f"{path} sends Referrer-Policy same-origin")
    check("camera=()" in headers.get("Permissions-Policy", ""), f"{path} sends a Permissions-Policy")
    check("Set-Cookie" not in headers, f"{path} sets no cookie")
    check(headers.get("Server") == "nginx", f"{path} is served by nginx without its version")

status, _, home = fetch("/")
stylesheet = re.search(rb'href="(/static/css/site\.[0-9a-f]{12}\.css)"', home)
check(stylesheet is not None, "pages link the hashed stylesheet")
if stylesheet:
    status, headers, _ = fetch(stylesheet.group(1).decode())
    check(status == 200 and "immutable" in headers.get("Cache-Control", ""), "hashed static files are cached for good")

with sync_playwright() as playwright:
    browser = playwright.chromium.launch(
        executable_path="/usr/bin/chromium",
        args=[
            "--no-sandbox",
            "--disable-gpu",
            "--no-first-run",
            "--disable-background-networking",
            "--disable-component-update",
            "--disable-sync",
        ],
    )
    context = browser.new_context(viewport={"width": 360, "height": 740}, ignore_https_errors=True)
    page = context.new_page()
    foreign = []
    page.on("request", lambda r: foreign.append(r.url) if not r.url.startswith((ORIGIN, "data:")) else None)

    for path in CONTENT_PAGES:
        page.goto(BASE + path)
        check(page.get_by_role("heading", level=1).count() == 1, f"{path} shows one h1 in the browser")
    check(context.cookies() == [], "no cookies after reading the content pages")
    page.goto(BASE + "/over-mij/")
    photos = page.eval_on_selector_all("picture img", "all => all.map(i => i.complete && i.naturalWidth > 0)")
    check(photos and all(photos), f"the therapist's photo loads through nginx ({len(photos)} picture)")

    page.goto(BASE + "/kennismaking/")
    page.get_by_role("link", name="Online").first.click()
    page.locator("section.day").first.get_by_role("link").first.click()
    page.get_by_label("Je naam").fill("Productie Test")
    page.get_by_label("Je e-mailadres").fill("productie@example.com")
    page.get_by_label("Ik heb de privacyverklaring gelezen").check()
    page.get_by_role("button", name="Kennismaking boeken").click()
    page.wait_for_url("**/kennismaking/bevestiging/*/", timeout=15000)
    check(page.get_by_role("heading", level=1).inner_text() == "Je kennismaking is geboekt", "a booking goes through")
    names = sorted(c["name"] for c in context.cookies())
    check(names == ["csrftoken"], f"the booking form set only the CSRF cookie ({names})")
    check(all(c["secure"] and c["httpOnly"] for c in context.cookies()), "cookies are Secure and HttpOnly")

    page.goto(BASE + "/contact/")
    page.get_by_role("link", name="Stel een vraag").click()
    page.get_by_label("Je naam").fill("Productie Vraag")
    page.get_by_label("Je e-mailadres").fill("vraag@example.com")
    page.get_by_label("Je vraag").fill("Een vraag via nginx")
    page.get_by_label("Ik heb de privacyverklaring gelezen").check()
    page.get_by_role("button", name="Vraag versturen").click()
    page.wait_for_url("**/kennismaking/vraag/verstuurd/", timeout=15000)
    check(page.get_by_role("heading", level=1).inner_text() == "Je vraag is goed aangekomen", "a question is sent")

    page.goto(BASE + "/kennismaking/online/")
    page.get_by_role("link", name="Op de wachtlijst").click()
    page.get_by_label("Je naam").fill("Productie Wacht")
    page.get_by_label("Je e-mailadres").fill("wacht@example.com")
    page.get_by_label("Ik heb de privacyverklaring gelezen").check()
    page.get_by_role("button", name="Op de wachtlijst").click()
    page.wait_for_url("**/kennismaking/wachtlijst/aangemeld/", timeout=15000)
    # Joining takes effect once the address confirms through the emailed link (not reachable here).
    check(page.get_by_role("heading", level=1).inner_text() == "Kijk in je mail", "joining the waiting list")
    check(foreign == [], f"no request to another origin ({foreign[:3]})")
    browser.close()

print(f"production: {len(passed)} passed, {len(failures)} failed")
sys.exit(1 if failures else 0)
