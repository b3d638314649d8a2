"""The client's own pages for an intake, reached only through a valid, current signed link:
the confirmation right after booking, the calendar file, and the page to reschedule or cancel.

Every page here shows personal data, so none of them may be kept in any cache.
"""

from django.conf import settings
from django.http import Http404, HttpResponse
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy
from django.views.decorators.cache import never_cache
from django.views.decorators.http import require_http_methods, require_safe

from booking.calendars import ics as calendar
from booking.domain import links, slots, video
from booking.domain.vocabulary import parse_slot_code, slot_code
from booking.models import Booking, BookingRules, Kind
from booking.services import bookings
from booking.services import schedule as schedule_service
from practice import ratelimit

from .choice import OFFER_MARGIN, kind_or_404, other_slug, week_of_slots

PROBLEM_STATUS = {"tampered": 400, "expired": 410, "used": 410, "missing": 404}

# Each change emails her and the practice, and hands out the next link: changes count towards the
# public forms' limit per address, and an intake is changed a few times a day at most, so that
# a forwarded link cannot be used to flood her inbox from many addresses either.
CHANGES_PER_DAY = 5
CHANGES_MESSAGE = gettext_lazy(
    "Dit gesprek is vandaag al een paar keer veranderd. Probeer het morgen opnieuw, of bel of mail de praktijk."
)


def _change_refused(request, booking: Booking) -> str | None:
    """Why this change may not go ahead now, or None; counts the attempt."""
    if ratelimit.too_many_forms(request):
        return ratelimit.FORM_LIMIT_MESSAGE
    counter = ratelimit.key("intake-changes", booking.link_key)
    if ratelimit.hit(counter, 24 * 60 * 60, extend=False) > CHANGES_PER_DAY:
        return CHANGES_MESSAGE
    return None


def _problem(request, problem: str, *, cancelled: bool = False):
    context = {"problem": problem, "cancelled": cancelled, "noindex": True}
    return render(request, "booking/manage_problem.html", context, status=PROBLEM_STATUS[problem])


def _booking_from(request, token: str) -> tuple[Booking | None, object]:
    """The booking a link is for, or the page that explains why the link does not work."""
    check = links.read_token(token)
    if check.problem:
        return None, _problem(request, check.problem)
    booking = Booking.objects.filter(link_key=check.link_key).first()
    if booking is None:
        return None, _problem(request, "missing")
    if check.sequence != booking.sequence:
        # A link from an older email: the intake has changed since. Cancelled is said as such:
        # "changed, use the newest email" would leave her wondering whether it is still on.
        return None, _problem(request, "used", cancelled=not booking.is_active)
    return booking, None


def _context(booking: Booking, token: str, **extra) -> dict:
    now = timezone.now()
    rules = BookingRules.load()
    return {
        "booking": booking,
        "token": token,
        "rules": rules,
        "video_url": rules.video_url(booking, role=video.CLIENT),
        "can_change": bookings.can_change_online(booking, now=now, rules=rules),
        "breadcrumbs": [(_("Gratis kennismaking"), reverse("booking:start")), (_("Je afspraak"), None)],
        "noindex": True,
        **extra,
    }


@never_cache
@require_safe
def confirmation(request, token: str):
    """Where the booking form lands; later visits need the same current link."""
    booking, problem = _booking_from(request, token)
    if problem:
        return problem
    breadcrumbs = [(_("Gratis kennismaking"), reverse("booking:start")), (_("Bevestiging"), None)]
    return render(request, "booking/confirmation.html", _context(booking, token, breadcrumbs=breadcrumbs))


@never_cache
@require_safe
def ics(request, token: str):
    booking, problem = _booking_from(request, token)
    if problem:
        return problem
    # The file carries the link it was fetched with: a freshly signed one would let anyone who
    # holds a link keep it alive past its 120 days by downloading the file now and then.
    manage_url = settings.SITE_URL + reverse("booking:manage", kwargs={"token": token})
    response = HttpResponse(
        calendar.client_calendar(booking, now=timezone.now(), manage_url=manage_url),
        content_type="text/calendar; charset=utf-8",
    )
    response["Content-Disposition"] = 'attachment; filename="kennismaking.ics"'
    return response


@never_cache
@require_safe
def manage(request, token: str):
    booking, problem = _booking_from(request, token)
    if problem:
        return problem
    # "Done" is said only when it is true of the intake as it is now (the address can be typed).
    done = {"afgezegd": not booking.is_active, "verzet": booking.is_active}
    said = request.GET.get("klaar", "")
    return render(request, "booking/manage.html", _context(booking, token, done=said if done.get(said) else ""))


@never_cache
@require_http_methods(["GET", "HEAD", "POST"])
def cancel(request, token: str):
    booking, problem = _booking_from(request, token)
    if problem:
        return problem
    if not bookings.can_change_online(booking, now=timezone.now()):
        # Cancelled already, or too close: her page says which, and what she can do.
        return redirect("booking:manage", token=token)
    if request.method == "POST":
        refused = _change_refused(request, booking)
        if refused:
            return render(request, "booking/manage_cancel.html", _context(booking, token, refused=refused), status=429)
        try:
            booking = bookings.cancel(booking_id=booking.pk, by_practice=False, now=timezone.now())
        except (bookings.TooLate, bookings.NotActive):
            return redirect("booking:manage", token=token)
        return redirect(links.manage_path(booking) + "?klaar=afgezegd")
    return render(request, "booking/manage_cancel.html", _context(booking, token))


@never_cache
@require_safe
def reschedule_choose(request, token: str, kind_slug: str):
    booking, problem = _booking_from(request, token)
    if problem:
        return problem
    kind = kind_or_404(kind_slug)
    if not bookings.can_change_online(booking, now=timezone.now()):
        return redirect("booking:manage", token=token)
    now = timezone.now()
    # The slots around its current time count as free: rescheduling releases them.
    schedule = schedule_service.load_schedule(now=now, ignore=booking)
    offered = schedule.slots(now=now + OFFER_MARGIN, kind=kind)
    free = [s for s in offered if not slots.same_moment(s.start, booking.start)]

    def url_for(slot):
        return reverse(
            "booking:reschedule_confirm", kwargs={"token": token, "kind_slug": kind_slug, "slot": slot_code(slot.start)}
        )

    week = week_of_slots(
        asked=request.GET.get("week", ""), free=free, now=now, tz=schedule_service.practice_tz(), url_for=url_for
    )
    return render(
        request,
        "booking/choose.html",
        {
            **week,
            "kind": kind,
            "kind_slug": kind_slug,
            "kind_label": Kind(kind).label,
            "rescheduling": booking,
            "other_kind_url": reverse(
                "booking:reschedule_choose", kwargs={"token": token, "kind_slug": other_slug(kind)}
            ),
            "breadcrumbs": [
                (_("Je afspraak"), reverse("booking:manage", kwargs={"token": token})),
                (_("Verzetten"), None),
            ],
            "noindex": True,
        },
    )


@never_cache
@require_http_methods(["GET", "HEAD", "POST"])
def reschedule_confirm(request, token: str, kind_slug: str, slot: str):
    booking, problem = _booking_from(request, token)
    if problem:
        return problem
    kind = kind_or_404(kind_slug)
    start = parse_slot_code(slot)
    if start is None:
        raise Http404
    if not bookings.can_change_online(booking, now=timezone.now()):
        return redirect("booking:manage", token=token)
    context = _context(
        booking, token, new_start=start, new_kind=kind, new_kind_label=Kind(kind).label, kind_slug=kind_slug
    )
    if request.method == "POST":
        refused = _change_refused(request, booking)
        if refused:
            return render(request, "booking/manage_reschedule.html", {**context, "refused": refused}, status=429)
        try:
            booking = bookings.reschedule(booking_id=booking.pk, start=start, kind=kind, now=timezone.now())
        except schedule_service.SlotUnavailable as error:
            context["unavailable"] = error
            return render(request, "booking/manage_reschedule.html", context, status=409)
        except (bookings.TooLate, bookings.NotActive):
            return redirect("booking:manage", token=token)
        return redirect(links.manage_path(booking) + "?klaar=verzet")
    return render(request, "booking/manage_reschedule.html", context)
