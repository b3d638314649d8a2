"""Refuses to serve a production site that would sign links and sessions with the public development
key, or store her passwords encrypted with a key everyone can read (or with none)."""

from django.conf import settings
from django.core.checks import Error, Tags, register
from django.core.exceptions import ImproperlyConfigured

from . import encryption

MESSAGE = (
    "DJANGO_SECRET_KEY is not set to a secret value. With DJANGO_DEBUG off (production) the site will not "
    "start with the development key, the placeholder from deploy/env.example or a key shorter than 32 "
    "characters: set a long random value, e.g. from "
    "python -c 'import secrets; print(secrets.token_urlsafe(50))'."
)

ENCRYPTION_MESSAGE = (
    "DJANGO_ENCRYPTION_KEYS is missing, is not a valid key, or is the development key or the placeholder "
    "from deploy/env.example. With DJANGO_DEBUG off (production) the site will not start without a key of "
    "its own: it encrypts the stored passwords. Make one with "
    f"{encryption.MAKE_A_KEY} and keep it apart from the backups. "
    "/ DJANGO_ENCRYPTION_KEYS ontbreekt, is geen geldige sleutel of is geen eigen sleutel. Zonder eigen "
    "sleutel start de website niet in productie: hij versleutelt de opgeslagen wachtwoorden. Maak er een "
    "met de opdracht hierboven en bewaar hem niet bij de back-ups."
)


# Keys that are public: ours for development, and the placeholder in deploy/env.example.
PUBLIC_KEYS = {settings.DEV_SECRET_KEY, "change-me-to-a-long-random-value"}


def uses_development_key() -> bool:
    return not settings.DEBUG and (settings.SECRET_KEY in PUBLIC_KEYS or len(settings.SECRET_KEY) < 32)


def lacks_encryption_key() -> bool:
    return encryption.key_problem(settings.ENCRYPTION_KEYS, debug=settings.DEBUG) is not None


def refuse_development_key() -> None:
    """Called by wsgi.py and asgi.py: the web server does not start on public or missing keys."""
    checks = [(uses_development_key(), MESSAGE), (lacks_encryption_key(), ENCRYPTION_MESSAGE)]
    problems = [message for bad, message in checks if bad]
    if problems:
        raise ImproperlyConfigured("\n".join(problems))


@register(Tags.security, deploy=True)
def check_secret_key(app_configs, **kwargs):
    return [Error(MESSAGE, id="practice.E001")] if uses_development_key() else []


@register(Tags.security, deploy=True)
def check_encryption_keys(app_configs, **kwargs):
    return [Error(ENCRYPTION_MESSAGE, id="practice.E002")] if lacks_encryption_key() else []
