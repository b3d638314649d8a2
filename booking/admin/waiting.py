"""The admin for the waiting list, with offering a time herself."""

from django import forms
from django.contrib import admin, messages
from django.core.exceptions import PermissionDenied
from django.http import Http404
from django.shortcuts import redirect
from django.template.response import TemplateResponse
from django.urls import path, reverse
from django.utils import timezone
from django.utils.formats import date_format
from django.utils.html import format_html
from django.utils.translation import gettext_lazy as _
from django.utils.translation import ngettext

from booking.domain import vocabulary
from booking.domain.vocabulary import parse_slot_code, slot_code
from booking.domain.wallclock import practice_time
from booking.models import (
    PART_CHOICES,
    WEEKDAYS,
    BookingRules,
    Hold,
    WaitingEntry,
)
from booking.services import schedule, waiting
from practice.admin_site import DutchModelAdmin


class WaitingEntryForm(forms.ModelForm):
    """Days and parts of the day as checkboxes, as the visitor chose them."""

    days = forms.TypedMultipleChoiceField(
        label=_("dagen"),
        choices=WEEKDAYS,
        coerce=int,
        widget=forms.CheckboxSelectMultiple,
        help_text=_("De dagen van de week die passen."),
    )
    parts = forms.MultipleChoiceField(
        label=_("dagdelen"),
        choices=PART_CHOICES,
        widget=forms.CheckboxSelectMultiple,
        help_text=_("De delen van de dag die passen."),
    )

    class Meta:
        model = WaitingEntry
        fields = ["name", "email", "phone", "offers_online", "offers_in_person", "days", "parts", "expires_at"]


class HoldInline(admin.TabularInline):
    model = Hold
    extra = 0
    can_delete = False
    verbose_name_plural = _("aangeboden tijden")
    fields = ["start", "kinds_display", "offered_at", "expires_at", "status", "by_practice", "booking"]
    readonly_fields = fields

    def has_add_permission(self, request, obj=None):
        return False

    @admin.display(description=_("vorm"))
    def kinds_display(self, hold):
        return hold.kinds_display


def _short_kinds(kinds, joiner: str) -> str:
    """Short words for narrow columns and option lists."""
    return joiner.join(word for kind, word in vocabulary.KIND_SHORT_WORDS.items() if kind in kinds)


class WaitingStateFilter(admin.SimpleListFilter):
    title = _("stand")
    parameter_name = "stand"

    def lookups(self, request, model_admin):
        return [("wacht", _("wacht nog")), ("geboekt", _("geboekt via de wachtlijst")), ("verlopen", _("verlopen"))]

    def queryset(self, request, queryset):
        now = timezone.now()
        if self.value() == "wacht":
            return queryset.waiting(now)
        if self.value() == "geboekt":
            return queryset.filter(booked_at__isnull=False)
        if self.value() == "verlopen":
            return queryset.filter(booked_at__isnull=True, expires_at__lte=now)
        return queryset


@admin.register(WaitingEntry)
class WaitingEntryAdmin(DutchModelAdmin):
    """The waiting list in the order people joined: who, since when, what suits them, what they were offered."""

    form = WaitingEntryForm
    list_display = ["created_at", "name", "wishes", "state", "expires_at"]
    list_display_links = ["created_at", "name"]
    list_filter = [WaitingStateFilter]
    search_fields = ["name", "email"]
    ordering = ["created_at", "pk"]
    inlines = [HoldInline]
    readonly_fields = ["created_at", "privacy_accepted_at", "booked_at", "offer_link"]
    fieldsets = [
        (None, {"fields": ["name", "email", "phone", "created_at", "expires_at", "offer_link"]}),
        (_("Wat past"), {"fields": ["offers_online", "offers_in_person", "days", "parts"]}),
        (_("Vastgelegd"), {"fields": ["privacy_accepted_at", "booked_at"]}),
    ]

    def get_queryset(self, request):
        return super().get_queryset(request).prefetch_related("holds")

    def has_add_permission(self, request):
        return False

    @admin.display(description=_("wat past"))
    def wishes(self, entry):
        """Short, so that a row stays one or two lines: 'online, praktijk · ma di do · ochtend'."""
        kinds = _short_kinds(entry.kinds, ", ")
        days = " ".join(vocabulary.SHORT_DAY_NAMES[day] for day in sorted(entry.days) if 0 <= day < 7)
        parts = ", ".join(str(vocabulary.PART_WORDS[part]) for part in vocabulary.PARTS if part in entry.parts)
        return f"{kinds} · {days} · {parts}"

    @admin.display(description=_("stand"))
    def state(self, entry):
        now = timezone.now()
        if entry.booked_at:
            return _("geboekt")
        if entry.expires_at <= now:
            return _("verlopen")
        held = [h for h in entry.holds.all() if h.is_open(now)]
        if held:
            local = practice_time(held[0].start)
            return _("tijd aangeboden: %(when)s") % {"when": local.strftime("%d-%m %H:%M")}
        offered = len(entry.holds.all())
        return (
            ngettext("wacht (%(count)d keer iets aangeboden)", "wacht (%(count)d keer iets aangeboden)", offered)
            % {"count": offered}
            if offered
            else _("wacht")
        )

    @admin.display(description=_("zelf een tijd aanbieden"))
    def offer_link(self, entry):
        if entry.pk is None:
            return "–"
        url = reverse("admin:booking_waitingentry_offer", args=[entry.pk])
        return format_html('<a class="button" href="{}">{}</a>', url, _("Een vrije tijd aanbieden"))

    def get_urls(self):
        offer = path(
            "<int:entry_id>/aanbieden/", self.admin_site.admin_view(self.offer_view), name="booking_waitingentry_offer"
        )
        return [offer, *super().get_urls()]

    def offer_view(self, request, entry_id: int):
        """She picks a free time for one waiting person; it is held for that person and emailed."""
        if not self.has_change_permission(request):
            raise PermissionDenied
        now = timezone.now()
        entry = WaitingEntry.objects.filter(pk=entry_id).first()
        if entry is None:
            raise Http404
        change_url = reverse("admin:booking_waitingentry_change", args=[entry.pk])
        free = waiting.offerable_times(entry=entry, now=now)
        choices = [(slot_code(s.start), _offer_label(s)) for s in free]
        error = ""
        if request.method == "POST":
            chosen = parse_slot_code(request.POST.get("moment", ""))
            if chosen is None:
                error = _("Kies een tijd.")
            else:
                try:
                    waiting.offer_time(entry_id=entry.pk, start=chosen, now=now)
                except waiting.NotWaiting:
                    error = _("Deze persoon staat niet meer op de wachtlijst.")
                except waiting.AlreadyHolding:
                    error = _("Voor deze persoon wordt al een tijd vastgehouden. Eén tijd tegelijk.")
                except schedule.SlotUnavailable:
                    error = _("Deze tijd is net niet meer vrij. Kies een andere.")
                else:
                    self.message_user(
                        request,
                        _("De tijd is aangeboden en wordt vastgehouden; %(name)s krijgt een e-mail.")
                        % {"name": entry.name},
                        messages.SUCCESS,
                    )
                    return redirect(change_url)
        return TemplateResponse(
            request,
            "admin/booking/waitingentry/offer.html",
            {
                **self.admin_site.each_context(request),
                "title": _("Een vrije tijd aanbieden aan %(name)s") % {"name": entry.name},
                "opts": self.model._meta,
                "entry": entry,
                "choices": choices,
                "error": error,
                "change_url": change_url,
                "rules": BookingRules.load(),
            },
            status=400 if error else 200,
        )


def _offer_label(slot) -> str:
    local = practice_time(slot.start)
    kinds = _short_kinds(slot.kinds, " of ")
    return f"{date_format(local, 'l j F')} {local:%H:%M}, {kinds}"
