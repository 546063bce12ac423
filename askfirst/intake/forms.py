from django import forms
from django.core.files.uploadedfile import UploadedFile
from django.utils.translation import gettext_lazy as _

from askfirst.intake.services import kind_from_name


class UploadForm(forms.Form):
    file = forms.FileField(
        label=_("CSV or vCard file"),
        help_text=_(
            "CSV: UTF-8 or Windows-1252, comma or semicolon, English or German column "
            "names, an email column required. vCard: .vcf, versions 3 and 4."
        ),
    )

    def clean_file(self) -> UploadedFile:
        upload = self.cleaned_data["file"]
        if kind_from_name(upload.name or "") is None:
            raise forms.ValidationError(_("Upload a .csv or a .vcf file."), code="wrong_type")
        if not upload.size:
            raise forms.ValidationError(_("The file is empty."), code="empty")
        return upload
