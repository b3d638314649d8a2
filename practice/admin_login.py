"""The admin's login form, and locks that stop guessing without letting a stranger keep her out.

How failed logins are counted (also in the README, under "Privacy and security"):

- Per account and address together (like django-axes with `[username, ip_address]`):
  5 failures lock that pair for 15 minutes after the last one. A stranger who guesses
  her password locks only himself out; she still logs in from her own address.
- Per address, on any usernames: 20 failures lock the address for 15 minutes, so an
  address that tries many usernames (spraying) is stopped too.
- Per account, over a fixed hour: once an account has had 10 failures within the hour,
  it is being guessed, probably from several addresses. Each pair then gets 2 tries
  instead of 5, so many addresses together guess slowly. An address that has not
  failed is never refused: her right password always works, and the code from her
  phone still stands between a guesser and the admin. She gets an email about it, at
  most once an hour.
- An IPv6 address counts per /64: a home or a server gets a whole /64, so otherwise
  every try could come from a fresh address.

Refused tries are not counted: a locked pair gains nothing by trying on.
"""

import ipaddress
import logging
import math
from dataclasses import dataclass
from datetime import datetime

from django.conf import settings
from django.contrib.admin.forms import AdminAuthenticationForm
from django.contrib.auth import get_user_model
from django.core.exceptions import ValidationError
from django.core.mail import send_mail
from django.db import transaction
from django.utils import timezone, translation
from django.utils.translation import gettext, ngettext_lazy
from django_tasks import task

from practice import ratelimit
from practice.clients import client_address

logger = logging.getLogger(__name__)

MAX_FAILURES = 5  # per account and address...
LOCK_SECONDS = 15 * 60  # ...lock that pair for a quarter of an hour after the last one
ADDRESS_MAX_FAILURES = 20  # per address, on any usernames
ACCOUNT_WINDOW = 60 * 60  # an account's failures are counted per hour
ACCOUNT_UNDER_ATTACK = 10  # failures in that hour: fewer tries per address, and an email to her
FAILURES_UNDER_ATTACK = 2  # tries per address while the account is being guessed: one typo is fine


@dataclass(frozen=True)
class Counters:
    pair: str
    address: str
    account: str
    alert: str


def address_group(address: str) -> str:
    """The address as it is counted: IPv4 as it is, IPv6 by its /64 network."""
    try:
        parsed = ipaddress.ip_address(address)
    except ValueError:
        return address
    if isinstance(parsed, ipaddress.IPv6Address):
        if parsed.ipv4_mapped is not None:
            return str(parsed.ipv4_mapped)
        return str(ipaddress.ip_network(f"{parsed}/64", strict=False))
    return str(parsed)


def counters(*, username: str, address: str) -> Counters:
    username = username.strip().lower()
    address = address_group(address)
    return Counters(
        pair=ratelimit.key("admin-pair", f"{username}\n{address}"),
        address=ratelimit.key("admin-address", address),
        account=ratelimit.key("admin-account", username),
        alert=ratelimit.key("admin-alert", username),
    )


def tries_per_address(account_failures: int) -> int:
    return FAILURES_UNDER_ATTACK if account_failures >= ACCOUNT_UNDER_ATTACK else MAX_FAILURES


def locked_until(*, username: str, address: str, now: datetime) -> datetime | None:
    """When the lock on logging in as `username` from `address` ends; None when it may try."""
    keys = counters(username=username, address=address)
    account_failures, _expires = ratelimit.state(keys.account, now=now)
    ends = []
    for key, limit in ((keys.pair, tries_per_address(account_failures)), (keys.address, ADDRESS_MAX_FAILURES)):
        failures, expires = ratelimit.state(key, now=now)
        if failures >= limit:
            ends.append(expires)
    return max(ends, default=None)


def record_failure(*, username: str, address: str, now: datetime) -> None:
    """Counts one failed login; tells the account's owner once it is being guessed."""
    keys = counters(username=username, address=address)
    with transaction.atomic():
        ratelimit.hit(keys.pair, LOCK_SECONDS, now=now)
        ratelimit.hit(keys.address, LOCK_SECONDS, now=now)
        failures = ratelimit.hit(keys.account, ACCOUNT_WINDOW, now=now, extend=False)
        if failures < ACCOUNT_UNDER_ATTACK:
            return
        # The alert counter lives an hour from the first alert: one email an hour at most.
        if ratelimit.hit(keys.alert, ACCOUNT_WINDOW, now=now, extend=False) != 1:
            return
        owners = get_user_model().objects.filter(username__iexact=username.strip(), is_staff=True, is_active=True)
        for owner_id in owners.exclude(email="").values_list("pk", flat=True):
            # Robust: a queue that does not answer must not turn a refused login into an error page.
            transaction.on_commit(
                lambda owner_id=owner_id: send_login_alert.enqueue(user_id=owner_id, failures=failures), robust=True
            )


@task()
def send_login_alert(user_id: int, failures: int) -> None:
    """Tells a staff member that her account is being guessed. Never the password tried,
    never the guesser's address: only how often, and what to do."""
    user = get_user_model().objects.filter(pk=user_id).first()
    if user is None or not user.email:
        return
    with translation.override(settings.LANGUAGE_CODE):
        subject = gettext("Mislukte pogingen om in te loggen op uw account")
        greeting = gettext("Beste %(name)s,") % {"name": user.get_short_name() or user.get_username()}
        what = gettext(
            "In het afgelopen uur heeft iemand %(count)s keer geprobeerd in te loggen op uw account in "
            "Praktijkbeheer, met een verkeerd wachtwoord."
        ) % {"count": failures}
        body = "\n\n".join(
            [
                greeting,
                what,
                gettext("Was u dat zelf? Dan hoeft u niets te doen."),
                gettext(
                    "Was u het niet? Dan probeert iemand anders in te loggen. Uw account is nog beschermd: "
                    "na het wachtwoord vraagt Praktijkbeheer ook om de code uit de app op uw telefoon, en "
                    "die heeft een ander niet."
                ),
                gettext(
                    "Kies voor de zekerheid een nieuw wachtwoord: log in en kies rechtsboven "
                    "'Wachtwoord wijzigen'. Gebruikt u hetzelfde wachtwoord ook ergens anders? "
                    "Verander het daar dan ook. Twijfelt u? Vraag dan hulp aan wie de website voor u beheert."
                ),
                gettext("U krijgt dit bericht hooguit één keer per uur."),
                gettext("Met vriendelijke groet,\nDe website van uw praktijk"),
            ]
        )
    send_mail(subject, body, None, [user.email])
    logger.info("login alert sent to user %s (%s failures)", user_id, failures)


class ThrottledAdminLoginForm(AdminAuthenticationForm):
    error_messages = {
        **AdminAuthenticationForm.error_messages,
        "throttled": ngettext_lazy(
            "Te veel mislukte pogingen om in te loggen. Probeer het over %(minutes)s minuut opnieuw.",
            "Te veel mislukte pogingen om in te loggen. Probeer het over %(minutes)s minuten opnieuw.",
            "minutes",
        ),
    }

    def clean(self):
        # As the password check reads it (Unicode-normalised), so "ｔｈｅｒａｐｅｕｔ" counts as
        # "therapeut"; without a valid username the password is not checked at all.
        username = self.cleaned_data.get("username") or ""
        address = client_address(self.request) if self.request else ""
        now = timezone.now()
        until = locked_until(username=username, address=address, now=now)
        if until is not None:
            # Refused even with the right password, so guessing on gains nothing.
            minutes = max(1, math.ceil((until - now).total_seconds() / 60))
            raise ValidationError(self.error_messages["throttled"], code="throttled", params={"minutes": minutes})
        try:
            return super().clean()
        except ValidationError:
            record_failure(username=username, address=address, now=now)
            raise
