"""The admin's login form, throttled by account and by address after repeated failures."""

from django.contrib.admin.forms import AdminAuthenticationForm
from django.core.exceptions import ValidationError
from django.utils.translation import gettext_lazy as _

from practice import ratelimit
from practice.clients import client_address

MAX_FAILURES = 5
LOCK_SECONDS = 15 * 60


class ThrottledAdminLoginForm(AdminAuthenticationForm):
    error_messages = {
        **AdminAuthenticationForm.error_messages,
        "throttled": _("Te veel mislukte pogingen om in te loggen. Wacht een kwartier en probeer het dan opnieuw."),
    }

    def clean(self):
        username = (self.data.get("username") or "").strip().lower()
        address = client_address(self.request) if self.request else ""
        keys = [ratelimit.key("admin-account", username), ratelimit.key("admin-address", address)]
        if any(ratelimit.count(key) >= MAX_FAILURES for key in keys):
            # Refused even with the right password, so guessing on gains nothing.
            raise ValidationError(self.error_messages["throttled"], code="throttled")
        try:
            return super().clean()
        except ValidationError:
            for key in keys:
                ratelimit.hit(key, LOCK_SECONDS)
            raise
