"""Joining the waiting list, or changing one's wishes on it, takes effect only once the person
behind the address confirms through the emailed link (double opt-in): a stranger who types
someone else's address changes nothing and learns nothing. Pages that show personal data are
never cached, and a used hold link hands out nothing."""

import io
import logging
import re
import uuid
from datetime import timedelta

import pytest
from django.contrib.auth import get_user_model
from django.core import mail
from django.core.management import call_command
from django.test import Client
from django.urls import reverse
from django.utils import timezone

from booking.domain import links, vocabulary
from booking.models import Hold, OutgoingEmail, WaitingEntry, WaitingRequest
from booking.services import bookings, outbox, privacy, waiting
from content.initial_content import load_initial_content
from practice.logging import mask
from tests.booking.helpers import book, free_slots, join_waiting_list, open_every_day, race
from tests.helpers import login_admin, soup, text_of

JOIN = "/kennismaking/wachtlijst/"
SITE_URL = "http://127.0.0.1:8000"


@pytest.fixture
def site(db):
    load_initial_content()
    open_every_day()


@pytest.fixture
def send(django_capture_on_commit_callbacks):
    """Runs what a request or service queued for after its commit: the emails go out."""

    def run(action):
        with django_capture_on_commit_callbacks(execute=True):
            return action()

    return run


def form(**overrides) -> dict:
    data = {
        "kinds": ["online"],
        "days": ["0", "1"],
        "parts": ["morning"],
        "name": "Anna Jansen",
        "email": "anna@example.com",
        "phone": "0611111111",
        "privacy": "on",
        "website": "",
        "request_token": str(uuid.uuid4()),
    }
    data.update(overrides)
    return data


def confirmations_to(address: str) -> list:
    return [m for m in mail.outbox if m.to == [address] and m.subject.startswith("Bevestig")]


def confirm_path(address: str) -> str:
    """The confirmation link in the newest email to this address, as a path."""
    message = confirmations_to(address)[-1]
    return re.search(r"/kennismaking/wachtlijst/bevestigen/[^/\s]+/", message.body).group(0)


def confirm(client, path: str):
    """Opens the link and presses the button, as the person behind the address does."""
    version = soup(client.get(path)).select_one("input[name=versie]")["value"]
    return client.post(path, {"versie": version})


def as_stored(entry: WaitingEntry) -> dict:
    return WaitingEntry.objects.filter(pk=entry.pk).values().get()


def as_seen(response) -> tuple:
    """Everything a visitor's browser gets, but the CSRF token (random for every page)."""
    content = re.sub(rb'name="csrfmiddlewaretoken" value="[^"]*"', b"", response.content)
    return response.status_code, sorted(response.items()), sorted(response.cookies), content


def waiting_order() -> list[str]:
    return list(WaitingEntry.objects.waiting(timezone.now()).values_list("email", flat=True))


# B2: a stranger cannot rewrite someone's entry ------------------------------------------


def test_a_stranger_typing_someones_address_changes_nothing_until_she_confirms(site, client, send, clock):
    join_waiting_list(email="eerste@example.com", name="Eerste")
    anna = join_waiting_list(
        email="anna@example.com", name="Anna Jansen", phone="0611111111", kinds=frozenset({"online"}), days=[0, 1]
    )
    join_waiting_list(email="later@example.com", name="Later")
    stored = as_stored(anna)
    mail.outbox.clear()

    stranger = {"name": "Iemand Anders", "phone": "0699999999", "kinds": ["in_person"], "days": ["6"]}
    seen = {}
    for address in ("anna@example.com", "onbekend@example.com"):
        visitor = Client()
        response = send(lambda visitor=visitor, address=address: visitor.post(JOIN, form(email=address, **stranger)))
        seen[address] = (as_seen(response), as_seen(visitor.get(response["Location"])))
    assert as_stored(anna) == stored, "nothing stored about her changed"
    assert waiting_order() == ["eerste@example.com", "anna@example.com", "later@example.com"], "nobody joined"
    assert seen["anna@example.com"] == seen["onbekend@example.com"], "the visitor cannot tell who is waiting"
    assert seen["anna@example.com"][0][0] == 302
    assert "Kijk in je mail" in seen["anna@example.com"][1][3].decode()
    # Only the typed addresses' own mailboxes hear of it, and no word the stranger typed travels.
    assert sorted(m.to[0] for m in mail.outbox) == ["anna@example.com", "onbekend@example.com"]
    [to_anna] = confirmations_to("anna@example.com")
    assert to_anna.subject == "Bevestig je nieuwe wensen voor de wachtlijst"
    assert confirmations_to("onbekend@example.com")[0].subject == "Bevestig je aanmelding voor de wachtlijst"
    for message in mail.outbox:
        for typed in ("Iemand Anders", "0699999999"):
            assert typed not in message.body and typed not in message.alternatives[0][0]

    # Her link shows what would be stored; opening it (as a mail scanner does) changes nothing.
    link = confirm_path("anna@example.com")
    page = client.get(link)
    assert page.status_code == 200
    assert "Bevestig je nieuwe wensen" in text_of(page) and "Iemand Anders" in text_of(page)
    assert "0699999999" in text_of(page) and "Zondag" in text_of(page)
    assert as_stored(anna) == stored
    # Anna (the link) confirms: the new wishes apply and she keeps her place.
    clock.move_to(timezone.now() + timedelta(hours=3))
    done = send(lambda: confirm(client, link))
    assert done.status_code == 302 and done["Location"] == reverse("booking:waiting_confirmed")
    anna.refresh_from_db()
    assert (anna.name, anna.phone, anna.kinds, anna.days) == ("Iemand Anders", "0699999999", {"in_person"}, [6])
    assert (anna.created_at, anna.link_key) == (stored["created_at"], stored["link_key"])
    assert waiting_order() == ["eerste@example.com", "anna@example.com", "later@example.com"]
    assert not WaitingRequest.objects.filter(email="anna@example.com").exists(), "used up"
    assert "Je staat op de wachtlijst" in text_of(client.get(done["Location"]))


def test_a_new_address_joins_at_the_back_at_the_moment_it_confirms(site, client, send, clock):
    join_waiting_list(email="eerste@example.com")
    send(lambda: client.post(JOIN, form(email="nieuw@example.com")))
    link = confirm_path("nieuw@example.com")
    assert not WaitingEntry.objects.filter(email="nieuw@example.com").exists()
    clock.move_to(timezone.now() + timedelta(hours=5))
    join_waiting_list(email="tweede@example.com")  # confirmed before her
    clock.move_to(timezone.now() + timedelta(hours=1))
    confirmed_at = timezone.now()
    page = client.get(link)
    assert "Bevestig je aanmelding voor de wachtlijst" in text_of(page) and "Anna Jansen" in text_of(page)
    assert send(lambda: confirm(client, link)).status_code == 302
    entry = WaitingEntry.objects.get(email="nieuw@example.com")
    assert confirmed_at <= entry.created_at <= timezone.now()
    assert entry.expires_at - entry.created_at == timedelta(days=60)
    assert (entry.name, entry.phone, entry.kinds, entry.days, entry.parts) == (
        "Anna Jansen",
        "0611111111",
        {"online"},
        [0, 1],
        ["morning"],
    )
    assert waiting_order() == ["eerste@example.com", "tweede@example.com", "nieuw@example.com"]
    # Now she is on the list: the usual email, with the way off it.
    joined = [m for m in mail.outbox if m.to == ["nieuw@example.com"] and m.subject == "Je staat op de wachtlijst"]
    assert len(joined) == 1 and "/wachtlijst/afmelden/" in joined[0].body


def test_an_altered_expired_or_used_link_gets_a_calm_page_and_changes_nothing(site, client, send, clock):
    send(lambda: client.post(JOIN, form(email="nieuw@example.com")))
    link = confirm_path("nieuw@example.com")

    altered = link[:-6] + "xxxxx/"
    for response in (client.get(altered), client.post(altered, {"versie": "0"})):
        assert response.status_code == 404 and "Deze link werkt niet" in text_of(response)

    clock.move_to(timezone.now() + waiting.CONFIRM_WITHIN + timedelta(minutes=1))
    for response in (client.get(link), client.post(link, {"versie": "0"})):
        assert response.status_code == 410 and "Deze link werkt niet meer" in text_of(response)
    assert not WaitingEntry.objects.exists()

    # A fresh form gets a link of its own; the expired one stays dead.
    send(lambda: client.post(JOIN, form(email="nieuw@example.com", name="Opnieuw")))
    fresh = confirm_path("nieuw@example.com")
    assert client.get(link).status_code == 410
    assert send(lambda: confirm(client, fresh)).status_code == 302
    assert WaitingEntry.objects.get().name == "Opnieuw"
    used = client.post(fresh, {"versie": "1"})
    assert used.status_code == 410 and "Deze link werkt niet meer" in text_of(used)
    assert WaitingEntry.objects.count() == 1


def test_the_form_sent_again_and_again_sends_one_email_and_the_link_shows_the_newest(site, client, send, clock):
    for attempt, address in enumerate(["anna@example.com", "Anna@Example.com", "ANNA@example.com", "anna@example.com"]):
        response = send(
            lambda attempt=attempt, address=address: client.post(
                JOIN, form(email=address, name=f"Poging {attempt}"), REMOTE_ADDR=f"192.0.2.{attempt + 1}"
            )
        )
        assert response.status_code == 302
    assert WaitingRequest.objects.count() == 1
    assert len(mail.outbox) == 1, "one email to confirm, however often the form is sent"
    link = confirm_path("anna@example.com")
    assert "Poging 3" in text_of(client.get(link))
    # An hour later the address may get one more; both links show the same, newest data.
    clock.move_to(timezone.now() + waiting.CONFIRM_EMAIL_EVERY + timedelta(minutes=1))
    send(lambda: client.post(JOIN, form(name="Poging 4")))
    assert len(mail.outbox) == 2
    assert "Poging 4" in text_of(client.get(link)) and "Poging 4" in text_of(
        client.get(confirm_path("anna@example.com"))
    )
    assert not WaitingEntry.objects.exists()


def test_a_change_after_the_page_was_shown_is_shown_before_anything_is_stored(site, client, send):
    send(lambda: client.post(JOIN, form(email="nieuw@example.com", name="Eerste versie")))
    link = confirm_path("nieuw@example.com")
    shown = soup(client.get(link)).select_one("input[name=versie]")["value"]
    send(lambda: client.post(JOIN, form(email="nieuw@example.com", name="Tweede versie")))

    for version in (shown, "geen getal", ""):
        response = client.post(link, {"versie": version})
        assert response.status_code == 409
        assert "Tweede versie" in text_of(response) and "net veranderd" in text_of(response)
    assert not WaitingEntry.objects.exists()
    newest = soup(response).select_one("input[name=versie]")["value"]
    assert send(lambda: client.post(link, {"versie": newest})).status_code == 302
    assert WaitingEntry.objects.get().name == "Tweede versie"


def test_a_confirmation_email_the_mail_server_took_too_late_is_not_sent(site, clock):
    waiting.request_waiting_list(
        name="Anna",
        email="anna@example.com",
        phone="",
        kinds=frozenset({"online"}),
        days=[0],
        parts=["evening"],
        now=timezone.now(),
    )
    # The mail server was down until the link would have stopped working: nothing is owed.
    outgoing = OutgoingEmail.objects.get(kind=OutgoingEmail.Kind.WAITLIST_CONFIRM)
    clock.move_to(timezone.now() + waiting.CONFIRM_WITHIN + timedelta(seconds=1))
    assert outbox.deliver(outgoing.pk)
    assert mail.outbox == []
    # Used up or erased before it went out: the outbox row went with it, and the retry finds nothing.
    waiting.request_waiting_list(
        name="Anna",
        email="anna@example.com",
        phone="",
        kinds=frozenset({"online"}),
        days=[0],
        parts=["evening"],
        now=timezone.now(),
    )
    pending = WaitingRequest.objects.get()
    outgoing = pending.emails.get(sent_at__isnull=True)
    privacy.erase("anna@example.com")
    assert not outbox.deliver(outgoing.pk)
    outbox.send_email.call(outgoing.pk)
    assert mail.outbox == []


@pytest.fixture
def on_any_database(transactional_db):
    load_initial_content()
    open_every_day()


def test_simultaneous_forms_for_one_address_make_one_request_and_one_email(on_any_database):
    def sending(attempt: int):
        return lambda: waiting.request_waiting_list(
            name=f"Poging {attempt}",
            email="Anna@Example.com" if attempt % 2 else "anna@example.com",
            phone="",
            kinds=frozenset({"online"}),
            days=[0],
            parts=["morning"],
            now=timezone.now(),
        )

    results = race([sending(attempt) for attempt in range(8)])
    assert results == [None] * 8, results
    pending = WaitingRequest.objects.get()
    assert pending.version == 7
    assert OutgoingEmail.objects.filter(kind=OutgoingEmail.Kind.WAITLIST_CONFIRM).count() == 1


def test_a_double_click_on_confirm_joins_once(on_any_database):
    waiting.request_waiting_list(
        name="Anna",
        email="anna@example.com",
        phone="",
        kinds=frozenset({"online"}),
        days=[0],
        parts=["evening"],
        now=timezone.now(),
    )
    pending = WaitingRequest.objects.get()
    now = timezone.now()
    results = race([lambda: waiting.confirm_waiting_list(request_id=pending.pk, version=0, now=now) for _ in range(2)])
    assert sorted(type(r).__name__ for r in results) == ["RequestGone", "WaitingEntry"], results
    assert WaitingEntry.objects.count() == 1 and not WaitingRequest.objects.exists()


@pytest.fixture
def admin_client(client, site):
    login_admin(client, get_user_model().objects.create_superuser("t", "t@example.com", "een-lang-wachtwoord"))
    return client


def test_pending_requests_are_exported_erased_purged_not_listed_and_not_logged(admin_client, send, clock, caplog):
    caplog.set_level(logging.DEBUG)
    visitor = Client()
    send(lambda: visitor.post(JOIN, form(email="anna@example.com", name="Anna Geheim", phone="0612121212")))
    link = confirm_path("anna@example.com")

    exported = privacy.export("ANNA@example.com")
    [pending] = exported["waiting_list_unconfirmed"]
    assert (pending["name"], pending["phone"], pending["days"]) == ("Anna Geheim", "0612121212", "maandag, dinsdag")
    assert [e["kind"] for e in pending["emails_sent"]] == ["aanmelding wachtlijst bevestigen"]
    person = reverse("admin:booking_person")
    found = text_of(admin_client.get(person, {"email": "anna@example.com"}))
    assert "Wachtlijst, nog niet bevestigd" in found and "Anna Geheim" in found
    assert "Anna Geheim" in text_of(admin_client.get(person, {"email": "anna@example.com", "overzicht": "1"}))
    # Not on the waiting list the therapist works from.
    assert "Anna Geheim" not in text_of(admin_client.get(reverse("admin:booking_waitingentry_changelist")))

    admin_client.post(person, {"email": "anna@example.com", "erase": "ja"})
    assert not WaitingRequest.objects.exists() and not OutgoingEmail.objects.exists()
    assert visitor.get(link).status_code == 410

    # Purge: what nobody confirmed in time goes; what can still be confirmed stays.
    send(lambda: visitor.post(JOIN, form(email="oud@example.com", name="Oud")))
    clock.move_to(timezone.now() + waiting.CONFIRM_WITHIN - timedelta(minutes=1))
    send(lambda: visitor.post(JOIN, form(email="vers@example.com", name="Vers")))
    clock.move_to(timezone.now() + timedelta(minutes=2))
    call_command("purge_personal_data", stdout=io.StringIO())
    assert list(WaitingRequest.objects.values_list("email", flat=True)) == ["vers@example.com"]

    ours = "\n".join(r.getMessage() for r in caplog.records if r.name.startswith(("booking", "practice")))
    token = link.rstrip("/").rsplit("/", 1)[1]
    for secret in ("Anna Geheim", "anna@example.com", "0612121212", token):
        assert secret not in ours, secret
    assert token not in mask(f"GET {link} 410")


# B4: every page with personal data is no-store -------------------------------------------


def offered_hold(email="wacht@example.com") -> Hold:
    booking = book(free_slots()[-1], email="weg@example.com")
    join_waiting_list(email=email, name="Wachtende")
    waiting.offer_waiting_times(now=timezone.now())
    bookings.cancel(booking_id=booking.pk, by_practice=False, now=timezone.now())
    waiting.offer_waiting_times(now=timezone.now())
    return Hold.objects.get(entry__email=email, status=Hold.Status.OPEN)


def path_of(url: str) -> str:
    return url.removeprefix(SITE_URL)


def hold_form(**overrides) -> dict:
    data = {
        "kind": "online",
        "name": "Wachtende",
        "email": "wacht@example.com",
        "phone": "",
        "note": "",
        "privacy": "on",
        "website": "",
        "request_token": str(uuid.uuid4()),
    }
    data.update(overrides)
    return data


def _booking_page(name: str):
    def path(client, send) -> str:
        booking = book(email="anna@example.com")
        token = links.make_token(booking)
        if name == "reschedule_confirm":
            slot = next(s for s in free_slots("online") if s.start != booking.start)
            kwargs = {"token": token, "kind_slug": "online", "slot": vocabulary.slot_code(slot.start)}
        elif name == "reschedule_choose":
            kwargs = {"token": token, "kind_slug": "online"}
        else:
            kwargs = {"token": token}
        return reverse(f"booking:{name}", kwargs=kwargs)

    return path


def _confirm_page(client, send) -> str:
    send(lambda: client.post(JOIN, form(email="nieuw@example.com")))
    return confirm_path("nieuw@example.com")


def _used_hold_page(client, send) -> str:
    hold = offered_hold()
    client.post(path_of(links.hold_url(hold)), hold_form())
    return path_of(links.hold_url(hold))


PERSONAL_PAGES = {
    "confirmation": (_booking_page("confirmation"), 200),
    "manage": (_booking_page("manage"), 200),
    "ics": (_booking_page("ics"), 200),
    "cancel": (_booking_page("cancel"), 200),
    "reschedule_choose": (_booking_page("reschedule_choose"), 200),
    "reschedule_confirm": (_booking_page("reschedule_confirm"), 200),
    "waiting_hold": (lambda client, send: path_of(links.hold_url(offered_hold())), 200),
    "waiting_hold_used": (_used_hold_page, 410),
    "waiting_leave": (lambda client, send: path_of(links.leave_url(join_waiting_list())), 200),
    "waiting_confirm": (_confirm_page, 200),
}


@pytest.mark.parametrize("page", PERSONAL_PAGES)
def test_every_page_with_personal_data_is_never_stored_in_a_cache(site, client, send, page):
    make_path, status = PERSONAL_PAGES[page]
    response = client.get(make_path(client, send))
    assert response.status_code == status
    assert "no-store" in response["Cache-Control"] and "private" in response["Cache-Control"]


# B5: a used hold link hands out nothing ---------------------------------------------------


def test_a_used_hold_link_shows_a_calm_page_and_hands_out_no_link(site, client):
    hold = offered_hold()
    path = path_of(links.hold_url(hold))
    sent = hold_form()
    booked = client.post(path, sent)
    assert booked.status_code == 302 and "/kennismaking/bevestiging/" in booked["Location"]
    # The same booking form sent twice (a double click) lands where the first did.
    assert client.post(path, sent)["Location"] == booked["Location"]

    for moment in ("booked", "cancelled"):
        if moment == "cancelled":
            bookings.cancel(booking_id=Hold.objects.get(pk=hold.pk).booking_id, by_practice=False, now=timezone.now())
        for response in (client.get(path), client.post(path, hold_form()), Client().get(path)):
            assert response.status_code == 410, moment
            assert not response.has_header("Location"), moment
            text = text_of(response)
            assert "Je hebt deze tijd al geboekt" in text
            assert "In de bevestiging die je per e-mail kreeg staat een link" in text
            html = response.content.decode()
            assert "/kennismaking/bevestiging/" not in html and "/kennismaking/beheer/" not in html, moment
