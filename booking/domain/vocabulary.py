"""The site's words and codes for its few fixed things, in one place: the kinds of intake
(their codes, labels, words and slugs in addresses), the days of the week, the parts of the
day with their bounds, and a moment as it appears in an address (a slot code).

The model choices (models.Kind, WEEKDAYS, PART_CHOICES), the public forms, the admin, the
calendar files and the e-mails take their words from here. Labels are lazy translations;
nothing here needs the database.
"""

from __future__ import annotations

from datetime import UTC, datetime, time, tzinfo

from django.utils.text import format_lazy
from django.utils.translation import gettext_lazy as _

from .slots import IN_PERSON, KINDS, ONLINE

__all__ = ["IN_PERSON", "KINDS", "ONLINE"]

# --- The kinds of intake ----------------------------------------------------------------
KIND_LABELS = {ONLINE: _("online (video)"), IN_PERSON: _("in de praktijk")}
# In running text: a calendar entry's summary, "Kennismakingsgesprek (in de praktijk)".
KIND_WORDS = {ONLINE: "online", IN_PERSON: "in de praktijk"}
# In narrow admin columns and option lists.
KIND_SHORT_WORDS = {ONLINE: "online", IN_PERSON: "praktijk"}
# As they appear in addresses: /kennismaking/online/, /kennismaking/praktijk/.
KIND_SLUGS = {"online": ONLINE, "praktijk": IN_PERSON}
SLUG_OF_KIND = {kind: slug for slug, kind in KIND_SLUGS.items()}

# --- The days of the week (0 is Monday) ---------------------------------------------------
DAY_NAMES = (
    _("maandag"),
    _("dinsdag"),
    _("woensdag"),
    _("donderdag"),
    _("vrijdag"),
    _("zaterdag"),
    _("zondag"),
)
WEEKDAYS = list(enumerate(DAY_NAMES))
SHORT_DAY_NAMES = ("ma", "di", "wo", "do", "vr", "za", "zo")

# --- The parts of the day, in the practice's wall-clock time ------------------------------
MORNING, AFTERNOON, EVENING = "morning", "afternoon", "evening"
PARTS = (MORNING, AFTERNOON, EVENING)
AFTERNOON_FROM = time(12, 0)
EVENING_FROM = time(17, 0)
# The start page's "usually on ... evening" has always called a window starting before 18:00
# an afternoon one; kept as it was (no behaviour change in the clean-up of issue 19).
WORDING_EVENING_FROM = time(18, 0)
PART_WORDS = {MORNING: _("ochtend"), AFTERNOON: _("middag"), EVENING: _("avond")}
PART_CHOICES = [
    (MORNING, format_lazy(_("{part} (tot {until} uur)"), part=PART_WORDS[MORNING], until=AFTERNOON_FROM.hour)),
    (
        AFTERNOON,
        format_lazy(
            _("{part} ({since} tot {until} uur)"),
            part=PART_WORDS[AFTERNOON],
            since=AFTERNOON_FROM.hour,
            until=EVENING_FROM.hour,
        ),
    ),
    (EVENING, format_lazy(_("{part} (vanaf {since} uur)"), part=PART_WORDS[EVENING], since=EVENING_FROM.hour)),
]


def part_of_day(local: time, *, evening_from: time = EVENING_FROM) -> str:
    """MORNING, AFTERNOON or EVENING for a wall-clock time in the practice."""
    if local < AFTERNOON_FROM:
        return MORNING
    return AFTERNOON if local < evening_from else EVENING


def part_of_day_at(moment: datetime, tz: tzinfo) -> str:
    return part_of_day(moment.astimezone(tz).time())


# --- Moments in addresses -----------------------------------------------------------------
SLOT_FORMAT = "%Y%m%dT%H%MZ"


def slot_code(moment: datetime) -> str:
    return moment.astimezone(UTC).strftime(SLOT_FORMAT)


def parse_slot_code(code: str) -> datetime | None:
    try:
        moment = datetime.strptime(code, SLOT_FORMAT).replace(tzinfo=UTC)
    except ValueError:
        return None
    # Far-off years are never bookable, and near year 1 or 9999 time zone arithmetic overflows.
    return moment if 2000 <= moment.year <= 2999 else None


def usual_days(windows: list[tuple[int, time]]) -> str:
    """When a kind of intake is usually offered, in plain Dutch, from the weekly moments:
    [(1, 19:00), (3, 19:00)] → "dinsdag- en donderdagavond"."""
    days_by_part: dict[str, list[int]] = {}
    for weekday, start in sorted(windows):
        days = days_by_part.setdefault(part_of_day(start, evening_from=WORDING_EVENING_FROM), [])
        if weekday not in days:
            days.append(weekday)
    phrases = []
    for part, days in days_by_part.items():
        names = [str(DAY_NAMES[day]) for day in days]
        word = str(PART_WORDS[part])
        if len(names) == 1:
            phrases.append(names[0] + word)
        else:
            phrases.append("-, ".join(names[:-1]) + "- en " + names[-1] + word)
    return ", ".join(phrases)
