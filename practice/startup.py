"""Refuses to serve a production site that would sign links and sessions with the public development key."""

from django.conf import settings
from django.core.checks import Error, Tags, register
from django.core.exceptions import ImproperlyConfigured

MESSAGE = (
    "DJANGO_SECRET_KEY is not set to a secret value. With DJANGO_DEBUG off (production) the site will not "
    "start with the development key, the placeholder from deploy/env.example or a key shorter than 32 "
    "characters: set a long random value, e.g. from "
    "python -c 'import secrets; print(secrets.token_urlsafe(50))'."
)


# Keys that are public: ours for development, and the placeholder in deploy/env.example.
PUBLIC_KEYS = {settings.DEV_SECRET_KEY, "change-me-to-a-long-random-value"}


def uses_development_key() -> bool:
    return not settings.DEBUG and (settings.SECRET_KEY in PUBLIC_KEYS or len(settings.SECRET_KEY) < 32)


def refuse_development_key() -> None:
    if uses_development_key():
        raise ImproperlyConfigured(MESSAGE)


@register(Tags.security, deploy=True)
def check_secret_key(app_configs, **kwargs):
    return [Error(MESSAGE, id="practice.E001")] if uses_development_key() else []
