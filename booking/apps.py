from django.apps import AppConfig
from django.db.models.signals import post_delete, post_migrate, post_save
from django.utils.translation import gettext_lazy as _


class BookingConfig(AppConfig):
    name = "booking"
    verbose_name = _("Kennismakingsgesprekken")

    def ready(self):
        from .models.db_guards import ensure_overlap_guard

        post_migrate.connect(ensure_overlap_guard, sender=self)

        from django.utils import timezone

        from .models import AgendaFeed, Booking

        # However a booking is deleted (erasure, the admin), calendars must learn it is gone.
        post_delete.connect(
            lambda **kwargs: AgendaFeed.bookings_changed(timezone.now()),
            sender=Booking,
            weak=False,
            dispatch_uid="booking_deleted_changes_feed",
        )

        from .models import BookingRules, ScheduleException, WaitingEntry, WeeklyWindow
        from .services.waiting import look_at_waiting_list

        # A change to when she works (new hours, a closure removed), a booking deleted or someone
        # removed from the list in the admin may free a time someone waiting hopes for. Her own
        # calendars freeing up are seen by the every-few-minutes look.
        for model in (WeeklyWindow, ScheduleException, BookingRules, Booking, WaitingEntry):
            for signal in (post_save, post_delete) if model not in (Booking, WaitingEntry) else (post_delete,):
                signal.connect(
                    lambda **kwargs: look_at_waiting_list(),
                    sender=model,
                    weak=False,
                    dispatch_uid=f"waiting_list_after_{model.__name__}_{signal is post_save}",
                )

        from content.markup import EXTRA_PLACEHOLDERS

        EXTRA_PLACEHOLDERS["bewaartermijn"] = lambda: BookingRules.load().retention_days
        EXTRA_PLACEHOLDERS["wachtlijsttermijn"] = lambda: BookingRules.load().waitlist_days
        EXTRA_PLACEHOLDERS["vragentermijn"] = lambda: BookingRules.load().question_retention_days
        EXTRA_PLACEHOLDERS["afzegtermijn"] = lambda: BookingRules.load().cancel_hours
