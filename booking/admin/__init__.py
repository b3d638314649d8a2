"""The therapist's admin, one module per area. Importing them here is what registers them
when Django's autodiscover imports `booking.admin`; the order is the order they always had."""

from . import schedule  # isort: skip
from . import bookings  # isort: skip
from . import calendars  # isort: skip
from . import waiting  # isort: skip
from . import questions  # isort: skip

__all__ = ["bookings", "calendars", "questions", "schedule", "waiting"]
