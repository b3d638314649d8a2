"""The waiting list's pages: joining (confirmed through an emailed link), booking the time
held for you, leaving. The pages behind a link show personal data: never cached."""

import uuid
from datetime import timedelta

from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext as _
from django.views.decorators.cache import never_cache
from django.views.decorators.csrf import csrf_exempt
from django.views.decorators.http import require_http_methods, require_safe

from booking.domain import links
from booking.domain.vocabulary import KIND_SLUGS
from booking.models import Booking, BookingRules, Hold, Kind, WaitingEntry, WaitingRequest
from booking.services import bookings, schedule, waiting

from .forms import HoldBookingForm, WaitingForm
from .pages import form_page


def _crumbs(last: str) -> list:
    return [(_("Gratis kennismaking"), reverse("booking:start")), (last, None)]


@require_http_methods(["GET", "HEAD", "POST"])
def join(request):
    def ask_to_confirm(data: dict):
        # Only stored until the address's owner confirms; the same redirect for every address.
        waiting.request_waiting_list(
            name=data["name"],
            email=data["email"],
            phone=data["phone"],
            kinds=frozenset(data["kinds"]),
            days=data["days"],
            parts=data["parts"],
            now=timezone.now(),
        )
        return redirect("booking:waiting_joined")

    # Coming from one kind's week page: that kind is what suits her.
    kind = KIND_SLUGS.get(request.GET.get("vorm", ""))
    return form_page(
        request,
        WaitingForm,
        template="booking/waiting_join.html",
        context=lambda: {"rules": BookingRules.load(), "breadcrumbs": _crumbs(_("Wachtlijst")), "noindex": True},
        on_valid=ask_to_confirm,
        initial={"kinds": [kind]} if kind else None,
    )


@require_safe
def joined(request):
    """After the form: look in your mail. The same page whoever's address was typed."""
    return render(
        request,
        "booking/waiting_joined.html",
        {
            "within_hours": waiting.CONFIRM_WITHIN // timedelta(hours=1),
            "breadcrumbs": _crumbs(_("Wachtlijst")),
            "noindex": True,
        },
    )


def _pending(token: str) -> tuple[WaitingRequest | None, bool]:
    """The request a confirmation link is for (None when it was used or expired), and
    whether the link itself is one the site made."""
    key = links.read_key_token(token, links.CONFIRM)
    if key is None:
        return None, False
    return WaitingRequest.objects.filter(link_key=key, expires_at__gt=timezone.now()).first(), True


def _version(request) -> int:
    try:
        return int(request.POST.get("versie", ""))
    except ValueError:
        return -1


# A GET only shows what would be stored: mail programs open links to check them.
@never_cache
@require_http_methods(["GET", "HEAD", "POST"])
def confirm(request, token: str):
    pending, genuine = _pending(token)
    changed = False
    if pending is not None and request.method == "POST":
        try:
            waiting.confirm_waiting_list(request_id=pending.pk, version=_version(request), now=timezone.now())
        except waiting.RequestGone:
            pending = None
        except waiting.RequestChanged:
            # The form was sent again for this address since the page was shown: show the newest.
            pending, changed = WaitingRequest.objects.filter(pk=pending.pk).first(), True
        else:
            return redirect("booking:waiting_confirmed")
    if pending is None:
        return render(
            request,
            "booking/waiting_confirm_gone.html",
            {"genuine": genuine, "breadcrumbs": _crumbs(_("Wachtlijst")), "noindex": True},
            status=410 if genuine else 404,
        )
    context = {
        "pending": pending,
        "already": WaitingEntry.objects.waiting(timezone.now()).of_address(pending.email).exists(),
        "changed": changed,
        "breadcrumbs": _crumbs(_("Wachtlijst")),
        "noindex": True,
    }
    return render(request, "booking/waiting_confirm.html", context, status=409 if changed else 200)


@require_safe
def confirmed(request):
    """After the button: on the list. No personal data: anyone may open this address."""
    return render(
        request,
        "booking/waiting_confirmed.html",
        {"rules": BookingRules.load(), "breadcrumbs": _crumbs(_("Wachtlijst")), "noindex": True},
    )


def _held(token: str) -> Hold | None:
    key = links.read_key_token(token, links.HOLD)
    return Hold.objects.select_related("entry", "booking").filter(link_key=key).first() if key else None


def _same_form(request, booking: Booking) -> bool:
    """Whether this POST is the form that made the booking, sent again (a double click)."""
    try:
        return uuid.UUID(request.POST.get("request_token", "")) == booking.request_token
    except ValueError:
        return False


def _gone(request, hold: Hold | None, *, now, reason: str = "passed"):
    still_waiting = hold is not None and WaitingEntry.objects.waiting(now).filter(pk=hold.entry_id).exists()
    return render(
        request,
        "booking/waiting_gone.html",
        {"reason": reason if hold else "unknown", "still_waiting": still_waiting, "noindex": True},
        status=410 if hold else 404,
    )


@never_cache
@require_http_methods(["GET", "HEAD", "POST"])
def hold(request, token: str):
    now = timezone.now()
    held = _held(token)
    if held is not None and held.status == Hold.Status.BOOKED:
        # A used link hands out nothing: the link to the booking came by email. Only the
        # booking form itself, sent twice, lands where its first sending did.
        if request.method == "POST" and held.booking is not None and _same_form(request, held.booking):
            return redirect(links.confirmation_path(held.booking))
        return _gone(request, held, now=now, reason="booked")
    if held is None or not held.is_open(now):
        return _gone(request, held, now=now)
    entry = held.entry
    status = 200
    if request.method == "POST":
        form = HoldBookingForm(request.POST, kinds=held.kinds)
        status = form.status_after_checks(request)
        if status == 200:
            data = form.cleaned_data
            try:
                booking = bookings.book(
                    start=held.start,
                    kind=data["kind"],
                    name=data["name"],
                    email=data["email"],
                    phone=data["phone"],
                    note=data["note"].strip(),
                    note_consent=data["note_consent"],
                    request_token=data["request_token"],
                    now=now,
                    hold_id=held.pk,
                )
            except bookings.HoldGone:
                return _gone(request, held, now=now)
            except schedule.SlotUnavailable:
                # Her own calendar or a closure took the time after it was offered.
                return _gone(request, held, now=now, reason="closed")
            return redirect(links.confirmation_path(booking))
    else:
        form = HoldBookingForm(
            kinds=held.kinds, initial={"name": entry.name, "email": entry.email, "phone": entry.phone}
        )
    tz = schedule.practice_tz()
    context = {
        "form": form,
        "hold": held,
        "start": held.start.astimezone(tz),
        "held_until": held.expires_at.astimezone(tz),
        "kinds_label": " of ".join(
            str(Kind(kind).label) for kind in (Kind.ONLINE, Kind.IN_PERSON) if kind in held.kinds
        ),
        "rules": BookingRules.load(),
        "breadcrumbs": _crumbs(_("Vrijgekomen tijd")),
        "noindex": True,
    }
    return render(request, "booking/waiting_hold.html", context, status=status)


# Mail programs leave the list with one click by POSTing here without cookies (RFC 8058):
# the secret in the address is what counts, as for the page's own button.
@never_cache
@csrf_exempt
@require_http_methods(["GET", "HEAD", "POST"])
def leave(request, token: str):
    key = links.read_key_token(token, links.LEAVE)
    entry = WaitingEntry.objects.filter(link_key=key).first() if key else None
    left = False
    if request.method == "POST" and entry is not None:
        left = waiting.leave_waiting_list(entry_id=entry.pk)
    # A GET only asks: link checkers in mail programs open links, and must not take anyone off.
    context = {
        "entry": entry if not left else None,
        "left": left,
        "breadcrumbs": _crumbs(_("Wachtlijst")),
        "noindex": True,
    }
    return render(request, "booking/waiting_leave.html", context)
