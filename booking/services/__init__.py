"""Every write (bookings, the waiting list, questions), the outbox, privacy and the background
tasks. Pages and admin call these; the calendars and models sit below (docs/architecture.md)."""
