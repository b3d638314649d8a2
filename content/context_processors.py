from django.conf import settings
from django.utils.functional import SimpleLazyObject

from .models import Page, PracticeDetails


def _site_pages() -> dict[str, list[Page]]:
    pages = list(
        Page.objects.published()
        .exclude(kind=Page.Kind.HOME)
        .only("title", "slug", "kind", "in_navigation", "navigation_order")
        .order_by("navigation_order", "title")
    )
    return {
        "navigation": [p for p in pages if p.in_navigation],
        "footer": [p for p in pages if p.kind == Page.Kind.INFO],
    }


def site(request):
    """What the frame of every public page needs: the practice, the menu, the site address.

    Lazy, so that pages which never show them (the admin) do not pay the queries.
    """
    pages = SimpleLazyObject(_site_pages)
    return {
        "practice": SimpleLazyObject(PracticeDetails.load),
        "navigation": SimpleLazyObject(lambda: pages["navigation"]),
        "footer_pages": SimpleLazyObject(lambda: pages["footer"]),
        "SITE_URL": settings.SITE_URL,
    }
