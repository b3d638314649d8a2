"""A staff account sees only what its permissions allow, on every admin page it can reach."""

import re
import uuid
from collections import deque
from datetime import timedelta
from urllib.parse import parse_qsl, unquote, urlencode, urljoin, urlsplit

import pytest
from django.contrib.auth import get_user_model
from django.contrib.auth.models import Permission
from django.urls import reverse
from django.utils import timezone

from booking.models import Booking, BusyPeriod, CalendarSource, OutgoingEmail
from booking.services import questions as questions_service
from booking.services import waiting as waiting_service
from content.initial_content import load_initial_content
from tests.booking.helpers import book, free_slots, join_waiting_list, make_booking_directly, open_every_day
from tests.helpers import login_admin, soup, text_of

# Distinctive enough that no page could contain them by chance.
BOOKERS = [
    ("Wilhelmina Vandaagsma", "wilhelmina.vandaagsma@example.com", "0611122201"),
    ("Gijsbert Weekhuizen", "gijsbert.weekhuizen@example.com", "0611122202"),
    ("Truus Botsendaal", "truus.botsendaal@example.com", "0611122203"),
]
WAITER = ("Hendrika Wachtveld", "hendrika.wachtveld@example.com", "0611122204")
ASKER = ("Cornelis Vraagstra", "cornelis.vraagstra@example.com", "0611122205")
QUESTION = "Kan ik ook komen als mijn dochter niet mee wil?"
NOTE = "Ik lig al maanden wakker van mijn vader"
CAP = 400


@pytest.fixture
def clients_everywhere(db):
    """Intakes today and this week (one clashing with her calendar), unsent emails, a question,
    a waiting person holding an offered time, and a calendar that fails."""
    load_initial_content()
    open_every_day()
    now = timezone.now()
    today = make_booking_directly(now.replace(hour=15, minute=0, second=0, microsecond=0), email=BOOKERS[0][1])
    Booking.objects.filter(pk=today.pk).update(name=BOOKERS[0][0], phone=BOOKERS[0][2])
    slots = free_slots("online")
    week = book(slots[0], name=BOOKERS[1][0], email=BOOKERS[1][1], phone=BOOKERS[1][2], note=NOTE, note_consent=True)
    in_a_few_days = next(slot for slot in slots if slot.start > now + timedelta(days=3))
    clash = book(in_a_few_days, name=BOOKERS[2][0], email=BOOKERS[2][1], phone=BOOKERS[2][2])
    calendar = CalendarSource.objects.create(name="Privé-agenda", url="https://agenda.example/p.ics")
    BusyPeriod.objects.create(source=calendar, start=clash.start, end=clash.end)
    CalendarSource.objects.create(name="Kapotte agenda", url="https://agenda.example/k.ics", last_error="Niet gevonden")
    waiting = join_waiting_list(name=WAITER[0], email=WAITER[1], phone=WAITER[2])
    waiting_service.offer_time(entry_id=waiting.pk, start=waiting_service.offerable_times(entry=waiting, now=now)[0].start, now=now)
    question = questions_service.ask(
        name=ASKER[0], email=ASKER[1], phone=ASKER[2], text=QUESTION, request_token=uuid.uuid4(), now=now
    )
    # The mail server refused everything so far.
    OutgoingEmail.objects.update(sent_at=None, attempts=2)
    return {"bookings": [today, week, clash], "waiting": waiting, "question": question}


def traces(*people) -> list[str]:
    return [value for person in people for value in person]


def crawl(client, extra=()) -> dict[str, str]:
    """Every admin page reachable by following links from the start page, breadth-first (GET
    only, never logging out), plus the given addresses: {address: body}."""
    admin = reverse("admin:index")
    logout = reverse("admin:logout")
    queue = deque([admin, *extra])
    seen = set(queue)
    bodies = {}
    while queue and len(bodies) < CAP:
        url = queue.popleft()
        response = client.get(url)
        assert response.status_code < 500, url
        body = response.content.decode(errors="replace")
        bodies[url] = body
        if response.status_code in (301, 302):
            targets = [response["Location"]]
        elif response.get("Content-Type", "").startswith("text/html"):
            targets = [a["href"] for a in soup(response).find_all("a", href=True)]
        else:
            targets = []
        for href in targets:
            address = urljoin(url, href).split("#")[0]
            parts = urlsplit(address)
            if parts.netloc not in ("", "testserver") or not parts.path.startswith(admin):
                continue
            # The same list in another order, or a form that remembers the list's filters, shows
            # nothing new; each filter on its own does, their combinations only what those show.
            query = [(k, v) for k, v in parse_qsl(parts.query) if k not in ("o", "_changelist_filters")]
            address = parts.path + (f"?{urlencode(query)}" if query else "")
            if parts.path.startswith(logout) or len(query) > 1 or address in seen:
                continue
            seen.add(address)
            queue.append(address)
    return bodies


def staff(username: str, permissions) -> object:
    user = get_user_model().objects.create_user(
        username, f"{username}@example.com", "een-lang-wachtwoord", is_staff=True
    )
    user.user_permissions.set(permissions)
    return user


def leaks(bodies: dict[str, str], secrets: list[str]) -> list[tuple[str, str]]:
    """Where a secret shows, except where it is what she typed herself (a search on the person page)."""
    return [
        (url, secret)
        for url, body in bodies.items()
        for secret in secrets
        if secret.lower() in body.lower() and secret.lower() not in unquote(url).lower()
    ]


def person_pages(*emails) -> list[str]:
    """Addresses she could type: the person page, its overview and its export for each address."""
    page = reverse("admin:booking_person")
    return [f"{page}?email={email}{extra}" for email in emails for extra in ("", "&overzicht=1", "&export=1")]


def test_a_content_only_account_sees_no_client_on_any_admin_page(client, clients_everywhere):
    editor = staff("redactie", Permission.objects.filter(content_type__app_label="content"))
    login_admin(client, editor)
    known = [
        reverse("admin:booking_booking_change", args=[clients_everywhere["bookings"][1].pk]),
        reverse("admin:booking_waitingentry_change", args=[clients_everywhere["waiting"].pk]),
        reverse("admin:booking_question_change", args=[clients_everywhere["question"].pk]),
        reverse("admin:booking_outgoingemail_changelist"),
        reverse("admin:booking_agenda"),
    ]
    bodies = crawl(client, extra=known + person_pages(BOOKERS[1][1], WAITER[1], ASKER[1]))

    found = leaks(bodies, traces(*BOOKERS, WAITER, ASKER) + [QUESTION, NOTE])
    assert not found, found
    # The crawl really went round her part of the admin.
    assert len(bodies) > 10
    assert any(re.fullmatch(r"/admin/content/page/\d+/change/", url) for url in bodies)
    assert any(re.fullmatch(r"/admin/content/article/\d+/history/", url) for url in bodies)
    # A calm start page: her website sections, no empty panels about clients.
    start = client.get(reverse("admin:index"))
    assert soup(start).select(".dashboard-day, .dash-block") == []
    text = text_of(start)
    assert "Website" in text and "Pagina" in text
    for absent in ("Kennismaking", "Nieuw sinds", "Vragen", "wachtlijst", "Vraagt aandacht", "agenda"):
        assert absent.lower() not in text.lower(), absent


def test_an_account_that_may_view_bookings_sees_intakes_but_no_questions_or_waiting_people(client, clients_everywhere):
    viewer = staff("kijker", Permission.objects.filter(content_type__app_label="booking", codename="view_booking"))
    login_admin(client, viewer)
    bodies = crawl(client, extra=person_pages(BOOKERS[1][1], WAITER[1], ASKER[1]))

    found = leaks(bodies, traces(WAITER, ASKER) + [QUESTION])
    assert not found, found
    start = soup(client.get(reverse("admin:index")))
    intakes = start.find("section", attrs={"aria-labelledby": "dash-intakes"}).get_text(" ")
    assert BOOKERS[0][0] in intakes and BOOKERS[1][0] in intakes
    assert "botst met" in intakes
    assert start.find("section", attrs={"aria-labelledby": "dash-questions"}) is None
    # What she may see is still there: the list of intakes and a booking's own page.
    assert any(BOOKERS[2][0] in body for url, body in bodies.items() if "/booking/booking/" in url)
    assert len(bodies) > 10


def test_the_therapist_still_sees_every_panel(client, clients_everywhere):
    therapist = get_user_model().objects.create_superuser("therapeut", "t@example.com", "een-lang-wachtwoord")
    login_admin(client, therapist)
    text = text_of(client.get(reverse("admin:index")))
    assert BOOKERS[0][0] in text and BOOKERS[1][0] in text
    assert f"Vraag van {ASKER[0]}" in text
    assert "1 persoon op de wachtlijst" in text
    assert "Niet verstuurd" in text and WAITER[0] in text
    assert "Kapotte agenda" in text
    assert "Herinneringen en e-mails opnieuw" in text


def test_each_panel_follows_its_own_permission(client, clients_everywhere):
    """Questions without bookings: the questions panel, not the intakes or the waiting count."""
    asker_reader = staff("vragen", Permission.objects.filter(codename__in=["view_question"]))
    login_admin(client, asker_reader)
    page = soup(client.get(reverse("admin:index")))
    assert page.find("section", attrs={"aria-labelledby": "dash-intakes"}) is None
    assert page.find("section", attrs={"aria-labelledby": "dash-new"}) is None
    questions = page.find("section", attrs={"aria-labelledby": "dash-questions"}).get_text(" ")
    assert ASKER[0] in questions and "wachtlijst" not in questions
    text = page.get_text(" ")
    for secret in traces(*BOOKERS, WAITER):
        assert secret not in text, secret


def test_a_content_only_account_cannot_redirect_the_practices_mail(
    client, db, mailoutbox, django_capture_on_commit_callbacks
):
    """The practice's address receives every intake notification and every client's reply: an
    account that may only edit the website cannot change it, not in the form and not by
    restoring an older version from the history."""
    from content.models import PracticeDetails
    from tests.helpers import admin_form_data

    load_initial_content()
    open_every_day()
    practice = PracticeDetails.load()
    own = practice.email
    practice.email = "oud@praktijk.example"
    practice.save()  # an older version with another address, to restore
    practice.email = own
    practice.save()
    editor = staff("redactie", Permission.objects.filter(content_type__app_label="content"))
    login_admin(client, editor)
    url = reverse("admin:content_practicedetails_change", args=[practice.pk])

    data = admin_form_data(client, url, "practicedetails_form")
    assert "email" not in data  # shown, not editable
    data.update({"email": "spion@example.com", "city": "Nieuwstad", "_save": "Opslaan"})
    assert client.post(url, data).status_code == 302
    practice.refresh_from_db()
    assert (practice.email, practice.city) == (own, "Nieuwstad")  # the rest of her edit is kept

    older = practice.history.filter(email="oud@praktijk.example").first()
    revert = reverse("admin:content_practicedetails_simple_history", args=[practice.pk, older.history_id])
    restored = {**admin_form_data(client, revert, "historicalpracticedetails_form"), "_save": "1"}
    assert client.post(revert, restored).status_code == 302
    practice.refresh_from_db()
    assert practice.email == own

    with django_capture_on_commit_callbacks(execute=True):
        book(name="Iemand", email="iemand@example.com")
    notification = [m for m in mailoutbox if "iemand@example.com" not in m.to]
    assert notification and all(m.to == [own] for m in notification)
    assert all(m.reply_to == [own] for m in mailoutbox if m.to == ["iemand@example.com"])


def test_the_therapist_changes_the_practices_address(client, db):
    from content.models import PracticeDetails
    from tests.helpers import admin_form_data

    load_initial_content()
    therapist = get_user_model().objects.create_superuser("therapeut", "t@example.com", "een-lang-wachtwoord")
    login_admin(client, therapist)
    practice = PracticeDetails.load()
    url = reverse("admin:content_practicedetails_change", args=[practice.pk])
    data = admin_form_data(client, url, "practicedetails_form")
    data.update({"email": "nieuw@praktijk.example", "_save": "Opslaan"})
    assert client.post(url, data).status_code == 302
    practice.refresh_from_db()
    assert practice.email == "nieuw@praktijk.example"
