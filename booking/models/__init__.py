"""The booking app's tables, one module per area (schedule, bookings, waiting list and
questions, outbox, her calendars).

Everything is re-exported here: Django finds the models through this package, the rest of
the code imports `booking.models`, and migrations name callables as `booking.models.<name>`.
"""

from .bookings import (
    Agenda,
    AgendaFeed,
    Booking,
    BookingQuerySet,
    OfAddressQuerySet,
    new_feed_token,
    new_link_key,
    new_video_room,
)
from .calendars import (
    BusyPeriod,
    BusyPeriodQuerySet,
    CalendarSource,
    CalendarSourceQuerySet,
)
from .outbox import (
    OUTGOING_ABOUT,
    OutgoingEmail,
)
from .schedule import (
    JITSI_SECRET_MIN_LENGTH,
    ROOM_PLACEHOLDER,
    WEEKDAYS,
    BookingRules,
    Kind,
    OffersMixin,
    ScheduleException,
    WeeklyWindow,
    validate_jitsi_server,
    validate_room_template,
)
from .waiting import (
    PART_CHOICES,
    Hold,
    HoldQuerySet,
    Question,
    QuestionQuerySet,
    WaitingEntry,
    WaitingEntryQuerySet,
    WaitingRequest,
    WaitlistState,
    WishesMixin,
)

__all__ = [
    "Agenda",
    "AgendaFeed",
    "Booking",
    "BookingQuerySet",
    "BookingRules",
    "BusyPeriod",
    "BusyPeriodQuerySet",
    "CalendarSource",
    "CalendarSourceQuerySet",
    "Hold",
    "HoldQuerySet",
    "JITSI_SECRET_MIN_LENGTH",
    "Kind",
    "OUTGOING_ABOUT",
    "OfAddressQuerySet",
    "OffersMixin",
    "OutgoingEmail",
    "PART_CHOICES",
    "Question",
    "QuestionQuerySet",
    "ROOM_PLACEHOLDER",
    "ScheduleException",
    "WEEKDAYS",
    "WaitingEntry",
    "WaitingEntryQuerySet",
    "WaitingRequest",
    "WaitlistState",
    "WeeklyWindow",
    "WishesMixin",
    "new_feed_token",
    "new_link_key",
    "new_video_room",
    "validate_jitsi_server",
    "validate_room_template",
]
