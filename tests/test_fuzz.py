"""Thousands of malformed requests at the booking flow, search and self-service:
never a server error, never a partial booking."""

import pytest
from hypothesis import HealthCheck, assume, given, settings
from hypothesis import strategies as st

from booking.domain import links
from booking.models import Booking
from booking.public.choice import slot_url
from content.initial_content import load_initial_content
from practice.models import AttemptCounter
from tests.booking.helpers import book, free_slots, open_every_day

# About 2,500 requests in all, per database.
FUZZ = settings(max_examples=500, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture])
junk = st.one_of(st.text(max_size=400), st.binary(max_size=400).map(lambda b: b.decode("latin-1")))
form = st.dictionaries(
    st.sampled_from(
        [
            "name",
            "email",
            "phone",
            "note",
            "note_consent",
            "privacy",
            "website",
            "request_token",
            "csrfmiddlewaretoken",
            "extra",
        ]
    ),
    junk,
    max_size=9,
)


@pytest.fixture
def site(db):
    load_initial_content()
    open_every_day()
    return book(email="bestaand@example.com")


@pytest.fixture
def slot_path(site):
    return slot_url(free_slots("online")[0].start, "online")


def assert_sane(response, before: int, *, booking_allowed=False):
    assert response.status_code < 500, response.status_code
    if not (booking_allowed and response.status_code == 302):
        assert Booking.objects.count() == before


@FUZZ
@given(data=form, target=st.sampled_from(["slot", "choose", "start"]), method=st.sampled_from(["get", "post"]))
def test_booking_flow(client, site, slot_path, data, target, method):
    AttemptCounter.objects.all().delete()  # the rate limit would otherwise answer most of these
    path = {
        "slot": slot_path,
        "choose": "/kennismaking/online/",
        "start": "/kennismaking/",
    }[target]
    before = Booking.objects.count()
    response = getattr(client, method)(path, data)
    assert_sane(response, before, booking_allowed=True)
    # Whatever came in, any booking that exists is whole.
    assert not Booking.objects.filter(name="").exists()


@FUZZ
@given(query=junk, page=junk, week=junk)
def test_search_and_listing_parameters(client, site, query, page, week):
    for path, params in (
        ("/zoeken/", {"q": query}),
        ("/artikelen/", {"pagina": page}),
        ("/kennismaking/praktijk/", {"week": week}),
    ):
        assert client.get(path, params).status_code < 500


@FUZZ
@given(
    token=junk,
    mangle=st.sampled_from(["as is", "prefix", "suffix", "swap"]),
    action=st.sampled_from(["manage", "cancel", "move"]),
)
def test_self_service_links(client, site, token, mangle, action):
    real = links.make_token(site)
    token = {"as is": token, "prefix": token + real, "suffix": real + token, "swap": real[::-1]}[mangle]
    # What a URL cannot carry in a path segment (urlsplit drops tabs and line breaks,
    # and strips control characters at the ends), so that the junk really reaches the view.
    token = "".join(ch for ch in token if ch not in "\t\r\n/?#%").strip("".join(map(chr, range(33)))) or "x"
    assume(token != real)
    paths = {
        "manage": f"/kennismaking/beheer/{token}/",
        "cancel": f"/kennismaking/beheer/{token}/afzeggen/",
        "move": f"/kennismaking/beheer/{token}/verzetten/online/20301201T0900Z/",
    }
    before = Booking.objects.count()
    for method in ("get", "post"):
        response = getattr(client, method)(paths[action])
        assert response.status_code < 500
    assert Booking.objects.count() == before
    site.refresh_from_db()
    assert site.status == "confirmed"


@settings(max_examples=30, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(size=st.integers(min_value=70_000, max_value=2_000_000))
def test_oversized_bodies(client, slot_path, size):
    before = Booking.objects.count()
    response = client.post(slot_path, {"note": "x" * size})
    assert response.status_code == 400
    assert Booking.objects.count() == before


other_form = st.dictionaries(
    st.sampled_from(
        [
            "name",
            "email",
            "phone",
            "text",
            "kinds",
            "days",
            "parts",
            "kind",
            "privacy",
            "website",
            "request_token",
            "versie",
        ]
    ),
    junk,
    max_size=9,
)


@FUZZ
@given(data=other_form, target=st.sampled_from(["waiting", "question", "hold", "leave", "confirm"]), token=junk)
def test_waiting_list_and_question_forms(client, site, data, target, token):
    from booking.models import Question, WaitingEntry

    AttemptCounter.objects.all().delete()
    token = "".join(ch for ch in token if ch not in "\t\r\n/?#%").strip("".join(map(chr, range(33)))) or "x"
    path = {
        "waiting": "/kennismaking/wachtlijst/",
        "question": "/kennismaking/vraag/",
        "hold": f"/kennismaking/wachtlijst/tijd/{token}/",
        "leave": f"/kennismaking/wachtlijst/afmelden/{token}/",
        "confirm": f"/kennismaking/wachtlijst/bevestigen/{token}/",
    }[target]
    before = (Booking.objects.count(), WaitingEntry.objects.count(), Question.objects.count())
    for method in ("get", "post"):
        response = getattr(client, method)(path, data)
        assert response.status_code < 500, response.status_code
    after = (Booking.objects.count(), WaitingEntry.objects.count(), Question.objects.count())
    # Junk never books, and only a complete, consenting form adds anyone.
    assert after[0] == before[0]
    if response.status_code != 302:
        assert after == before
