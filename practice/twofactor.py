"""Two-factor authentication (TOTP) for every staff account.

After the password, the admin asks for a six-digit code from an authenticator app.
A staff member without one sets it up first: a QR code to scan, then one code to
confirm it. The admin shows personal and health-related data, so there is no way
around this step.
"""

import base64

import segno
from django import forms
from django.conf import settings
from django.contrib.auth import logout
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils.translation import gettext_lazy as _
from django.views.decorators.cache import never_cache
from django_otp import login as otp_login
from django_otp.plugins.otp_totp.models import TOTPDevice

DEVICE_NAME = "Authenticator-app"


class CodeForm(forms.Form):
    code = forms.CharField(
        label=_("Code uit de app (6 cijfers)"),
        max_length=6,
        min_length=6,
        widget=forms.TextInput(attrs={"autocomplete": "one-time-code", "inputmode": "numeric", "autofocus": True}),
        error_messages={"required": _("Vul de code in."), "min_length": _("De code heeft 6 cijfers.")},
    )


def _qr_data_uri(url: str) -> str:
    svg = segno.make(url, error="m").svg_inline(scale=5, dark="#1d2b27", light="#ffffff")
    return "data:image/svg+xml;base64," + base64.b64encode(svg.encode()).decode()


def _spaced(secret: str) -> str:
    return " ".join(secret[i : i + 4] for i in range(0, len(secret), 4))


@never_cache
def verify(request):
    user = request.user
    if not user.is_authenticated or not user.is_staff:
        return redirect(reverse("admin:login"))
    if user.is_verified():
        return redirect(request.GET.get("next") or reverse("admin:index"))
    device = TOTPDevice.objects.devices_for_user(user, confirmed=True).first()
    setting_up = device is None
    if setting_up:
        device = TOTPDevice.objects.filter(user=user, confirmed=False).first() or TOTPDevice.objects.create(
            user=user, name=DEVICE_NAME, confirmed=False
        )
    form = CodeForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        if device.verify_token(form.cleaned_data["code"]):
            if setting_up:
                device.confirmed = True
                device.save(update_fields=["confirmed"])
            otp_login(request, device)
            return redirect(request.GET.get("next") or reverse("admin:index"))
        form.add_error(
            "code", _("Deze code klopt niet (meer). Kijk naar de nieuwste code in de app en probeer het opnieuw.")
        )
    context = {
        "form": form,
        "setting_up": setting_up,
        "site_header": "Praktijkbeheer",
        "title": _("Tweestapsverificatie"),
    }
    if setting_up:
        secret = base64.b32encode(device.bin_key).decode()
        context.update(qr=_qr_data_uri(device.config_url), secret=_spaced(secret))
    return render(request, "admin/twofactor.html", context)


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
                return redirect(f"{reverse('twofactor')}?next={request.get_full_path()}")
        return self.get_response(request)

    @staticmethod
    def _own_paths() -> tuple[str, ...]:
        return (reverse("twofactor"), reverse("twofactor_sign_out"))
