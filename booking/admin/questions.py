"""The admin for the questions sent through the site."""

from django import forms
from django.contrib import admin, messages
from django.template.defaultfilters import linebreaks_filter
from django.utils import timezone
from django.utils.html import format_html, format_html_join
from django.utils.translation import gettext_lazy as _
from django.utils.translation import ngettext

from booking.models import (
    Question,
)
from booking.services import questions
from practice.admin_site import DutchModelAdmin


class QuestionForm(forms.ModelForm):
    handled = forms.BooleanField(
        label=_("afgehandeld"),
        required=False,
        help_text=_(
            "Aanvinken als u gebeld of gemaild hebt. Afgehandelde vragen worden na de bewaartermijn verwijderd."
        ),
    )

    class Meta:
        model = Question
        fields = []

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["handled"].initial = bool(self.instance.handled_at)


class HandledFilter(admin.SimpleListFilter):
    title = _("afgehandeld")
    parameter_name = "afgehandeld"

    def lookups(self, request, model_admin):
        return [("nee", _("nog open")), ("ja", _("afgehandeld"))]

    def queryset(self, request, queryset):
        if self.value() == "nee":
            return queryset.open()
        if self.value() == "ja":
            return queryset.filter(handled_at__isnull=False)
        return queryset


@admin.register(Question)
class QuestionAdmin(DutchModelAdmin):
    """Questions sent through the site: read here, answer by phone or email, then mark handled."""

    form = QuestionForm
    list_display = ["created_at", "name", "contact", "is_handled"]
    list_display_links = ["created_at", "name"]
    list_filter = [HandledFilter]
    search_fields = ["name", "email"]
    actions = ["mark_handled"]
    readonly_fields = ["name", "contact", "text_display", "created_at", "handled_at", "privacy_accepted_at"]
    fieldsets = [
        (None, {"fields": ["name", "contact", "created_at", "text_display"]}),
        (_("Afhandeling"), {"fields": ["handled", "handled_at"]}),
        (_("Vastgelegd"), {"fields": ["privacy_accepted_at"]}),
    ]

    def has_add_permission(self, request):
        return False

    @admin.display(description=_("vraag"))
    def text_display(self, question):
        return format_html('<div class="question-text">{}</div>', linebreaks_filter(question.text))

    @admin.display(description=_("contact"))
    def contact(self, question):
        parts = [format_html('<a href="mailto:{}">{}</a>', question.email, question.email)]
        if question.phone:
            parts.append(format_html('<a href="tel:{}">{}</a>', question.phone.replace(" ", ""), question.phone))
        return format_html_join(" · ", "{}", ((part,) for part in parts))

    @admin.display(description=_("afgehandeld"), boolean=True)
    def is_handled(self, question):
        return question.handled_at is not None

    def save_model(self, request, obj, form, change):
        now = timezone.now()
        if form.cleaned_data.get("handled"):
            questions.mark_handled(question_ids=[obj.pk], now=now)
        else:
            Question.objects.filter(pk=obj.pk).update(handled_at=None)

    @admin.action(description=_("Markeren als afgehandeld"), permissions=["change"])
    def mark_handled(self, request, queryset):
        count = questions.mark_handled(question_ids=list(queryset.values_list("pk", flat=True)), now=timezone.now())
        self.message_user(
            request,
            ngettext("%(count)d vraag afgehandeld.", "%(count)d vragen afgehandeld.", count) % {"count": count},
            messages.SUCCESS,
        )
