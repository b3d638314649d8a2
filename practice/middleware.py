"""Security headers on every response."""

import base64
import functools
import hashlib
import re

from django.conf import settings

# Everything the site loads comes from itself; no inline code at all, so no
# 'unsafe-inline' and no nonces are needed. JSON-LD blocks are data, not scripts.
CONTENT_SECURITY_POLICY = "; ".join(
    [
        "default-src 'self'",
        "script-src 'self'",
        "style-src 'self'",
        "img-src 'self' data:",
        "font-src 'self'",
        "connect-src 'self'",
        "object-src 'none'",
        "base-uri 'none'",
        "form-action 'self'",
        "frame-ancestors 'none'",
    ]
)
PERMISSIONS_POLICY = ", ".join(
    f"{feature}=()"
    for feature in (
        "accelerometer",
        "autoplay",
        "camera",
        "display-capture",
        "encrypted-media",
        "fullscreen",
        "geolocation",
        "gyroscope",
        "magnetometer",
        "microphone",
        "midi",
        "payment",
        "picture-in-picture",
        "publickey-credentials-get",
        "screen-wake-lock",
        "sync-xhr",
        "usb",
        "xr-spatial-tracking",
        "interest-cohort",
        "browsing-topics",
    )
)


_INLINE = re.compile(r"<script[^>]*>(.*)</script>", re.DOTALL)


@functools.cache
def admin_content_security_policy() -> str:
    """The policy, plus the hash of the one inline element the admin's text editor needs.

    django-prose-editor loads its modules through an import map, which browsers only
    accept inline. Its hash is allowed, not inline scripts in general: the map is the
    same for every page of one deployment, so any other inline script stays blocked.
    """
    from django_prose_editor.widgets import AdminProseEditorWidget

    rendered = str(AdminProseEditorWidget().media["importmap"])
    digest = hashlib.sha256(_INLINE.search(rendered).group(1).encode()).digest()
    source = f"'sha256-{base64.b64encode(digest).decode()}'"
    return CONTENT_SECURITY_POLICY.replace("script-src 'self'", f"script-src 'self' {source}")


class SecurityHeadersMiddleware:
    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        response = self.get_response(request)
        in_admin = request.path.startswith(settings.ADMIN_URL)
        policy = admin_content_security_policy() if in_admin else CONTENT_SECURITY_POLICY
        response.headers.setdefault("Content-Security-Policy", policy)
        response.headers.setdefault("Permissions-Policy", PERMISSIONS_POLICY)
        response.headers.setdefault("Cross-Origin-Opener-Policy", "same-origin")
        response.headers.setdefault("Cross-Origin-Resource-Policy", "same-origin")
        if in_admin:
            # The admin's address is kept out of search engines.
            response.headers.setdefault("X-Robots-Tag", "noindex, nofollow")
        return response
