"""Counting attempts per client or account in a time window, for rate limits.

Keys are hashed with the secret key: the cache holds no addresses or usernames in the clear.
"""

import hashlib

from django.conf import settings
from django.core.cache import cache


def key(scope: str, value: str) -> str:
    digest = hashlib.sha256(f"{settings.SECRET_KEY}:{scope}:{value}".encode()).hexdigest()
    return f"ratelimit:{scope}:{digest}"


def count(counter: str) -> int:
    return cache.get(counter, 0)


def hit(counter: str, window: int) -> int:
    """Adds one attempt; the window starts at the first. Returns the attempts so far."""
    if cache.add(counter, 1, window):
        return 1
    try:
        return cache.incr(counter)
    except ValueError:  # expired between add and incr
        cache.set(counter, 1, window)
        return 1
