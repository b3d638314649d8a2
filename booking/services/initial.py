"""A demo schedule for a newcomer's site: free slots of both kinds straight away.

Like all initial content it only adds what is missing and never changes what the
therapist set.
"""

from datetime import time

from django.db import transaction

from booking.models import BookingRules, WeeklyWindow

DEMO_WINDOWS = [
    # (weekday, start, end, online, in person)
    (0, time(9, 0), time(12, 0), False, True),  # Monday morning in the practice
    (1, time(19, 0), time(21, 0), True, False),  # Tuesday evening online
    (3, time(9, 0), time(12, 0), False, True),  # Thursday morning in the practice
    (3, time(19, 0), time(21, 0), True, False),  # Thursday evening online
]
DEMO_VIDEO_LINK = "https://video.praktijk.example/kennismaking-{room}"
DEMO_ADDRESS = (
    "Voorbeeldstraat 12, 1234 AB Voorbeeldstad\nDe praktijk is op de eerste verdieping; bel aan bij 'Zachte Grond'."
)


@transaction.atomic
def load_demo_schedule() -> list[str]:
    created = []
    if not WeeklyWindow.objects.exists():
        for weekday, start, end, online, in_person in DEMO_WINDOWS:
            WeeklyWindow.objects.create(
                weekday=weekday, start_time=start, end_time=end, offers_online=online, offers_in_person=in_person
            )
        created.append("rooster")
    rules = BookingRules.objects.order_by("pk").first() or BookingRules()
    if not rules.video_link_template and not rules.practice_address:
        rules.video_link_template = DEMO_VIDEO_LINK
        rules.practice_address = DEMO_ADDRESS
        rules.save()
        created.append("boekingsregels")
    return created
