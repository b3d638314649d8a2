"""The models with one record and its history (the booking rules, the practice details):
the list opens the record's form, and nobody adds a second or deletes the one."""

import pytest
from django.contrib.auth import get_user_model
from django.urls import reverse

from booking.models import BookingRules
from content.initial_content import load_initial_content
from content.models import PracticeDetails
from tests.helpers import login_admin

pytestmark = pytest.mark.django_db


@pytest.fixture
def admin_client(client):
    load_initial_content()
    user = get_user_model().objects.create_superuser("therapeut", "t@praktijk.example", "een-lang-wachtwoord")
    login_admin(client, user)
    return client


@pytest.mark.parametrize("model", [BookingRules, PracticeDetails])
def test_the_one_record_opens_straight_away_and_stays(admin_client, model):
    name = f"admin:{model._meta.app_label}_{model._meta.model_name}"
    response = admin_client.get(reverse(f"{name}_changelist"))
    record = model.objects.get()
    assert response.status_code == 302
    assert response["Location"] == reverse(f"{name}_change", args=[record.pk])
    assert admin_client.get(reverse(f"{name}_delete", args=[record.pk])).status_code == 403
    assert admin_client.get(reverse(f"{name}_add")).status_code == 403
    assert admin_client.get(reverse(f"{name}_history", args=[record.pk])).status_code == 200
    assert model.objects.count() == 1
