"""The client's own page for an intake, reached through the signed link in every email."""

from django.http import Http404
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext as _
from django.views.decorators.http import require_GET, require_http_methods

from . import links, services
from .models import Booking, BookingRules, Kind
from .views import kind_or_404, parse_slot_code, slot_code, week_of_slots

PROBLEM_STATUS = {"tampered": 400, "expired": 410, "used": 410, "missing": 404}


def _problem(request, problem: str):
    return render(
        request, "booking/manage_problem.html", {"problem": problem, "noindex": True}, status=PROBLEM_STATUS[problem]
    )


def _booking_from(request, token: str) -> tuple[Booking | None, object]:
    """The booking a link is for, or the page that explains why the link does not work."""
    check = links.read_token(token)
    if check.problem:
        return None, _problem(request, check.problem)
    booking = Booking.objects.filter(uuid=check.booking_uuid).first()
    if booking is None:
        return None, _problem(request, "missing")
    if check.sequence != booking.sequence:
        # A link from an older email: the intake has changed since.
        return None, _problem(request, "used")
    return booking, None


def _context(booking: Booking, token: str, **extra) -> dict:
    now = timezone.now()
    rules = BookingRules.load()
    return {
        "booking": booking,
        "token": token,
        "rules": rules,
        "can_change": services.can_change_online(booking, now=now, rules=rules),
        "breadcrumbs": [(_("Gratis kennismaking"), reverse("booking:start")), (_("Je afspraak"), None)],
        "noindex": True,
        **extra,
    }


@require_GET
def manage(request, token: str):
    booking, problem = _booking_from(request, token)
    if problem:
        return problem
    return render(request, "booking/manage.html", _context(booking, token, done=request.GET.get("klaar", "")))


@require_http_methods(["GET", "POST"])
def cancel(request, token: str):
    booking, problem = _booking_from(request, token)
    if problem:
        return problem
    if request.method == "POST":
        try:
            booking = services.cancel(booking_id=booking.pk, by_practice=False, now=timezone.now())
        except (services.TooLate, services.NotActive):
            return redirect("booking:manage", token=token)
        return redirect(links.manage_path(booking) + "?klaar=afgezegd")
    return render(request, "booking/manage_cancel.html", _context(booking, token))


@require_GET
def reschedule_choose(request, token: str, kind_slug: str):
    booking, problem = _booking_from(request, token)
    if problem:
        return problem
    kind = kind_or_404(kind_slug)
    if not services.can_change_online(booking, now=timezone.now()):
        return redirect("booking:manage", token=token)
    now = timezone.now()
    # The slots around its current time count as free: rescheduling releases them.
    schedule = services.load_schedule(now=now, ignore=booking)
    free = [s for s in schedule.slots(now=now, kind=kind) if s.start != booking.start]
    other_slug = "praktijk" if kind == Kind.ONLINE else "online"

    def url_for(slot):
        return reverse(
            "booking:reschedule_confirm", kwargs={"token": token, "kind_slug": kind_slug, "slot": slot_code(slot.start)}
        )

    return render(
        request,
        "booking/choose.html",
        {
            **week_of_slots(request, free, url_for),
            "kind": kind,
            "kind_slug": kind_slug,
            "kind_label": Kind(kind).label,
            "rescheduling": booking,
            "other_kind_url": reverse("booking:reschedule_choose", kwargs={"token": token, "kind_slug": other_slug}),
            "breadcrumbs": [
                (_("Je afspraak"), reverse("booking:manage", kwargs={"token": token})),
                (_("Verzetten"), None),
            ],
            "noindex": True,
        },
    )


@require_http_methods(["GET", "POST"])
def reschedule_confirm(request, token: str, kind_slug: str, slot: str):
    booking, problem = _booking_from(request, token)
    if problem:
        return problem
    kind = kind_or_404(kind_slug)
    start = parse_slot_code(slot)
    if start is None:
        raise Http404
    context = _context(
        booking, token, new_start=start, new_kind=kind, new_kind_label=Kind(kind).label, kind_slug=kind_slug
    )
    if request.method == "POST":
        try:
            booking = services.reschedule(booking_id=booking.pk, start=start, kind=kind, now=timezone.now())
        except services.SlotUnavailable as error:
            context["unavailable"] = error
            return render(request, "booking/manage_reschedule.html", context, status=409)
        except (services.TooLate, services.NotActive):
            return redirect("booking:manage", token=token)
        return redirect(links.manage_path(booking) + "?klaar=verzet")
    return render(request, "booking/manage_reschedule.html", context)
