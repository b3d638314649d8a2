"""Who is asking: the client's address, also behind the nginx proxy."""

from django.conf import settings


def client_address(request) -> str:
    """The address to count rate limits by.

    Behind nginx every request comes from 127.0.0.1; nginx appends the real address
    to X-Forwarded-For, so the last entry is the one nginx itself saw. Earlier
    entries are whatever the client claimed and are not trusted.
    """
    if settings.BEHIND_PROXY:
        forwarded = request.META.get("HTTP_X_FORWARDED_FOR", "")
        if forwarded:
            return forwarded.split(",")[-1].strip()
    return request.META.get("REMOTE_ADDR", "")
