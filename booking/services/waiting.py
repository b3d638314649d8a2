"""The waiting list: joining (confirmed by the address's owner), leaving, and its look, which
offers each time that comes free to the first person it suits and holds it for her."""

from __future__ import annotations

import logging
import uuid
from dataclasses import replace
from datetime import datetime, timedelta

from django.db import IntegrityError, transaction
from django.utils import timezone
from django_tasks import task, task_backends

from booking.domain import slots, waitlist
from booking.models import (
    BookingRules,
    Hold,
    OutgoingEmail,
    WaitingEntry,
    WaitingRequest,
    WaitlistState,
    new_link_key,
)

from .outbox import notify_about
from .schedule import BookingError, SlotUnavailable, load_schedule, lock_rules, practice_tz

logger = logging.getLogger(__name__)


class NotWaiting(BookingError):
    """The person is no longer on the waiting list (left, booked or expired)."""


class AlreadyHolding(BookingError):
    """A time is already being held for this person: one at a time."""


class RequestGone(BookingError):
    """The confirmation link was used already, or it expired."""


class RequestChanged(BookingError):
    """The form was sent again for this address after the page to confirm was shown: what
    she saw is not what would be stored, so she has to look again."""


# How long a confirmation link works, and how often one address gets an email asking to
# confirm, however often the form is sent for it (no inbox can be flooded through the site).
CONFIRM_WITHIN = timedelta(hours=48)
CONFIRM_EMAIL_EVERY = timedelta(hours=1)


def _wishes(*, name: str, phone: str, kinds: frozenset[str], days: list[int], parts: list[str]) -> dict:
    """The waiting list's fields for what someone filled in, in their stored form."""
    return {
        "name": name,
        "phone": phone,
        **WaitingEntry.offering(kinds),
        "days": sorted(set(days)),
        "parts": [part for part in waitlist.PARTS if part in parts],
    }


def request_waiting_list(
    *,
    name: str,
    email: str,
    phone: str,
    kinds: frozenset[str],
    days: list[int],
    parts: list[str],
    now: datetime,
) -> None:
    """Keeps what the waiting-list form says until the person behind the address confirms it
    through the link emailed there (confirm_waiting_list). Anyone can type anyone's address,
    so nothing on the list changes here, and whoever sent the form learns nothing: not
    whether the address is waiting (only the email differs), not whether an email went out.

    A newer form for the same address replaces the older one's data, and the link already
    sent shows the newest; the address gets at most one email per CONFIRM_EMAIL_EVERY.
    """
    email = email.strip()
    values = {
        **_wishes(name=name, phone=phone, kinds=kinds, days=days, parts=parts),
        "email": email,
        "privacy_accepted_at": now,
        "created_at": now,
        "expires_at": now + CONFIRM_WITHIN,
    }
    with transaction.atomic():
        pending = WaitingRequest.objects.of_address(email).select_for_update().first()
        if pending is None:
            try:
                with transaction.atomic():
                    pending = WaitingRequest.objects.create(emailed_at=now, **values)
            except IntegrityError:
                # A form for the same address committed in the meantime: this one replaces it.
                pending = WaitingRequest.objects.of_address(email).select_for_update().get()
            else:
                notify_about(OutgoingEmail.Kind.WAITLIST_CONFIRM, waiting_request=pending)
                return
        if pending.expires_at <= now:
            # An expired link stays dead: the new data gets a link of its own.
            pending.link_key = new_link_key()
        for field, value in values.items():
            setattr(pending, field, value)
        pending.version += 1
        email_now = pending.emailed_at <= now - CONFIRM_EMAIL_EVERY
        if email_now:
            pending.emailed_at = now
        pending.save()
        if email_now:
            notify_about(OutgoingEmail.Kind.WAITLIST_CONFIRM, waiting_request=pending)


def confirm_waiting_list(*, request_id: int, version: int, now: datetime) -> WaitingEntry:
    """The person confirmed through the emailed link: what she was shown (`version`) is
    applied as join_waiting_list does, so a new address joins at the back, at this moment,
    and an address already waiting keeps its place with the new wishes. The request is
    used up. RequestGone when it expired or was used; RequestChanged when the form was
    sent again since the page was shown."""
    with transaction.atomic():
        lock_rules()
        pending = WaitingRequest.objects.select_for_update().filter(pk=request_id, expires_at__gt=now).first()
        if pending is None:
            raise RequestGone()
        if pending.version != version:
            raise RequestChanged()
        entry = join_waiting_list(
            name=pending.name,
            email=pending.email,
            phone=pending.phone,
            kinds=pending.kinds,
            days=pending.days,
            parts=pending.parts,
            request_token=pending.request_token,
            now=now,
        )
        pending.delete()
    return entry


def join_waiting_list(
    *,
    name: str,
    email: str,
    phone: str,
    kinds: frozenset[str],
    days: list[int],
    parts: list[str],
    request_token: uuid.UUID,
    now: datetime,
) -> WaitingEntry:
    """Puts someone on the waiting list, at the back, until the period the therapist set.

    An address already waiting keeps its place and gets the new wishes: one person is
    offered one time at a time, however often she fills in the form. The form reaches this
    only through the confirmation by the address's owner (confirm_waiting_list).
    """
    with transaction.atomic():
        rules = lock_rules()
        earlier = WaitingEntry.objects.filter(request_token=request_token).first()
        if earlier is not None:
            return earlier
        wishes = _wishes(name=name, phone=phone, kinds=kinds, days=days, parts=parts)
        entry = WaitingEntry.objects.waiting(now).of_address(email).select_for_update().first()
        if entry is not None:
            for field, value in wishes.items():
                setattr(entry, field, value)
            entry.save(update_fields=list(wishes))
        else:
            entry = WaitingEntry.objects.create(
                email=email,
                privacy_accepted_at=now,
                created_at=now,
                expires_at=now + timedelta(days=rules.waitlist_days),
                request_token=request_token,
                **wishes,
            )
        notify_about(OutgoingEmail.Kind.WAITLIST_JOINED, waiting=entry)
        # The first look learns what is free now; only what comes free after it is offered.
        look_at_waiting_list()
    return entry


def leave_waiting_list(*, entry_id: int) -> bool:
    """Removes someone from the list with everything stored about her there. A time held
    for her goes to the next person. False when she had already gone."""
    with transaction.atomic():
        lock_rules()
        deleted, _ = WaitingEntry.objects.filter(pk=entry_id).delete()
        if deleted:
            look_at_waiting_list()
    return bool(deleted)


def _waiting_people(now: datetime) -> list[waitlist.Waiting]:
    """Everyone waiting, in join order, as the matching sees them: plain values, two queries."""
    waiting = WaitingEntry.objects.waiting(now)
    holds: dict[int, list[tuple[datetime, bool]]] = {}
    for hold in Hold.objects.filter(entry__in=waiting.values("pk")).only("entry_id", "start", "status", "expires_at"):
        holds.setdefault(hold.entry_id, []).append((hold.start, hold.is_open(now)))
    return [
        waitlist.Waiting(
            id=pk,
            wishes=waitlist.Wishes(
                kinds=WaitingEntry.kinds_of(online, in_person),
                days=frozenset(days),
                parts=frozenset(parts),
            ),
            holding=any(running for _start, running in holds.get(pk, [])),
            had=frozenset(start for start, _running in holds.get(pk, [])),
        )
        for pk, online, in_person, days, parts in waiting.values_list(
            "pk", "offers_online", "offers_in_person", "days", "parts"
        )
    ]


def _hold(
    *, entry_id: int, slot: slots.Slot, kinds: frozenset[str], rules: BookingRules, by_practice: bool, now: datetime
) -> Hold:
    hold = Hold.objects.create(
        entry_id=entry_id,
        start=slot.start,
        end=slot.end,
        occupied_until=slot.end + timedelta(minutes=rules.buffer_minutes),
        **Hold.offering(kinds),
        offered_at=now,
        expires_at=now + timedelta(hours=rules.hold_hours),
        by_practice=by_practice,
    )
    notify_about(OutgoingEmail.Kind.WAITLIST_OFFER, waiting_id=entry_id, hold=hold)
    # When the hold runs out, the worker passes the time on, whether or not anyone visits the site.
    look_at_waiting_list(at=hold.expires_at)
    return hold


def _expire_holds(now: datetime) -> int:
    return Hold.objects.ran_out(now).update(status=Hold.Status.EXPIRED)


def offer_waiting_times(*, now: datetime) -> int:
    """Offers each time that came free to the first person on the waiting list it suits, and
    passes on times whose hold ran out. Returns how many times were offered.

    Runs in the background worker (after a cancellation or a move, when a hold runs out,
    and every few minutes). Serialised with bookings, so a time is never held and booked,
    and every run sees the holds and bookings of the one before.
    """
    tz = practice_tz()
    with transaction.atomic():
        rules = lock_rules()
        _expire_holds(now)
        state = WaitlistState.locked()
        hold_for = timedelta(hours=rules.hold_hours)
        # Only times that can still be booked when the hold ends.
        free = load_schedule(now=now, rules=rules).slots(now=now + hold_for)
        fresh = waitlist.new_moments(free, known=set(state.known), known_until=state.known_until)
        pending = set(state.pending)
        candidates = sorted({*fresh, *(slot for slot in free if waitlist.moment_keys([slot]) & pending)})
        # Most looks find nothing new: then nobody on the list needs to be read.
        waiting = _waiting_people(now) if candidates else []
        held, kept = [], []
        for slot in candidates:
            match = waitlist.next_in_line(slot, waiting, tz)
            if match is None:
                if waitlist.worth_keeping(slot, waiting, tz):
                    kept.append(slot)
                continue
            person, kinds = match
            _hold(entry_id=person.id, slot=slot, kinds=kinds, rules=rules, by_practice=False, now=now)
            waiting = [replace(p, holding=True) if p.id == person.id else p for p in waiting]
            held.append(slot)
        # A held time is not free: when its hold runs out, it is news again.
        state.known = sorted(waitlist.moment_keys(free) - waitlist.moment_keys(held))
        state.pending = sorted(waitlist.moment_keys(kept))
        state.known_until = now + hold_for + rules.as_rules().horizon
        state.checked_at = now
        state.save()
    return len(held)


def offerable_times(*, entry: WaitingEntry, now: datetime, rules: BookingRules | None = None) -> list[slots.Slot]:
    """The free times the therapist can offer this person herself: every free time in a kind
    that suits her, bookable until the hold would end."""
    rules = rules or BookingRules.load()
    free = load_schedule(now=now, rules=rules).slots(now=now + timedelta(hours=rules.hold_hours))
    return [slot for slot in free if slot.kinds & entry.kinds]


def offer_time(*, entry_id: int, start: datetime, now: datetime) -> Hold:
    """The therapist offers one free time to one waiting person: held for her as usual."""
    with transaction.atomic():
        rules = lock_rules()
        _expire_holds(now)
        entry = WaitingEntry.objects.waiting(now).select_for_update().filter(pk=entry_id).first()
        if entry is None:
            raise NotWaiting()
        if Hold.objects.open(now).filter(entry=entry).exists():
            raise AlreadyHolding()
        slot = next(
            (s for s in offerable_times(entry=entry, now=now, rules=rules) if slots.same_moment(s.start, start)), None
        )
        if slot is None:
            raise SlotUnavailable(taken=False, alternatives=[])
        return _hold(
            entry_id=entry.pk, slot=slot, kinds=slot.kinds & entry.kinds, rules=rules, by_practice=True, now=now
        )


# The look runs in the background worker and schedules itself (when a hold runs out): the
# task lives here, next to the work it runs, so nothing imports back up to find it.
@task()
def waiting_list_look() -> None:
    """The waiting list's look: offers times that came free and passes on holds that ran out."""
    offered = offer_waiting_times(now=timezone.now())
    logger.info("waiting list: %s times offered", offered)


def look_at_waiting_list(*, at: datetime | None = None) -> None:
    """After this transaction commits, the waiting list looks for times that came free: now,
    or at `at` (when a hold runs out). Without deferral (development) the every-few-minutes
    job (`send_reminders`) looks too; it always does, as a safety net."""

    def enqueue():
        if at is None:
            waiting_list_look.enqueue()
        elif task_backends[waiting_list_look.backend].supports_defer:
            waiting_list_look.using(run_after=at).enqueue()

    # A failing look never undoes or breaks the change that asked for it: the next one catches up.
    transaction.on_commit(enqueue, robust=True)
