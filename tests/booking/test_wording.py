"""How the booking pages name things: usual days per kind, step labels."""

from datetime import time

from django.core.management import call_command

from booking.domain.vocabulary import usual_days
from tests.helpers import soup


def test_usual_days_in_plain_dutch():
    assert usual_days([(1, time(19)), (3, time(19, 30))]) == "dinsdag- en donderdagavond"
    assert usual_days([(0, time(9)), (3, time(9)), (2, time(14))]) == "maandag- en donderdagochtend, woensdagmiddag"
    assert usual_days([(0, time(9)), (1, time(9)), (3, time(10))]) == "maandag-, dinsdag- en donderdagochtend"
    assert usual_days([(4, time(13)), (4, time(15))]) == "vrijdagmiddag"
    assert usual_days([]) == ""


def test_the_start_page_says_which_days_each_kind_is_offered_and_is_step_one(client, db):
    call_command(
        "load_initial_content", verbosity=0
    )  # with the demo schedule: online Tuesday and Thursday evening, practice Monday and Thursday morning
    page = soup(client.get("/kennismaking/"))
    choices = [item.get_text(" ", strip=True) for item in page.select(".choice")]
    assert "Meestal op dinsdag- en donderdagavond." in choices[0]
    assert "Meestal op maandag- en donderdagochtend." in choices[1]
    steps = page.select(".steps li")
    assert [s.get_text() for s in steps] == ["Online of in de praktijk", "Dag en tijd", "Je gegevens"]
    assert steps[0]["aria-current"] == "step"


def test_the_start_page_names_the_first_free_moment_of_each_kind(client, db):
    from django.utils import formats, timezone

    from booking.public.choice import OFFER_MARGIN
    from tests.booking.helpers import book, free_slots

    call_command("load_initial_content", verbosity=0)
    book(free_slots("online", timezone.now() + OFFER_MARGIN)[0], kind="online")  # the first one is gone
    page = soup(client.get("/kennismaking/"))
    for index, kind in enumerate(("online", "in_person")):
        first = timezone.localtime(free_slots(kind, timezone.now() + OFFER_MARGIN)[0].start)
        expected = f"Eerste vrije moment: {formats.date_format(first, 'l j F')} om {first:%H:%M}."
        assert expected in page.select(".choice")[index].get_text(" ", strip=True)
