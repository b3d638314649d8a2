"""The outbox: every email (and calendar write) the site owes, kept until it has gone out."""

from django.db import models
from django.db.models import Q
from django.utils.translation import gettext_lazy as _

from .bookings import Booking
from .waiting import Hold, Question, WaitingEntry, WaitingRequest


def _exactly_one_of(*fields: str) -> Q:
    """A condition that holds when exactly one of these foreign keys is set."""
    first, *others = [Q(**{f"{field}__isnull": field != chosen for field in fields}) for chosen in fields]
    for branch in others:
        first |= branch
    return first


# What an outbox row can be about: exactly one of these (the check constraint below).
OUTGOING_ABOUT = ("booking", "waiting", "question", "waiting_request")


class OutgoingEmail(models.Model):
    """An email the site owes someone, or an intake it owes her own calendar: kept until it
    has really gone out.

    Written in the same transaction as the change it reports, sent after commit by a
    background task, and retried with growing pauses while the mail server fails.
    Holds no text: the message is built from the booking when it is sent.
    """

    class Kind(models.TextChoices):
        CONFIRMATION = "confirmation", _("bevestiging aan cliënt")
        REMINDER = "reminder", _("herinnering aan cliënt")
        CANCELLATION = "cancellation", _("afzegging aan cliënt")
        RESCHEDULE = "reschedule", _("verzetting aan cliënt")
        PRACTICE_NEW = "practice_new", _("nieuwe boeking aan praktijk")
        PRACTICE_CANCELLATION = "practice_cancellation", _("afzegging aan praktijk")
        PRACTICE_RESCHEDULE = "practice_reschedule", _("verzetting aan praktijk")
        OWN_CALENDAR = "own_calendar", _("in uw eigen agenda gezet")
        WAITLIST_JOINED = "waitlist_joined", _("aanmelding wachtlijst")
        WAITLIST_OFFER = "waitlist_offer", _("vrijgekomen tijd aangeboden")
        WAITLIST_CONFIRM = "waitlist_confirm", _("aanmelding wachtlijst bevestigen")
        QUESTION_RECEIVED = "question_received", _("vraag ontvangen, aan de vrager")
        PRACTICE_QUESTION = "practice_question", _("nieuwe vraag aan praktijk")

    # What the email is about: exactly one of these (an offer names its hold too).
    booking = models.ForeignKey(
        Booking,
        verbose_name=_("kennismakingsgesprek"),
        null=True,
        blank=True,
        on_delete=models.CASCADE,
        related_name="emails",
    )
    waiting = models.ForeignKey(
        WaitingEntry,
        verbose_name=_("wachtende"),
        null=True,
        blank=True,
        on_delete=models.CASCADE,
        related_name="emails",
    )
    hold = models.ForeignKey(
        Hold, verbose_name=_("aangeboden tijd"), null=True, blank=True, on_delete=models.CASCADE, related_name="emails"
    )
    question = models.ForeignKey(
        Question, verbose_name=_("vraag"), null=True, blank=True, on_delete=models.CASCADE, related_name="emails"
    )
    waiting_request = models.ForeignKey(
        WaitingRequest,
        verbose_name=_("aanmelding, nog niet bevestigd"),
        null=True,
        blank=True,
        on_delete=models.CASCADE,
        related_name="emails",
    )
    kind = models.CharField(_("soort"), max_length=30, choices=Kind.choices)
    practice_message = models.TextField(
        _("bericht van de praktijk"), blank=True, help_text=_("Uw eigen woorden bij een afzegging.")
    )
    previous_start = models.DateTimeField(_("vorige tijd"), null=True, blank=True)
    created_at = models.DateTimeField(_("aangemaakt"), auto_now_add=True)
    sent_at = models.DateTimeField(_("verstuurd op"), null=True, blank=True)
    attempts = models.PositiveSmallIntegerField(_("pogingen"), default=0)
    next_attempt_at = models.DateTimeField(_("volgende poging"), null=True, blank=True)
    claimed_until = models.DateTimeField(null=True, blank=True, editable=False)
    last_error = models.CharField(_("laatste fout"), max_length=200, blank=True)

    class Meta:
        verbose_name = _("e-mail")
        verbose_name_plural = _("e-mails")
        ordering = ["-created_at"]
        indexes = [models.Index(fields=["sent_at", "next_attempt_at"], name="booking_email_pending")]
        constraints = [
            models.CheckConstraint(
                condition=_exactly_one_of(*OUTGOING_ABOUT),
                name="booking_email_about_one_thing",
            ),
            models.CheckConstraint(
                condition=Q(hold__isnull=True) | Q(waiting__isnull=False), name="booking_email_hold_has_entry"
            ),
        ]

    def __str__(self) -> str:
        return f"{self.get_kind_display()} ({self.about})"

    @property
    def about(self):
        return next(filter(None, (getattr(self, field) for field in OUTGOING_ABOUT)), None)
