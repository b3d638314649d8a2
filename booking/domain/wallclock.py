"""The practice's time zone: the one way every layer turns a moment into her wall-clock time.

The rule is "Amsterdam" (settings.TIME_ZONE), whatever time zone a request or a process has
activated; nothing else builds a ZoneInfo of its own or relies on localtime() for it.
"""

from __future__ import annotations

from datetime import datetime
from zoneinfo import ZoneInfo

from django.conf import settings


def practice_tz() -> ZoneInfo:
    return ZoneInfo(settings.TIME_ZONE)


def practice_time(moment: datetime) -> datetime:
    """An aware moment as the practice's wall clock shows it."""
    return moment.astimezone(practice_tz())
