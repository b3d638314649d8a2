from datetime import UTC, date, datetime, timedelta
from itertools import groupby

from django.http import Http404, HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext as _
from django.views.decorators.http import require_GET, require_http_methods

from practice import ratelimit
from practice.clients import client_address

from . import calendar, links, services, slots
from .forms import BookingForm
from .models import Booking, BookingRules, Kind

# The kinds as they appear in addresses: /kennismaking/online/, /kennismaking/praktijk/.
KIND_SLUGS = {"online": Kind.ONLINE, "praktijk": Kind.IN_PERSON}
SLUG_OF_KIND = {kind: slug for slug, kind in KIND_SLUGS.items()}
SLOT_FORMAT = "%Y%m%dT%H%MZ"

RATE_LIMIT = 10  # booking submissions per address...
RATE_WINDOW = 60 * 15  # ...per quarter of an hour


def slot_code(moment: datetime) -> str:
    return moment.astimezone(UTC).strftime(SLOT_FORMAT)


def parse_slot_code(code: str) -> datetime | None:
    try:
        moment = datetime.strptime(code, SLOT_FORMAT).replace(tzinfo=UTC)
    except ValueError:
        return None
    # Far-off years are never bookable, and near year 1 or 9999 time zone arithmetic overflows.
    return moment if 2000 <= moment.year <= 2999 else None


def kind_or_404(kind_slug: str) -> str:
    try:
        return KIND_SLUGS[kind_slug]
    except KeyError:
        raise Http404 from None


def slot_url(slot_start: datetime, kind: str) -> str:
    return reverse("booking:details", kwargs={"kind_slug": SLUG_OF_KIND[kind], "slot": slot_code(slot_start)})


def _days(slot_list):
    """[(date, [slot, ...]), ...] in order."""
    return [(day, list(day_slots)) for day, day_slots in groupby(slot_list, key=lambda s: s.start.date())]


def _rate_limited(request) -> bool:
    return ratelimit.hit(ratelimit.key("booking", client_address(request)), RATE_WINDOW) > RATE_LIMIT


@require_GET
def start(request):
    rules = BookingRules.load()
    return render(
        request,
        "booking/start.html",
        {
            "rules": rules,
            "canonical_path": request.path,
            "breadcrumbs": [(_("Gratis kennismaking"), None)],
        },
    )


def week_of_slots(request, free: list[slots.Slot], url_for) -> dict:
    """The week asked for (?week=), its free slots grouped by day, and the way to other weeks."""
    now = timezone.now()
    today = now.astimezone(services.practice_tz()).date()
    this_monday = today - timedelta(days=today.weekday())
    try:
        monday = date.fromisoformat(request.GET.get("week", ""))
        monday -= timedelta(days=monday.weekday())
    except ValueError:
        monday = this_monday
    last_monday = (free[-1].start.date() - timedelta(days=free[-1].start.weekday())) if free else this_monday
    monday = min(max(monday, this_monday), max(last_monday, this_monday))
    sunday = monday + timedelta(days=6)
    week = [s for s in free if monday <= s.start.date() <= sunday]
    return {
        "days": [(day, [(s, url_for(s)) for s in day_slots]) for day, day_slots in _days(week)],
        "any_free": bool(free),
        "next_free": next((s for s in free if s.start.date() > sunday), None),
        "monday": monday,
        "sunday": sunday,
        "previous_week": monday - timedelta(days=7) if monday > this_monday else None,
        "next_week": monday + timedelta(days=7) if monday < last_monday else None,
    }


@require_GET
def choose(request, kind_slug: str):
    kind = kind_or_404(kind_slug)
    now = timezone.now()
    free = services.load_schedule(now=now).slots(now=now, kind=kind)
    other_slug = "praktijk" if kind == Kind.ONLINE else "online"
    return render(
        request,
        "booking/choose.html",
        {
            **week_of_slots(request, free, lambda s: slot_url(s.start, kind)),
            "kind": kind,
            "kind_slug": kind_slug,
            "kind_label": Kind(kind).label,
            "other_kind_url": reverse("booking:choose", kwargs={"kind_slug": other_slug}),
            "canonical_path": reverse("booking:choose", kwargs={"kind_slug": kind_slug}),
            "breadcrumbs": [
                (_("Gratis kennismaking"), reverse("booking:start")),
                (Kind(kind).label.capitalize(), None),
            ],
            "noindex": True,
        },
    )


@require_http_methods(["GET", "POST"])
def details(request, kind_slug: str, slot: str):
    kind = kind_or_404(kind_slug)
    start_at = parse_slot_code(slot)
    if start_at is None:
        raise Http404
    now = timezone.now()
    context = {
        "kind": kind,
        "kind_slug": kind_slug,
        "kind_label": Kind(kind).label,
        "start": start_at.astimezone(services.practice_tz()),
        "rules": BookingRules.load(),
        "canonical_path": reverse("booking:choose", kwargs={"kind_slug": kind_slug}),
        "breadcrumbs": [
            (_("Gratis kennismaking"), reverse("booking:start")),
            (Kind(kind).label.capitalize(), reverse("booking:choose", kwargs={"kind_slug": kind_slug})),
            (_("Je gegevens"), None),
        ],
        "noindex": True,
    }
    status = 200
    if request.method == "POST":
        form = BookingForm(request.POST)
        if _rate_limited(request):
            form.is_valid()
            form.add_error(
                None,
                _(
                    "Je hebt het formulier vaak achter elkaar verstuurd. Wacht een kwartier en probeer het dan opnieuw, of bel of mail de praktijk."
                ),
            )
            status = 429
        elif form.is_valid():
            data = form.cleaned_data
            try:
                booking = services.book(
                    start=start_at,
                    kind=kind,
                    name=data["name"],
                    email=data["email"],
                    phone=data["phone"],
                    note=data["note"].strip(),
                    note_consent=data["note_consent"],
                    request_token=data["request_token"],
                    now=now,
                )
            except services.AlreadyBooked as error:
                context["already_booked"] = error.existing
                status = 409
            except services.SlotUnavailable as error:
                context["unavailable"] = error
                context["alternatives"] = [(s, slot_url(s.start, kind)) for s in error.alternatives]
                status = 409
            else:
                return redirect("booking:confirmation", uuid=booking.uuid)
        else:
            status = 400
    else:
        form = BookingForm()
        try:
            services.free_slot(services.load_schedule(now=now), start=start_at, kind=kind, now=now)
        except services.SlotUnavailable as error:
            context["unavailable"] = error
            context["alternatives"] = [(s, slot_url(s.start, kind)) for s in error.alternatives]
    context["form"] = form
    return render(request, "booking/details.html", context, status=status)


@require_GET
def confirmation_ics(request, uuid):
    booking = get_object_or_404(Booking, uuid=uuid)
    response = HttpResponse(
        calendar.client_calendar(booking, now=timezone.now()), content_type="text/calendar; charset=utf-8"
    )
    response["Content-Disposition"] = 'attachment; filename="kennismaking.ics"'
    return response


@require_GET
def confirmation(request, uuid):
    booking = get_object_or_404(Booking, uuid=uuid)
    return render(
        request,
        "booking/confirmation.html",
        {
            "booking": booking,
            "rules": BookingRules.load(),
            "manage_path": links.manage_path(booking),
            "breadcrumbs": [(_("Gratis kennismaking"), reverse("booking:start")), (_("Bevestiging"), None)],
            "noindex": True,
        },
    )
