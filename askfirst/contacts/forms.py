"""Staff forms on contacts (the Django admin)."""

from typing import Any

from django import forms
from django.utils.translation import gettext_lazy as _

from askfirst.contacts.emails import InvalidEmail, email_key, normalise_email
from askfirst.contacts.language import suggest_language
from askfirst.contacts.models import PERSONAL_FIELDS, Contact

# Fields whose change may change the language suggestion.
SUGGESTION_INPUTS = ("email", "country", "source_language")


class ContactAdminForm(forms.ModelForm):
    """Edits a contact; the address is validated and normalised like every intake.

    The case-folded `email_key` follows the address, and uniqueness is checked
    on it, so "Anna@Example.de" and "anna@example.de" are one person.
    """

    class Meta:
        model = Contact
        fields = (
            "email",
            *PERSONAL_FIELDS,
            "kind",
            "source",
            "source_ref",
            "source_language",
            "topics",
        )

    def clean_email(self) -> str:
        raw = self.cleaned_data.get("email") or ""
        try:
            email = normalise_email(raw)
        except InvalidEmail as exc:
            raise forms.ValidationError(
                _("This is not a valid email address: %(reason)s"),
                code="invalid",
                params={"reason": str(exc)},
            ) from None
        key = email_key(email)
        others = Contact.objects.filter(email_key=key)
        if self.instance.pk is not None:
            others = others.exclude(pk=self.instance.pk)
        existing = others.first()
        if existing is not None:
            raise forms.ValidationError(
                _(
                    "Another contact already has this address (addresses are compared "
                    "without regard to upper and lower case): %(email)s"
                ),
                code="unique",
                params={"email": existing.email},
            )
        self._email_key = key
        return email

    def save(self, commit: bool = True) -> Any:
        contact = super().save(commit=False)
        if hasattr(self, "_email_key"):
            contact.email_key = self._email_key
        adding = contact.pk is None
        if adding or any(name in self.changed_data for name in SUGGESTION_INPUTS):
            language, reason = suggest_language(
                email=contact.email,
                country=contact.country,
                source_language=contact.source_language,
            )
            contact.suggested_language = language
            contact.suggestion_reason = reason
        if commit:
            contact.save()
            self.save_m2m()
        return contact
