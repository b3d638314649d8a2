"""The client's flow over HTTP: every step renders, every bad input gets a Dutch message and no booking."""

import re
import uuid
from datetime import timedelta

import pytest
from django.db import transaction
from django.utils import timezone

from booking.domain import links, vocabulary
from booking.models import Booking, ScheduleException
from booking.public import choice
from content.initial_content import load_initial_content
from practice import ratelimit
from tests.booking.helpers import book, free_slots, open_every_day
from tests.helpers import soup, text_of


@pytest.fixture(autouse=True)
def site(db):
    load_initial_content()
    open_every_day()


def valid_data(**overrides) -> dict:
    data = {
        "name": "Anna de Vries",
        "email": "anna@example.com",
        "phone": "06 12345678",
        "note": "",
        "privacy": "on",
        "website": "",
        "request_token": str(uuid.uuid4()),
    }
    data.update(overrides)
    return {key: value for key, value in data.items() if value is not None}


def first_url(kind="online"):
    slot = free_slots(kind)[0]
    return slot, choice.slot_url(slot.start, kind)


def test_every_step_renders_with_one_h1(client):
    slot, url = first_url()
    for path in ["/kennismaking/", "/kennismaking/online/", "/kennismaking/praktijk/", url]:
        response = client.get(path)
        assert response.status_code == 200, path
        assert len(soup(response).find_all("h1")) == 1, path


def test_times_are_grouped_by_day_nearest_first_for_the_chosen_kind(client):
    page = soup(client.get("/kennismaking/online/"))
    days = page.select("section.day")
    assert days
    first_day_times = [a.get_text(strip=True) for a in days[0].select("a.time")]
    assert first_day_times == sorted(first_day_times)
    slot = free_slots("online")[0]
    assert days[0].select("a.time")[0]["href"] == choice.slot_url(slot.start, "online")


def test_a_full_week_names_the_next_free_day(client):
    slots = free_slots("online")
    week_of_first = slots[0].start.date()
    monday = week_of_first - timedelta(days=week_of_first.weekday())
    ScheduleException.objects.create(
        type="closed", first_day=monday - timedelta(days=7), last_day=monday + timedelta(days=6)
    )
    text = text_of(client.get(f"/kennismaking/online/?week={monday.isoformat()}"))
    assert "Deze week is helaas vol" in text
    assert "De eerstvolgende vrije dag is" in text


def test_the_week_page_opens_on_the_first_week_with_a_free_time(client):
    today = timezone.localdate()
    this_monday = today - timedelta(days=today.weekday())
    ScheduleException.objects.create(type="closed", first_day=today, last_day=this_monday + timedelta(days=13))
    first = free_slots("online")[0]
    page = soup(client.get("/kennismaking/online/"))
    assert page.select("section.day")
    assert page.select("a.time")[0]["href"] == choice.slot_url(first.start, "online")
    assert (first.start.date() - this_monday).days >= 14
    # The way back to earlier (empty) weeks stays.
    assert page.find("a", string="Vorige week")


def test_nothing_open_at_all_says_so_gently(client):
    from booking.models import WeeklyWindow

    WeeklyWindow.objects.all().delete()
    text = text_of(client.get("/kennismaking/praktijk/"))
    assert "Er is op dit moment geen tijd vrij" in text
    assert "012 345 67 89" in text


def test_booking_redirects_to_a_confirmation_with_everything_needed(client):
    slot, url = first_url("in_person")
    url = choice.slot_url(slot.start, "in_person")
    response = client.post(url, valid_data())
    assert response.status_code == 302
    booking = Booking.objects.get()
    assert response["Location"] == links.confirmation_path(booking)
    page = client.get(response["Location"])
    text = text_of(page)
    assert "Je kennismaking is geboekt" in text
    assert slot.start.strftime("%H:%M") in text
    assert "In de praktijk" in text and "Voorbeeldstraat 12" in text
    assert "Wat gebeurt er nu?" in text and "0800-0113" in text


def test_reload_or_back_and_submit_again_never_books_twice(client):
    slot, url = first_url()
    data = valid_data()
    first = client.post(url, data)
    again = client.post(url, data)
    assert again.status_code == 302 and again["Location"] == first["Location"]
    assert Booking.objects.count() == 1
    assert client.get(first["Location"]).status_code == 200


@pytest.mark.parametrize(
    ("overrides", "field", "message"),
    [
        ({"email": "geen-email"}, "email", "Dit lijkt geen geldig e-mailadres"),
        ({"email": ""}, "email", "Vul je e-mailadres in"),
        ({"name": "   "}, "name", "Vul je naam in"),
        ({"name": "x" * 101}, "name", "Gebruik maximaal 100 tekens"),
        ({"email": "a" * 250 + "@example.com"}, "email", "te lang"),
        ({"phone": "bel me maar"}, "phone", "Gebruik alleen cijfers"),
        ({"phone": "0" * 31}, "phone", "te lang"),
        ({"note": "x" * 1001, "note_consent": "on"}, "note", "maximaal 1000 tekens"),
        ({"note": "Ik wil iets kwijt"}, "note_consent", "Vink dan dit vakje aan"),
        ({"privacy": None}, "privacy", "Vink dit aan om te kunnen boeken"),
    ],
)
def test_bad_input_gets_a_message_next_to_the_field_and_keeps_what_was_typed(client, overrides, field, message):
    slot, url = first_url()
    data = valid_data(**overrides)
    response = client.post(url, data)
    assert response.status_code == 400
    page = soup(response)
    feedback = page.find(id=f"error_1_id_{field}") or page.select_one(f"#div_id_{field} .invalid-feedback")
    assert feedback is not None and message in feedback.get_text(), page.select(".invalid-feedback")
    for kept in ("name", "email", "phone"):
        if data.get(kept) and kept != field:
            assert page.find("input", attrs={"name": kept})["value"] == data[kept]
    if data.get("note"):
        assert page.find("textarea", attrs={"name": "note"}).get_text().strip() == data["note"][:1001].strip()
    assert Booking.objects.count() == 0


def test_filled_honeypot_books_nothing(client):
    slot, url = first_url()
    response = client.post(url, valid_data(website="http://spam.example"))
    assert response.status_code == 400
    assert "Er ging iets mis met het formulier" in text_of(response)
    assert Booking.objects.count() == 0


@pytest.mark.parametrize("token", ["", "niet-een-uuid", "' OR 1=1 --"])
def test_tampered_form_token_books_nothing(client, token):
    slot, url = first_url()
    response = client.post(url, valid_data(request_token=token))
    assert response.status_code == 400
    assert Booking.objects.count() == 0


@pytest.mark.parametrize(
    "path",
    [
        "/kennismaking/telefoon/",
        "/kennismaking/online/niet-een-tijd/",
        "/kennismaking/online/20261301T0900Z/",
        "/kennismaking/online/99999999T9999Z/",
    ],
)
def test_malformed_addresses_are_not_found(client, path):
    assert client.get(path).status_code == 404
    assert client.post(path, valid_data()).status_code in (404, 405)


def test_a_slot_that_was_never_offered_is_refused_with_a_clear_message(client):
    slot = free_slots("online")[0]
    off_grid = choice.slot_url(slot.start + timedelta(minutes=7), "online")
    page = client.get(off_grid)
    assert "Dit tijdstip kun je niet (meer) kiezen" in text_of(page)
    response = client.post(off_grid, valid_data())
    assert response.status_code == 409
    assert "Dit tijdstip kun je niet (meer) kiezen" in text_of(response)
    assert Booking.objects.count() == 0


def test_a_slot_in_the_past_is_refused(client):
    slot = free_slots("online")[0]
    past = choice.slot_url(slot.start - timedelta(days=7), "online")
    response = client.post(past, valid_data())
    assert response.status_code == 409
    assert Booking.objects.count() == 0


def test_losing_the_race_shows_the_friendly_message_alternatives_and_keeps_the_input(client):
    slot, url = first_url()
    book(slot, email="sneller@example.com")
    data = valid_data(name="Bram", email="bram@example.com", note="Even iets", note_consent="on")
    response = client.post(url, data)
    assert response.status_code == 409
    page = soup(response)
    assert "Dit tijdstip is net door iemand anders geboekt" in page.get_text()
    assert "Wat je al hebt ingevuld, blijft staan" in page.get_text()
    moments = page.select("fieldset.alternatives input[type=radio][name=moment]")
    assert len(moments) == 3 and not any(m.has_attr("checked") for m in moments)
    assert not page.find(class_="field-error"), "no complaint before she has seen the choice"
    assert page.find("input", attrs={"name": "name"})["value"] == "Bram"
    assert page.find("textarea", attrs={"name": "note"}).get_text().strip() == "Even iets"
    # One form, one button: it posts to the same address.
    form = page.find("input", attrs={"name": "moment"}).find_parent("form")
    assert not form.get("action") and len(form.select("button[type=submit]")) == 1
    assert not page.select("button[formaction]")

    # Sent again without picking one: asked to pick, nothing lost.
    again = client.post(url, {**data, "offered": "1"})
    assert again.status_code == 409
    assert "Kies een van deze momenten." in soup(again).find(class_="field-error").get_text()
    assert soup(again).find("input", attrs={"name": "name"})["value"] == "Bram"

    # Picking one books exactly that moment.
    chosen = client.post(url, {**data, "offered": "1", "moment": moments[1]["value"]})
    assert chosen.status_code == 302
    booking = Booking.objects.get(email="bram@example.com")
    assert vocabulary.slot_code(booking.start) == moments[1]["value"]


def test_a_taken_times_page_opened_before_typing_leads_to_a_booking_not_an_error(client):
    slot, url = first_url()
    book(slot, email="sneller@example.com")
    page = soup(client.get(url))
    moment = page.select_one("fieldset.alternatives input[name=moment]")["value"]
    response = client.post(url, {**valid_data(email="later@example.com"), "offered": "1", "moment": moment})
    assert response.status_code == 302
    assert vocabulary.slot_code(Booking.objects.get(email="later@example.com").start) == moment

    # A mistake in the form while choosing keeps the choice and the alternatives.
    page = soup(client.get(url))
    moment = page.select("fieldset.alternatives input[name=moment]")[0]["value"]
    mistake = client.post(url, {**valid_data(email="geen-adres"), "offered": "1", "moment": moment})
    assert mistake.status_code == 400
    kept = soup(mistake)
    assert kept.select_one(f"input[name=moment][value='{moment}']").has_attr("checked")
    assert kept.select_one(".field-email .invalid-feedback, #id_email + .invalid-feedback, .invalid-feedback")


class Undo(Exception):
    pass


def what_a_visitor_sees(client, email: str) -> list:
    """Books the first online time with this address and notes everything the visitor can see:
    status codes, the pages' text and links' targets without their secret tokens, and which
    times stay offered afterwards. Then undoes it all."""
    slot, url = first_url()
    seen = []
    try:
        with transaction.atomic():
            response = client.post(url, valid_data(email=email, request_token="8f5e1b7c-0000-4000-8000-000000000001"))
            seen.append(response.status_code)
            location = re.sub(r"/bevestiging/[^/]+/", "/bevestiging/TOKEN/", response.get("Location", ""))
            seen.append(location)
            if response.status_code == 302:
                page = client.get(response["Location"])
                seen += [page.status_code, re.sub(r"/beheer/[^/]+/", "/beheer/TOKEN/", page.content.decode())]
            week = client.get("/kennismaking/online/")
            seen += [week.status_code, text_of(week), [a["href"] for a in soup(week).select("a.time")]]
            raise Undo
    except Undo:
        pass
    return seen


def test_nobody_can_tell_whether_an_address_has_an_intake(client):
    book(free_slots("online")[3], email="anna@example.com", name="Anna de Vries")
    has_one = what_a_visitor_sees(client, "ANNA@example.com")
    has_none = what_a_visitor_sees(client, "bert@example.com")
    assert has_one[0] == 302
    # Strip the CSRF token, which differs on every page.
    has_one, has_none = (
        [re.sub(r'name="csrfmiddlewaretoken" value="[^"]+"', "", str(item)) for item in seen]
        for seen in (has_one, has_none)
    )
    assert has_one == has_none
    assert Booking.objects.of_address("anna@example.com").count() == 1


def test_submissions_are_rate_limited_per_address(client):
    slot, url = first_url()
    for _ in range(ratelimit.FORM_LIMIT):
        client.post(url, valid_data(email="geen-email"), REMOTE_ADDR="192.0.2.7")
    response = client.post(url, valid_data(), REMOTE_ADDR="192.0.2.7")
    assert response.status_code == 429
    assert text_of(response).count("Wacht een kwartier") == 1, "said once, in one box"
    assert len(soup(response).select(".alert")) == 1
    assert Booking.objects.count() == 0
    other = client.post(url, valid_data(), REMOTE_ADDR="192.0.2.8")
    assert other.status_code == 302


def test_note_is_not_stored_without_consent_and_never_shown_on_the_confirmation(client):
    slot, url = first_url()
    response = client.post(url, valid_data(note="Mijn geheim", note_consent="on"))
    booking = Booking.objects.get()
    assert booking.note == "Mijn geheim"
    assert "Mijn geheim" not in client.get(response["Location"]).content.decode()


def test_booking_pages_need_a_constant_number_of_queries(client, django_assert_max_num_queries):
    for number in range(30):
        slots = free_slots("online")
        book(slots[0], email=f"c{number}@example.com")
    with django_assert_max_num_queries(10):
        assert client.get("/kennismaking/online/").status_code == 200
    slot, url = first_url()
    with django_assert_max_num_queries(10):
        assert client.get(url).status_code == 200


@pytest.mark.parametrize("path", ["/kennismaking/online/99991231T2359Z/", "/kennismaking/online/00010101T0000Z/"])
def test_slot_codes_at_the_ends_of_time_are_not_found(client, path):
    assert client.get(path).status_code == 404
    assert client.post(path, valid_data()).status_code == 404


@pytest.mark.parametrize("week", ["", "abc", "0001-01-01", "9999-12-31", "2026-02-30", "2026-W05", "1" * 500])
def test_any_week_parameter_shows_a_page(client, week):
    assert client.get("/kennismaking/online/", {"week": week}).status_code == 200
