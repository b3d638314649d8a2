"""The question form: stored here, emails without the question, handled and purged in the admin;
and the waiting list and questions in the privacy statement, export, erasure and purge."""

import io
import json
import uuid
from datetime import timedelta

import pytest
from django.contrib.auth import get_user_model
from django.core import mail
from django.core.management import call_command
from django.urls import reverse
from django.utils import timezone

from booking.models import Hold, OutgoingEmail, Question, WaitingEntry
from booking.services import bookings, privacy, questions
from booking.services import waiting as waiting_service
from content.initial_content import load_initial_content
from tests.booking.helpers import book, free_slots, join_waiting_list, open_every_day, set_rules
from tests.helpers import login_admin, soup, text_of

ASK = "/kennismaking/vraag/"
SECRET = "Ik durf niemand te vertrouwen sinds mijn jeugd"


@pytest.fixture(autouse=True)
def site(db):
    load_initial_content()
    open_every_day()


@pytest.fixture
def admin_client(client):
    user = get_user_model().objects.create_superuser("therapeut", "t@praktijk.example", "een-lang-wachtwoord")
    login_admin(client, user)
    return client


def question_data(**overrides) -> dict:
    data = {
        "name": "Zoë van ’t Hoff",
        "email": "zoe@example.com",
        "phone": "06 12345678",
        "text": SECRET,
        "privacy": "on",
        "website": "",
        "request_token": str(uuid.uuid4()),
    }
    data.update(overrides)
    return {key: value for key, value in data.items() if value is not None}


def ask(**fields) -> Question:
    values = {"name": "Vrager", "email": "vrager@example.com", "phone": "", "text": SECRET}
    values.update(fields)
    return questions.ask(request_token=uuid.uuid4(), now=timezone.now(), **values)


def test_the_contact_page_and_the_booking_start_invite_a_question(client):
    for path in ["/contact/", "/kennismaking/"]:
        link = soup(client.get(path)).select_one("#question-heading").find_parent("section").select_one("a")
        assert link["href"] == ASK, path
    # Reading the contact page sets no cookie: the form is one page on.
    assert not client.get("/contact/").cookies


def test_a_question_is_stored_and_no_email_holds_it(client, django_capture_on_commit_callbacks):
    page = client.get(ASK)
    assert len(soup(page).find_all("h1")) == 1
    with django_capture_on_commit_callbacks(execute=True):
        response = client.post(ASK, question_data())
    assert response.status_code == 302 and response["Location"] == "/kennismaking/vraag/verstuurd/"
    question = Question.objects.get()
    assert (question.text, question.name, question.handled_at) == (SECRET, "Zoë van ’t Hoff", None)
    sent = client.get(response["Location"])
    assert "goed aangekomen" in text_of(sent) and SECRET not in text_of(sent)
    assert sorted(m.to[0] for m in mail.outbox) == ["info@praktijk.example", "zoe@example.com"]
    for message in mail.outbox:
        whole = message.message().as_string()
        assert SECRET not in whole and "vertrouwen" not in message.body
        assert "vertrouwen" not in message.alternatives[0][0]
    to_practice = next(m for m in mail.outbox if m.to == ["info@praktijk.example"])
    assert reverse("admin:booking_question_change", args=[question.pk]) in to_practice.body
    # A form sent twice stores one question.
    client.post(ASK, question_data(request_token=str(question.request_token)))
    assert Question.objects.count() == 1


def test_question_mistakes_and_the_honeypot(client):
    response = client.post(ASK, question_data(text="   ", email="geen-adres", privacy=None))
    assert response.status_code == 400
    text = text_of(response)
    assert "Schrijf je vraag op." in text
    assert "Dit lijkt geen geldig e-mailadres" in text
    assert "Vink dit aan om je vraag te kunnen sturen." in text
    assert soup(response).select_one("input[name=name]")["value"] == "Zoë van ’t Hoff"
    long = client.post(ASK, question_data(text="x" * 2001))
    assert long.status_code == 400 and "maximaal 2000 tekens" in text_of(long)
    assert soup(long).select_one("textarea[name=text]").get_text().strip() == "x" * 2001
    bot = client.post(ASK, question_data(website="http://spam.example"))
    assert bot.status_code == 400
    assert not Question.objects.exists()


def test_the_therapist_reads_and_marks_a_question_handled(admin_client):
    question = ask()
    dashboard = text_of(admin_client.get(reverse("admin:index")))
    assert "Vraag van Vrager" in dashboard
    page = admin_client.get(reverse("admin:booking_question_change", args=[question.pk]))
    assert SECRET in text_of(page)
    assert soup(page).select_one('a[href="mailto:vrager@example.com"]')
    changelist = reverse("admin:booking_question_changelist")
    response = admin_client.post(changelist, {"action": "mark_handled", "_selected_action": [question.pk], "index": 0})
    assert response.status_code == 302
    question.refresh_from_db()
    assert question.handled_at is not None
    assert "Vraag van Vrager" not in text_of(admin_client.get(reverse("admin:index")))


def test_handled_questions_and_finished_waiting_are_purged_after_their_periods(clock):
    set_rules(question_retention_days=10)
    handled, open_question = ask(email="a@example.com"), ask(email="b@example.com")
    questions.mark_handled(question_ids=[handled.pk], now=timezone.now())
    waiting = join_waiting_list()
    clock.move_to(timezone.now() + timedelta(days=10, minutes=1))
    call_command("purge_personal_data", stdout=io.StringIO())
    assert list(Question.objects.all()) == [open_question], "unanswered questions stay"
    assert WaitingEntry.objects.filter(pk=waiting.pk).exists(), "still within its 60 days"
    clock.move_to(timezone.now() + timedelta(days=51))
    call_command("purge_personal_data", stdout=io.StringIO())
    assert not WaitingEntry.objects.exists()


def test_export_and_erasure_cover_the_waiting_list_and_questions(admin_client):
    booking = book(free_slots()[-1], email="Anna@Example.com")
    join_waiting_list(email="anna@example.com", name="Anna")
    waiting_service.offer_waiting_times(now=timezone.now())
    bookings.cancel(booking_id=booking.pk, by_practice=True, now=timezone.now())
    waiting_service.offer_waiting_times(now=timezone.now())
    assert Hold.objects.exists()
    ask(email="ANNA@example.com", name="Anna")
    data = privacy.export("anna@example.com")
    assert data["questions"][0]["question"] == SECRET
    assert data["waiting_list"][0]["offered"][0]["status"] == "wordt vastgehouden"
    person = reverse("admin:booking_person")
    page = text_of(admin_client.get(person + "?email=anna@example.com"))
    assert "Wachtlijst" in page and "Vraag van Anna" in page
    overview = text_of(admin_client.get(person + "?email=anna@example.com&overzicht=1"))
    assert SECRET in overview and "Op de wachtlijst sinds" in overview
    exported = json.loads(admin_client.get(person + "?email=anna@example.com&export=1").content)
    assert exported["waiting_list"] and exported["questions"]
    admin_client.post(person, {"email": "anna@example.com", "erase": "ja"})
    assert not WaitingEntry.objects.exists() and not Question.objects.exists() and not Hold.objects.exists()
    assert not OutgoingEmail.objects.exclude(kind="own_calendar").filter(booking__isnull=True).exists()


def test_the_privacy_statement_names_the_configured_periods(client):
    set_rules(waitlist_days=45, question_retention_days=14)
    text = text_of(client.get("/privacyverklaring/"))
    assert "Je staat 45 dagen op de lijst" in text
    assert "14 dagen nadat ik je vraag heb afgehandeld" in text
