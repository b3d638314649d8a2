"""The theme page stays light: its first visit transfers at most 100 KB compressed."""

import gzip
import re

from django.conf import settings

LIMIT = 100 * 1024


def compressed_size_of_static(url: str) -> int:
    path = settings.STATIC_ROOT / url.removeprefix(settings.STATIC_URL)
    compressed = path.with_name(path.name + ".gz")
    # WhiteNoise serves the .gz (or .br) it wrote at collectstatic; files that do not
    # shrink are served as they are.
    return compressed.stat().st_size if compressed.exists() else path.stat().st_size


def test_theme_page_first_visit_is_under_100_kb_compressed(client, site_content):
    html = client.get("/hechtingsproblematiek/").content
    assets = set(re.findall(rb'(?:href|src)="(/static/[^"]+)"', html))
    assert any(a.endswith(b".css") for a in assets)
    total = len(gzip.compress(html)) + sum(compressed_size_of_static(a.decode()) for a in assets)
    assert total <= LIMIT, f"{total} bytes"
