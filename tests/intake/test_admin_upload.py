"""Staff upload a file in the admin, see the report and download the rejected rows."""

import pytest
from django.contrib.auth.models import Permission
from django.core.files.uploadedfile import SimpleUploadedFile
from django.test import Client
from django.urls import reverse

from askfirst.contacts.models import Contact
from askfirst.intake.models import ImportRun
from tests.factories import make_staff

pytestmark = pytest.mark.django_db

ADD = reverse("admin:intake_importrun_add")
CSV = "E-Mail;Vorname\r\nanna@example.de;Anna\r\nkaputt;Bernd\r\n".encode("cp1252")


def _client(user) -> Client:
    client = Client()
    client.force_login(user)
    return client


def test_upload_shows_report_and_rejects(tmp_path):
    client = _client(make_staff())
    assert client.get(reverse("admin:index")).content.count(ADD.encode()) >= 1
    response = client.post(ADD, {"file": SimpleUploadedFile("kunden.csv", CSV)}, follow=True)
    assert response.status_code == 200
    page = response.content.decode()
    assert "Created: 1" in page and "line 3: email:" in page
    assert Contact.objects.get().email == "anna@example.de"
    run = ImportRun.objects.get()
    assert (run.created, run.rejected) == (1, 1)
    assert "anna@example.de" not in run.report + run.rejects  # no good rows kept
    download = client.get(reverse("admin:intake_importrun_rejects", args=[run.pk]))
    assert download["Content-Disposition"] == 'attachment; filename="kunden.rejects.csv"'
    text = download.content.decode("utf-8-sig")
    assert text.splitlines()[1].startswith("3;email:") and "kaputt;Bernd" in text


def test_vcard_upload():
    client = _client(make_staff())
    card = b"BEGIN:VCARD\r\nVERSION:4.0\r\nFN:Ada L\r\nEMAIL:ada@example.org\r\nEND:VCARD\r\n"
    client.post(ADD, {"file": SimpleUploadedFile("cards.vcf", card)})
    assert Contact.objects.get().source == "business_card"


@pytest.mark.parametrize(
    ("upload", "message"),
    [
        (None, "This field is required."),
        (SimpleUploadedFile("photo.png", b"\x89PNG"), "Upload a .csv or a .vcf file."),
        (SimpleUploadedFile("empty.csv", b""), "The submitted file is empty."),
        (SimpleUploadedFile("names.csv", b"Vorname\nAnna\n"), "The file has no email column"),
    ],
)
def test_bad_uploads_change_nothing(upload, message):
    client = _client(make_staff())
    response = client.post(ADD, {"file": upload} if upload else {})
    assert response.status_code == 200
    assert message in response.content.decode()
    assert not Contact.objects.exists() and not ImportRun.objects.exists()


def test_only_staff_with_permission():
    clerk = make_staff("clerk", is_superuser=False)
    client = _client(clerk)

    def upload():
        return {"file": SimpleUploadedFile("kunden.csv", CSV)}

    assert client.post(ADD, upload()).status_code == 403
    clerk.user_permissions.add(
        *Permission.objects.filter(
            codename__in=["add_importrun", "view_importrun", "add_contact", "change_contact"]
        )
    )
    assert client.post(ADD, upload()).status_code == 302
    assert Contact.objects.count() == 1
    assert Client().post(ADD, upload()).status_code == 302  # anonymous → login page
    assert Contact.objects.count() == 1
