"""Questions sent through the site: stored here, never sent on by email."""

from __future__ import annotations

import uuid
from datetime import datetime

from django.db import transaction

from booking.models import (
    OutgoingEmail,
    Question,
)

from .outbox import notify_about


def ask(*, name: str, email: str, phone: str, text: str, request_token: uuid.UUID, now: datetime) -> Question:
    """Stores a question. Both emails only say that it arrived: the question stays here."""
    with transaction.atomic():
        earlier = Question.objects.filter(request_token=request_token).first()
        if earlier is not None:
            return earlier
        question = Question.objects.create(
            name=name,
            email=email,
            phone=phone,
            text=text,
            privacy_accepted_at=now,
            created_at=now,
            request_token=request_token,
        )
        notify_about(OutgoingEmail.Kind.QUESTION_RECEIVED, question=question)
        notify_about(OutgoingEmail.Kind.PRACTICE_QUESTION, question=question)
    return question


def mark_handled(*, question_ids: list[int], now: datetime) -> int:
    with transaction.atomic():
        return Question.objects.filter(pk__in=question_ids, handled_at__isnull=True).update(handled_at=now)
