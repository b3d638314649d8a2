"""The therapist's private agenda subscription at /agenda/<token>.ics."""

import hashlib
from datetime import timedelta

from django.db.models import Count, Max
from django.http import Http404, HttpResponse
from django.utils import timezone
from django.views.decorators.http import condition, require_safe

from booking.models import AgendaFeed, Booking, BookingRules

from . import ics as calendar

PAST_DAYS = 30


def _feed_bookings(now):
    rules = BookingRules.load()
    return Booking.objects.filter(
        start__gte=now - timedelta(days=PAST_DAYS), start__lte=now + timedelta(days=rules.horizon_days + 1)
    ).order_by("start")


def _feed_or_404(token: str) -> AgendaFeed:
    feed = AgendaFeed.objects.filter(token=token, is_active=True).first()
    if feed is None:
        raise Http404
    return feed


def _state(request, token: str):
    # Asked for by both the ETag and the Last-Modified check: looked up once per request.
    if not hasattr(request, "_agenda_feed_state"):
        request._agenda_feed_state = _read_state(token)
    return request._agenda_feed_state


def _read_state(token: str):
    feed = _feed_or_404(token)
    now = timezone.now()
    summary = _feed_bookings(now).aggregate(changed=Max("updated_at"), count=Count("pk"))
    # Changed rules change the video links in every event (a Jitsi server of her own switched on).
    rules_changed = BookingRules.objects.aggregate(changed=Max("updated_at"))["changed"]
    last = max(filter(None, [summary["changed"], feed.created_at, feed.bookings_changed_at, rules_changed]))
    return feed, now, summary["count"], last


def _etag(request, token):
    _feed, now, count, last = _state(request, token)
    # The 30-day window moves every day, so the day is part of the version too.
    version = f"{token}:{count}:{last.isoformat()}:{now.date().isoformat()}"
    return hashlib.sha256(version.encode()).hexdigest()[:32]


def _last_modified(request, token):
    return _state(request, token)[3]


@require_safe
@condition(etag_func=_etag, last_modified_func=_last_modified)
def agenda_feed(request, token: str):
    _feed, now, _count, _last = _state(request, token)
    body = calendar.practice_calendar(_feed_bookings(now), now=now)
    response = HttpResponse(body, content_type="text/calendar; charset=utf-8")
    response["Content-Disposition"] = 'inline; filename="kennismakingen.ics"'
    # Personal data: never in a shared cache.
    response["Cache-Control"] = "private, no-cache"
    return response
