"""Random, malformed requests at the booking flow: never a server error, never a half-made booking."""

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from booking.models import Booking
from booking.public.choice import slot_url
from practice.models import AttemptCounter
from tests.booking.helpers import free_slots, open_every_day

text = st.text(max_size=300)
fields = st.fixed_dictionaries(
    {},
    optional={
        "name": text,
        "email": st.one_of(text, st.emails()),
        "phone": text,
        "note": st.text(max_size=1500),
        "note_consent": st.sampled_from(["on", "", "yes", "0"]),
        "privacy": st.sampled_from(["on", "", "false"]),
        "website": text,
        "request_token": st.one_of(text, st.uuids().map(str)),
    },
)
FREE_SLOT = "free slot"
paths = st.one_of(
    st.just(FREE_SLOT),
    st.sampled_from(["/kennismaking/online/", "/kennismaking/praktijk/", "/kennismaking/"]),
    st.builds(
        lambda kind, code: f"/kennismaking/{kind}/{code}/",
        st.sampled_from(["online", "praktijk", "x"]),
        st.text(alphabet="0123456789TZ", min_size=1, max_size=20),
    ),
)


@pytest.fixture
def schedule(db):
    open_every_day()


@settings(max_examples=300, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(path=paths, data=fields, method=st.sampled_from(["get", "post"]))
def test_no_server_error_and_no_partial_booking(client, schedule, path, data, method):
    AttemptCounter.objects.all().delete()  # the rate limit would otherwise answer most of these
    if path == FREE_SLOT:
        path = slot_url(free_slots("online")[0].start, "online")
    before = Booking.objects.count()
    response = getattr(client, method)(path, data)
    assert response.status_code < 500
    if response.status_code != 302:
        assert Booking.objects.count() == before
