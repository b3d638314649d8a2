from django.http import Http404
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext as _
from django.views.decorators.http import require_http_methods, require_safe

from booking.domain import links
from booking.domain.vocabulary import parse_slot_code, slot_code, usual_days
from booking.domain.wallclock import practice_time
from booking.models import BookingRules, Kind
from booking.services import bookings
from booking.services import schedule as schedule_service

from .choice import OFFER_MARGIN, kind_or_404, other_slug, slot_url, week_of_slots
from .forms import BookingForm


@require_safe
def start(request):
    rules = BookingRules.load()
    now = timezone.now()
    today = practice_time(now).date()
    schedule = schedule_service.load_schedule(now=now, rules=rules)
    # The weekly moments still in force, from the schedule already read for the first free times.
    current = [w for w in schedule.windows if w.valid_until is None or w.valid_until >= today]
    kinds = (Kind.ONLINE, Kind.IN_PERSON)
    return render(
        request,
        "booking/start.html",
        {
            "rules": rules,
            "first_free": {kind: schedule.first(now=now + OFFER_MARGIN, kind=kind) for kind in kinds},
            "usual_days": {
                kind: usual_days([(w.weekday, w.start) for w in current if kind in w.kinds]) for kind in kinds
            },
            "canonical_path": request.path,
            "breadcrumbs": [(_("Gratis kennismaking"), None)],
        },
    )


@require_safe
def choose(request, kind_slug: str):
    kind = kind_or_404(kind_slug)
    now = timezone.now()
    free = schedule_service.load_schedule(now=now).slots(now=now + OFFER_MARGIN, kind=kind)
    week = week_of_slots(
        asked=request.GET.get("week", ""),
        free=free,
        now=now,
        tz=schedule_service.practice_tz(),
        url_for=lambda s: slot_url(s.start, kind),
    )
    return render(
        request,
        "booking/choose.html",
        {
            **week,
            "kind": kind,
            "kind_slug": kind_slug,
            "kind_label": Kind(kind).label,
            "other_kind_url": reverse("booking:choose", kwargs={"kind_slug": other_slug(kind)}),
            "canonical_path": reverse("booking:choose", kwargs={"kind_slug": kind_slug}),
            "breadcrumbs": [
                (_("Gratis kennismaking"), reverse("booking:start")),
                (Kind(kind).label.capitalize(), None),
            ],
            "noindex": True,
        },
    )


def _offer_alternatives(context: dict, error, kind: str, *, tried) -> None:
    context["unavailable"] = error
    context["tried"] = tried.astimezone(schedule_service.practice_tz())
    context["alternatives"] = [(s, slot_code(s.start)) for s in error.alternatives]


# Not no-store: the back button after booking must show the form again, not a browser error.
@require_http_methods(["GET", "HEAD", "POST"])
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
        "start": start_at.astimezone(schedule_service.practice_tz()),
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
    # After a taken time, the client picks one of the offered moments in the same form:
    # what she typed stays, and one button books the moment she picked.
    picked = parse_slot_code(request.POST.get("moment", "")) if request.method == "POST" else None
    target = picked or start_at
    context["picked"] = slot_code(picked) if picked else ""
    context["must_pick"] = bool(request.POST.get("offered")) and picked is None
    if request.method == "POST":
        form = BookingForm(request.POST)
        status = form.status_after_checks(request)
        if status == 200:
            data = form.cleaned_data
            try:
                booking = bookings.book(
                    start=target,
                    kind=kind,
                    name=data["name"],
                    email=data["email"],
                    phone=data["phone"],
                    note=data["note"].strip(),
                    note_consent=data["note_consent"],
                    request_token=data["request_token"],
                    now=now,
                )
            except schedule_service.SlotUnavailable as error:
                _offer_alternatives(context, error, kind, tried=target)
                status = 409
            else:
                return redirect(links.confirmation_path(booking))
    else:
        form = BookingForm()
        try:
            schedule_service.free_slot(schedule_service.load_schedule(now=now), start=start_at, kind=kind, now=now)
        except schedule_service.SlotUnavailable as error:
            _offer_alternatives(context, error, kind, tried=start_at)
    if form.errors and request.POST.get("moment") is not None and "unavailable" not in context:
        # The form had a mistake while she was choosing another moment: keep offering them.
        try:
            schedule_service.free_slot(schedule_service.load_schedule(now=now), start=start_at, kind=kind, now=now)
        except schedule_service.SlotUnavailable as error:
            _offer_alternatives(context, error, kind, tried=start_at)
    context["form"] = form
    return render(request, "booking/details.html", context, status=status)
