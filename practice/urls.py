from django.conf import settings
from django.contrib import admin
from django.contrib.sitemaps.views import sitemap
from django.urls import include, path, re_path
from django.views.decorators.cache import cache_page

from booking.calendars.feed import agenda_feed
from content.sitemaps import sitemaps
from content.views import robots_txt
from practice import twofactor
from practice.admin_login import ThrottledAdminLoginForm
from practice.health import healthz
from practice.views import media

admin.site.login_form = ThrottledAdminLoginForm
SITEMAP_SECONDS = 5 * 60

urlpatterns = [
    path(settings.ADMIN_URL.lstrip("/") + "tweestaps/", twofactor.verify, name="twofactor"),
    path(settings.ADMIN_URL.lstrip("/") + "tweestaps/afmelden/", twofactor.sign_out, name="twofactor_sign_out"),
    path(settings.ADMIN_URL.lstrip("/"), admin.site.urls),
    path("healthz", healthz, name="healthz"),
    path("robots.txt", robots_txt, name="robots_txt"),
    # Rendered once every 5 minutes: with thousands of articles the sitemap takes a
    # noticeable moment to build, and only search engines read it (benchmarks/growth.py).
    path("sitemap.xml", cache_page(SITEMAP_SECONDS)(sitemap), {"sitemaps": sitemaps}, name="sitemap"),
    path("kennismaking/", include("booking.public.urls")),
    # Not namespaced under /kennismaking/: a calendar program subscribes to this address.
    path("agenda/<str:token>.ics", agenda_feed, name="booking_feed"),
    # Development and tests; in production nginx serves /media/ (deploy/nginx/).
    re_path(r"^media/(?P<path>.*)$", media),
    path("", include("content.urls")),
]

handler400 = "practice.views.bad_request"
handler403 = "practice.views.permission_denied"
handler404 = "practice.views.page_not_found"
