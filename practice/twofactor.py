"""Two-factor authentication (TOTP) for every staff account, with recovery codes.

After the password, the admin asks for a six-digit code from an authenticator app.
A staff member without one sets it up first: a QR code to scan, then one code to
confirm it; she then gets ten recovery codes, shown once, for the day her phone is
lost. The admin shows personal and health-related data, so there is no way around
this step. `manage.py recovery_codes USERNAME` makes new recovery codes.
"""

import base64
import math
from datetime import datetime
from urllib.parse import urlencode

import segno
from django import forms
from django.conf import settings
from django.contrib.auth import logout
from django.db import transaction
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils import timezone
from django.utils.http import url_has_allowed_host_and_scheme
from django.utils.translation import gettext_lazy as _
from django.utils.translation import ngettext
from django.views.decorators.cache import never_cache
from django.views.decorators.http import require_POST
from django_otp import login as otp_login
from django_otp.plugins.otp_static.models import StaticDevice, StaticToken
from django_otp.plugins.otp_totp.models import TOTPDevice

DEVICE_NAME = "Authenticator-app"
RECOVERY_DEVICE_NAME = "Herstelcodes"
RECOVERY_CODES = 10


class CodeForm(forms.Form):
    code = forms.CharField(
        label=_("Code uit de app (6 cijfers)"),
        max_length=6,
        min_length=6,
        widget=forms.TextInput(attrs={"autocomplete": "one-time-code", "inputmode": "numeric", "autofocus": True}),
        error_messages={"required": _("Vul de code in."), "min_length": _("De code heeft 6 cijfers.")},
    )


class RecoveryForm(forms.Form):
    recovery_code = forms.CharField(
        label=_("Herstelcode"),
        max_length=32,
        widget=forms.TextInput(attrs={"autocomplete": "off", "spellcheck": "false"}),
        error_messages={"required": _("Vul een van uw herstelcodes in.")},
    )


def new_recovery_codes(user) -> list[str]:
    """Replaces the user's recovery codes with new ones; every older code stops working."""
    with transaction.atomic():
        device, _created = StaticDevice.objects.get_or_create(
            user=user, name=RECOVERY_DEVICE_NAME, defaults={"confirmed": True}
        )
        device.token_set.all().delete()
        codes = [StaticToken.random_token() for _ in range(RECOVERY_CODES)]
        StaticToken.objects.bulk_create(StaticToken(device=device, token=code) for code in codes)
    return codes


QR_SCALE = 4  # pixels per module: sharp on a phone's camera, and it fits a 360 px screen


def _qr_image(url: str) -> tuple[str, int]:
    """The QR code as a data URI and its width in pixels. A complete SVG document (with
    its namespace), since a browser draws an `<img>` only from that, not from inline SVG."""
    qr = segno.make(url, error="m")
    width, _height = qr.symbol_size(scale=QR_SCALE)
    return qr.svg_data_uri(scale=QR_SCALE, dark="#1d2b27", light="#ffffff"), width


def seconds_to_wait(locked_until: datetime | None, *, now: datetime) -> int:
    """Whole seconds until a throttled device takes a code again (at least 1)."""
    if locked_until is None:
        return 1
    return max(1, math.ceil((locked_until - now).total_seconds()))


def throttled_for(device, *, now: datetime) -> int | None:
    """Seconds to wait before `device` checks a code again, None when it does now.

    django-otp refuses every code, even a right one, for 1, 2, 4, 8... seconds after a
    wrong one; without saying so she would think her right code was wrong."""
    allowed, details = device.verify_is_allowed()
    if allowed:
        return None
    return seconds_to_wait((details or {}).get("locked_until"), now=now)


def wait_message(seconds: int) -> str:
    return ngettext(
        "Even wachten: u hebt net een verkeerde code ingevuld. Probeer het over %(seconds)s seconde opnieuw.",
        "Even wachten: u hebt net een verkeerde code ingevuld. Probeer het over %(seconds)s seconden opnieuw.",
        seconds,
    ) % {"seconds": seconds}


def _spaced(secret: str) -> str:
    return " ".join(secret[i : i + 4] for i in range(0, len(secret), 4))


def safe_next(request) -> str:
    """Where to go after the second step: only a path on this site, never another address."""
    target = request.POST.get("next") or request.GET.get("next") or ""
    if target.startswith("/") and url_has_allowed_host_and_scheme(
        target, allowed_hosts={request.get_host()}, require_https=request.is_secure()
    ):
        return target
    return reverse("admin:index")


@never_cache
def verify(request):
    user = request.user
    if not user.is_authenticated or not user.is_staff:
        return redirect(reverse("admin:login"))
    if user.is_verified():
        return redirect(safe_next(request))
    device = TOTPDevice.objects.devices_for_user(user, confirmed=True).first()
    setting_up = device is None
    if setting_up:
        device = TOTPDevice.objects.filter(user=user, confirmed=False).first() or TOTPDevice.objects.create(
            user=user, name=DEVICE_NAME, confirmed=False
        )
    using_recovery = request.method == "POST" and "recovery_code" in request.POST
    form = CodeForm(request.POST if request.method == "POST" and not using_recovery else None)
    recovery_form = RecoveryForm(request.POST if using_recovery else None)
    now = timezone.now()
    if form.is_valid():
        wait = throttled_for(device, now=now)
        if wait is not None:
            form.add_error("code", wait_message(wait))
        elif device.verify_token(form.cleaned_data["code"]):
            if setting_up:
                device.confirmed = True
                device.save(update_fields=["confirmed"])
                otp_login(request, device)
                return render(
                    request,
                    "admin/recovery_codes.html",
                    {
                        "codes": new_recovery_codes(user),
                        "next": safe_next(request),
                        "site_header": "Praktijkbeheer",
                        "site_title": "Praktijkbeheer",
                        "title": _("Uw herstelcodes"),
                    },
                )
            otp_login(request, device)
            return redirect(safe_next(request))
        else:
            form.add_error(
                "code", _("Deze code klopt niet (meer). Kijk naar de nieuwste code in de app en probeer het opnieuw.")
            )
    if recovery_form.is_valid() and not setting_up:
        token = "".join(recovery_form.cleaned_data["recovery_code"].split()).lower()
        recovery_devices = list(StaticDevice.objects.devices_for_user(user, confirmed=True))
        waits = [wait for wait in (throttled_for(recovery, now=now) for recovery in recovery_devices) if wait]
        if waits:
            recovery_form.add_error("recovery_code", wait_message(max(waits)))
        else:
            for recovery in recovery_devices:
                if recovery.verify_token(token):  # a recovery code works once
                    otp_login(request, recovery)
                    return redirect(safe_next(request))
            recovery_form.add_error(
                "recovery_code", _("Deze herstelcode klopt niet, of is al gebruikt. Elke code werkt één keer.")
            )
    context = {
        "form": form,
        "recovery_form": recovery_form,
        "setting_up": setting_up,
        "next": safe_next(request),
        "site_header": "Praktijkbeheer",
        "site_title": "Praktijkbeheer",
        "title": _("Tweestapsverificatie"),
    }
    if setting_up:
        secret = base64.b32encode(device.bin_key).decode()
        qr, qr_width = _qr_image(device.config_url)
        context.update(qr=qr, qr_width=qr_width, secret=_spaced(secret))
    return render(request, "admin/twofactor.html", context)


@require_POST
def sign_out(request):
    logout(request)
    return redirect(reverse("admin:login"))


class RequireTwoFactorMiddleware:
    """Sends a staff member who has not given a second factor to the code page, for every admin page."""

    def __init__(self, get_response):
        self.get_response = get_response
        self.exempt = {settings.ADMIN_URL + "login/", settings.ADMIN_URL + "logout/"}

    def __call__(self, request):
        path = request.path
        if path.startswith(settings.ADMIN_URL) and path not in self.exempt and not path.startswith(self._own_paths()):
            user = request.user
            if user.is_authenticated and user.is_staff and not user.is_verified():
                return redirect(f"{reverse('twofactor')}?{urlencode({'next': request.get_full_path()})}")
        return self.get_response(request)

    @staticmethod
    def _own_paths() -> tuple[str, ...]:
        return (reverse("twofactor"), reverse("twofactor_sign_out"))
