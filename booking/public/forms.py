import uuid

from crispy_forms.helper import FormHelper
from crispy_forms.layout import Field, Layout
from django import forms
from django.urls import reverse
from django.utils.safestring import mark_safe
from django.utils.translation import gettext_lazy as _

from booking.models import PART_CHOICES, WEEKDAYS, Kind
from practice import ratelimit


class PersonForm(forms.Form):
    """Who someone is and how to reach her, her consent, and the guards every public form has."""

    name = forms.CharField(
        label=_("Je naam"),
        max_length=100,
        error_messages={"required": _("Vul je naam in."), "max_length": _("Gebruik maximaal %(limit_value)d tekens.")},
        widget=forms.TextInput(attrs={"autocomplete": "name"}),
    )
    email = forms.EmailField(
        label=_("Je e-mailadres"),
        max_length=254,
        help_text=_("Hier stuur ik de bevestiging naartoe."),
        error_messages={
            "required": _("Vul je e-mailadres in."),
            "invalid": _("Dit lijkt geen geldig e-mailadres. Kijk het nog eens na, bijvoorbeeld naam@voorbeeld.nl."),
            "max_length": _("Dit e-mailadres is te lang."),
        },
        widget=forms.EmailInput(attrs={"autocomplete": "email"}),
    )
    phone = forms.RegexField(
        label=_("Je telefoonnummer (mag leeg blijven)"),
        required=False,
        max_length=30,
        regex=r"^\+?[0-9 ()\-]{6,30}$",
        help_text=_("Handig als er iets verandert."),
        error_messages={
            "invalid": _("Gebruik alleen cijfers, spaties, streepjes of een + ervoor, bijvoorbeeld 06 12345678."),
            "max_length": _("Dit telefoonnummer is te lang."),
        },
        widget=forms.TextInput(attrs={"autocomplete": "tel", "inputmode": "tel"}),
    )
    privacy = forms.BooleanField(
        label=_("Ik heb de privacyverklaring gelezen en ga ermee akkoord."),
        error_messages={"required": _("Vink dit aan om te kunnen boeken.")},
    )
    privacy_required_message = _("Vink dit aan om te kunnen boeken.")
    # Left empty by people; filled in by bots that fill in every field.
    website = forms.CharField(required=False, label=_("Laat dit veld leeg"))
    request_token = forms.UUIDField(
        widget=forms.HiddenInput, error_messages={"invalid": _("Het formulier is beschadigd.")}
    )

    layout: tuple = ("name", "email", "phone", "privacy")

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["privacy"].error_messages["required"] = self.privacy_required_message
        if not self.is_bound:
            self.initial.setdefault("request_token", uuid.uuid4())
        privacy_url = reverse("content:page", kwargs={"slug": "privacyverklaring"})
        self.fields["privacy"].label = mark_safe(  # noqa: S308 - our own text and URL
            _('Ik heb de <a href="%(url)s">privacyverklaring</a> gelezen en ga ermee akkoord.') % {"url": privacy_url}
        )
        self.helper = FormHelper()
        self.helper.form_tag = False
        self.helper.disable_csrf = True
        self.helper.layout = Layout(*self.layout, Field("request_token"))

    def status_after_checks(self, request) -> int:
        """200 when the form may be acted on; otherwise 429 (this address sent too many forms)
        or 400, with the reason added to the form. Every public form counts towards one limit."""
        if ratelimit.too_many_forms(request):
            self.is_valid()
            self.add_error(None, ratelimit.FORM_LIMIT_MESSAGE)
            return 429
        return 200 if self.is_valid() else 400

    def clean_name(self):
        name = " ".join(self.cleaned_data["name"].split())
        if not name:
            raise forms.ValidationError(_("Vul je naam in."))
        return name

    def clean_website(self):
        if self.cleaned_data["website"]:
            raise forms.ValidationError(
                _("Er ging iets mis met het formulier. Laad de pagina opnieuw en probeer het nog eens.")
            )
        return ""

    def clean(self):
        cleaned = super().clean()
        if "website" in self.errors:
            # The honeypot error belongs to the whole form: the field itself is hidden.
            self.add_error(None, self.errors.pop("website")[0])
        return cleaned


class BookingForm(PersonForm):
    note = forms.CharField(
        label=_("Wat wil je alvast kwijt? (mag leeg blijven)"),
        required=False,
        max_length=1000,
        help_text=_("Kort is genoeg. Je hoeft niets te schrijven: we praten in het gesprek."),
        error_messages={"max_length": _("Houd het kort: maximaal %(limit_value)d tekens (nu %(show_value)d).")},
        widget=forms.Textarea(attrs={"rows": 4}),
    )
    note_consent = forms.BooleanField(
        label=_("Ik geef toestemming om wat ik hierboven schreef te bewaren tot na het kennismakingsgesprek."),
        required=False,
    )

    layout = ("name", "email", "phone", "note", "note_consent", "privacy")

    def clean(self):
        cleaned = super().clean()
        if cleaned.get("note", "").strip() and not cleaned.get("note_consent"):
            self.add_error(
                "note_consent",
                _("Wil je dat ik je bericht bewaar? Vink dan dit vakje aan. Liever niet? Maak het tekstvak dan leeg."),
            )
        return cleaned


class HoldBookingForm(BookingForm):
    """Booking the time held for someone on the waiting list: she picks the kind if both suit."""

    kind = forms.ChoiceField(
        label=_("Hoe wil je kennismaken?"),
        choices=Kind.choices,
        widget=forms.RadioSelect,
        error_messages={
            "required": _("Kies online of in de praktijk."),
            "invalid_choice": _("Kies online of in de praktijk."),
        },
    )
    layout = ("kind", "name", "email", "phone", "note", "note_consent", "privacy")

    def __init__(self, *args, kinds: frozenset[str], **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["kind"].choices = [(value, label) for value, label in Kind.choices if value in kinds]
        if len(kinds) == 1:
            (only,) = kinds
            self.fields["kind"].initial = only
            self.fields["kind"].widget = forms.HiddenInput()
            self.helper.layout = Layout(*self.layout[1:], Field("kind"), Field("request_token"))


class WaitingForm(PersonForm):
    kinds = forms.MultipleChoiceField(
        label=_("Wat past bij je?"),
        choices=Kind.choices,
        widget=forms.CheckboxSelectMultiple,
        initial=[Kind.ONLINE, Kind.IN_PERSON],
        error_messages={"required": _("Kies online, in de praktijk, of allebei.")},
    )
    days = forms.TypedMultipleChoiceField(
        label=_("Welke dagen kun je?"),
        choices=WEEKDAYS,
        coerce=int,
        widget=forms.CheckboxSelectMultiple,
        initial=[0, 1, 2, 3, 4],
        error_messages={"required": _("Kies minstens één dag.")},
    )
    parts = forms.MultipleChoiceField(
        label=_("Welke delen van de dag kun je?"),
        choices=PART_CHOICES,
        widget=forms.CheckboxSelectMultiple,
        initial=[value for value, label in PART_CHOICES],
        error_messages={"required": _("Kies minstens één deel van de dag.")},
    )
    privacy_required_message = _("Vink dit aan om op de wachtlijst te komen.")
    layout = ("kinds", "days", "parts", "name", "email", "phone", "privacy")

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["email"].help_text = _("Hierheen stuur ik een bericht als er een tijd vrijkomt.")
        self.fields["phone"].help_text = ""


class QuestionForm(PersonForm):
    text = forms.CharField(
        label=_("Je vraag"),
        max_length=2000,
        help_text=_("Schrijf alleen wat je kwijt wilt. Je vraag blijft op deze website en gaat niet rond per e-mail."),
        error_messages={
            "required": _("Schrijf je vraag op."),
            "max_length": _("Houd het kort: maximaal %(limit_value)d tekens (nu %(show_value)d)."),
        },
        widget=forms.Textarea(attrs={"rows": 6}),
    )
    privacy_required_message = _("Vink dit aan om je vraag te kunnen sturen.")
    layout = ("name", "email", "phone", "text", "privacy")

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["email"].help_text = _("Hier krijg je een bevestiging; je vraag staat daar niet in.")
        self.fields["phone"].help_text = _("Liever gebeld worden? Vul dan je nummer in.")

    def clean_text(self):
        text = self.cleaned_data["text"].strip()
        if not text:
            raise forms.ValidationError(_("Schrijf je vraag op."))
        return text
