"""Security headers on every response."""

import base64
import functools
import hashlib
import re
from pathlib import Path

from django.conf import settings
from django.http import QueryDict

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
# Tiptap, inside the editor, adds its few base rules as a <style> element: the one
# template literal in editor.js that starts like this.
_TIPTAP_STYLE = re.compile(r"`(\.ProseMirror \{[^`$]*)`")


def _hash(text: str) -> str:
    return f"'sha256-{base64.b64encode(hashlib.sha256(text.encode()).digest()).decode()}'"


@functools.cache
def admin_content_security_policy() -> str:
    """The policy, plus the hashes of the two inline elements the admin's text editor needs.

    django-prose-editor loads its modules through an import map, which browsers only
    accept inline, and Tiptap adds a <style> element. Their hashes are allowed, not
    inline code in general: both are the same for every page of one deployment, so any
    other inline script or style stays blocked.
    """
    from django.contrib.staticfiles import finders
    from django_prose_editor.widgets import AdminProseEditorWidget

    rendered = str(AdminProseEditorWidget().media["importmap"])
    policy = CONTENT_SECURITY_POLICY.replace(
        "script-src 'self'", f"script-src 'self' {_hash(_INLINE.search(rendered).group(1))}"
    )
    editor = finders.find("django_prose_editor/editor.js")
    style = _TIPTAP_STYLE.search(Path(editor).read_text(encoding="utf-8")) if editor else None
    if style:
        policy = policy.replace("style-src 'self'", f"style-src 'self' {_hash(style.group(1))}")
    return policy


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


# What a visitor's form can need (the booking note is the longest field). The admin's
# editor sends long articles, so DATA_UPLOAD_MAX_MEMORY_SIZE is set for it; public
# addresses keep this limit, refused before any view reads the body.
PUBLIC_BODY_LIMIT = 64 * 1024


class PublicBodyLimitMiddleware:
    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        if not request.path.startswith(settings.ADMIN_URL):
            try:
                length = int(request.META.get("CONTENT_LENGTH") or 0)
            except ValueError:
                length = 0
            if length > PUBLIC_BODY_LIMIT:
                from .views import bad_request

                return bad_request(request)
        return self.get_response(request)


class NullCharacterMiddleware:
    """A NUL character is never part of anything a person types, and PostgreSQL refuses it in a
    text value (a DataError, so a 500) wherever a parameter reaches a query unchecked. It is
    taken out of the query string and a public form's fields before any view reads them (the
    page then answers as for what was really asked); a path with one gets the 400 page."""

    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        if "\x00" in request.path:
            from .views import bad_request

            return bad_request(request)
        request.GET = _without_nul(request.GET)
        # The public forms' bodies are small (PublicBodyLimitMiddleware); the admin's uploads are
        # left to its forms, whose text fields refuse NUL with a message of their own.
        if request.method == "POST" and not request.path.startswith(settings.ADMIN_URL):
            request.POST = _without_nul(request.POST)
        return self.get_response(request)


def _without_nul(query: QueryDict) -> QueryDict:
    if not any("\x00" in key or any("\x00" in value for value in values) for key, values in query.lists()):
        return query
    cleaned = QueryDict(mutable=True)
    for key, values in query.lists():
        cleaned.setlist(key.replace("\x00", ""), [value.replace("\x00", "") for value in values])
    cleaned._mutable = False
    return cleaned
