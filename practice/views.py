"""Error pages, and uploaded files outside production.

Django's own handlers re-check the CSRF token, which reads the request body again; a
body Django refuses to read (a form in latin-1, say) would then turn a 400, 403 or 404
into a 500. These render the same templates without touching the body.
"""

from django.conf import settings
from django.http import Http404
from django.shortcuts import render
from django.views.static import serve


def csrf_failure(request, reason=""):
    return render(request, "403_csrf.html", status=403)


def bad_request(request, exception=None):
    return render(request, "400.html", status=400)


def permission_denied(request, exception=None):
    return render(request, "403.html", status=403)


def page_not_found(request, exception=None):
    return render(request, "404.html", status=404)


def media(request, path: str):
    """Uploaded images in development and tests; nginx serves them in production."""
    if not settings.SERVE_MEDIA:
        raise Http404
    return serve(request, path, document_root=settings.MEDIA_ROOT)
