"""Portal forms. Limits come from the Contact model; cleaning reuses parse_contact."""

from django import forms
from django.utils.translation import gettext_lazy as _

from askfirst.contacts.emails import InvalidEmail, normalise_email
from askfirst.contacts.inputs import InvalidContact, parse_contact
from askfirst.contacts.models import PERSONAL_FIELDS, Contact, Topic

# WCAG 1.3.5: browsers and assistive tools fill these from the person's data.
AUTOCOMPLETE = {
    "first_name": "given-name",
    "last_name": "family-name",
    "company": "organization",
    "position": "organization-title",
    "phone": "tel",
    "street": "address-line1",  # one line: street-address is for textareas
    "postal_code": "postal-code",
    "city": "address-level2",
    "country": "country-name",
}


class PortalForm(forms.Form):
    """Django marks invalid inputs itself (aria-invalid, aria-describedby → the ids
    `<id>_helptext` and `<id>_error` that portal/field.html gives help and errors)."""


def _email_field(label) -> forms.CharField:
    return forms.CharField(
        label=label,
        max_length=254,
        widget=forms.EmailInput(attrs={"autocomplete": "email", "spellcheck": "false"}),
    )


class LinkRequestForm(PortalForm):
    # The start page shows this form and the login form: ids must differ.
    def __init__(self, *args, **kwargs):
        kwargs.setdefault("auto_id", "link_%s")
        super().__init__(*args, **kwargs)

    email = _email_field(_("Your email address"))

    def clean_email(self) -> str:
        try:
            return normalise_email(self.cleaned_data["email"])
        except InvalidEmail:
            raise forms.ValidationError(_("Enter a valid email address.")) from None


class LoginForm(PortalForm):
    def __init__(self, *args, **kwargs):
        kwargs.setdefault("auto_id", "login_%s")
        super().__init__(*args, **kwargs)

    email = _email_field(_("Your email address"))
    password = forms.CharField(
        label=_("Password"),
        strip=False,
        max_length=4096,
        widget=forms.PasswordInput(attrs={"autocomplete": "current-password"}),
    )


class PasswordForm(PortalForm):
    password = forms.CharField(
        label=_("New password"),
        help_text=_(
            "At least 15 characters. Any characters you like; a sentence you "
            "can remember works well. Common passwords are refused."
        ),
        strip=False,
        max_length=4096,
        widget=forms.PasswordInput(attrs={"autocomplete": "new-password"}),
    )
    password_again = forms.CharField(
        label=_("The same password again"),
        strip=False,
        max_length=4096,
        widget=forms.PasswordInput(attrs={"autocomplete": "new-password"}),
    )

    def clean(self) -> dict:
        data = super().clean() or {}
        if data.get("password") != data.get("password_again"):
            self.add_error("password_again", _("The two passwords differ."))
        return data


class EmailChangeForm(PortalForm):
    new_email = _email_field(_("New email address"))


class DataForm(PortalForm):
    """Every personal field, plus which of them other customers may see."""

    extranet = forms.MultipleChoiceField(
        choices=[(name, name) for name in PERSONAL_FIELDS],
        required=False,
        widget=forms.CheckboxSelectMultiple,
    )

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        for name in PERSONAL_FIELDS:
            model_field = Contact._meta.get_field(name)
            self.fields[name] = forms.CharField(
                label=model_field.verbose_name.capitalize(),  # type: ignore[union-attr]
                max_length=model_field.max_length,  # type: ignore[union-attr]
                required=False,
                strip=True,
                widget=forms.TextInput(attrs={"autocomplete": AUTOCOMPLETE[name]}),
            )

    def clean(self) -> dict:
        data = super().clean() or {}
        values = {name: data[name] for name in PERSONAL_FIELDS if name in data}
        try:
            # The same rules as every intake (whitespace, NUL, valid Unicode, lengths).
            parsed = parse_contact({"email": "person@example.org", **values}, default_source="form")
        except InvalidContact as exc:
            for name in exc.errors:
                if name in self.fields:
                    self.add_error(name, _("This value cannot be stored."))
            return data
        for name in values:
            data[name] = getattr(parsed, name)
        return data

    def personal_fields(self):
        return [self[name] for name in PERSONAL_FIELDS]


class TopicsForm(PortalForm):
    topics = forms.ModelMultipleChoiceField(
        queryset=Topic.objects.all(), required=False, widget=forms.CheckboxSelectMultiple
    )
