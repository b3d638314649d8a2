"""The admin's login form, throttled by account and by address after repeated failures."""

import hashlib

from django.conf import settings
from django.contrib.admin.forms import AdminAuthenticationForm
from django.core.cache import cache
from django.core.exceptions import ValidationError
from django.utils.translation import gettext_lazy as _

from practice.clients import client_address

MAX_FAILURES = 5
LOCK_SECONDS = 15 * 60


def _key(kind: str, value: str) -> str:
    # Hashed: the cache holds no usernames or addresses in the clear.
    digest = hashlib.sha256(f"{settings.SECRET_KEY}:{kind}:{value}".encode()).hexdigest()
    return f"admin-login-failures:{digest}"


def _failures(key: str) -> int:
    return cache.get(key, 0)


def _record_failure(key: str) -> None:
    if cache.add(key, 1, LOCK_SECONDS):
        return
    try:
        cache.incr(key)
    except ValueError:
        cache.set(key, 1, LOCK_SECONDS)


class ThrottledAdminLoginForm(AdminAuthenticationForm):
    error_messages = {
        **AdminAuthenticationForm.error_messages,
        "throttled": _("Te veel mislukte pogingen om in te loggen. Wacht een kwartier en probeer het dan opnieuw."),
    }

    def clean(self):
        username = (self.data.get("username") or "").strip().lower()
        address = client_address(self.request) if self.request else ""
        keys = [_key("account", username), _key("address", address)]
        if any(_failures(key) >= MAX_FAILURES for key in keys):
            # Refused even with the right password, so guessing on gains nothing.
            raise ValidationError(self.error_messages["throttled"], code="throttled")
        try:
            return super().clean()
        except ValidationError:
            for key in keys:
                _record_failure(key)
            raise
