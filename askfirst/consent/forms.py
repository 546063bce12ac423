"""Staff forms on consent (the Django admin)."""

from typing import Any

from django import forms
from django.utils.translation import get_language
from django.utils.translation import gettext_lazy as _

from askfirst.consent.models import ConsentText, Purpose


class PurposeChoiceField(forms.ModelChoiceField):
    def label_from_instance(self, obj: Any) -> str:
        return obj.name(get_language() or "en")


class StaffConsentForm(forms.Form):
    """A consent given another way (phone, in person), recorded by staff with a note."""

    DECISIONS = (("granted", _("granted")), ("withdrawn", _("withdrawn")))
    LANGUAGES = (("de", _("German")), ("en", _("English")))

    purpose = PurposeChoiceField(
        label=_("Purpose"), queryset=Purpose.objects.all(), empty_label=None
    )
    decision = forms.ChoiceField(label=_("Decision"), choices=DECISIONS, widget=forms.RadioSelect)
    language = forms.ChoiceField(
        label=_("Language of the text read to the person"),
        choices=LANGUAGES,
        widget=forms.RadioSelect,
        help_text=_("The current version of the consent text in this language is recorded."),
    )
    note = forms.CharField(
        label=_("Note"),
        widget=forms.Textarea(attrs={"rows": 4}),
        error_messages={"required": _("A note on how the consent was given is required.")},
        help_text=_("How and when the person gave or withdrew consent, e.g. “by phone”."),
    )

    def clean_note(self) -> str:
        note = (self.cleaned_data.get("note") or "").strip()
        if not note:
            raise forms.ValidationError(
                _("A note on how the consent was given is required."), code="required"
            )
        return note

    @property
    def granted(self) -> bool:
        return self.cleaned_data["decision"] == "granted"


class ConsentTextForm(forms.ModelForm):
    """A new version of a consent text (shown versions never change)."""

    purpose = PurposeChoiceField(label=_("Purpose"), queryset=Purpose.objects.all())

    class Meta:
        model = ConsentText
        fields = ["purpose", "language", "body"]
        widgets = {"body": forms.Textarea(attrs={"rows": 8, "cols": 80})}

    def clean_body(self) -> str:
        body = (self.cleaned_data.get("body") or "").strip()
        if not body:
            raise forms.ValidationError(_("The text must not be empty."), code="required")
        return body
