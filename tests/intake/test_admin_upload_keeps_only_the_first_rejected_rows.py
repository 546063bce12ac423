"""An admin upload full of bad rows imports the good ones and stores only the first
rejected rows (ImportRun.rejects is capped): the report page and the downloaded rejects
file both say how many more there were and where to get them all."""

import csv
import io

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.test import Client
from django.urls import reverse

from askfirst.contacts.models import Contact
from askfirst.intake import report
from askfirst.intake.models import ImportRun
from tests.factories import make_staff

pytestmark = pytest.mark.django_db

ADD = reverse("admin:intake_importrun_add")


def _upload(rows: list[str]) -> tuple[Client, ImportRun, str]:
    client = Client()
    client.force_login(make_staff())
    text = "E-Mail;Vorname;Notiz\r\n" + "".join(f"{row}\r\n" for row in rows)
    upload = SimpleUploadedFile("kunden.csv", text.encode("utf-8"))
    page = client.post(ADD, {"file": upload}, follow=True).content.decode()
    return client, ImportRun.objects.get(), page


def _download(client: Client, run: ImportRun) -> list[list[str]]:
    response = client.get(reverse("admin:intake_importrun_rejects", args=[run.pk]))
    text = response.content.decode("utf-8-sig")
    return list(csv.reader(io.StringIO(text, newline=""), delimiter=";"))


def test_rows_past_the_cap_are_counted_not_stored(monkeypatch):
    monkeypatch.setattr(report, "REJECTS_KEPT_ROWS", 100)
    good = [f"person{n}@example.org;Erika;" for n in range(50)]
    bad = [f"kaputt{n};Bernd;Notiz {n}" for n in range(1200)]
    # Good rows before, among and after the bad ones.
    client, run, page = _upload(good[:20] + bad[:600] + good[20:30] + bad[600:] + good[30:])

    assert Contact.objects.count() == 50 == run.created
    assert run.rejected == 1200 and run.rejects_cut == 1100
    stored = list(csv.reader(io.StringIO(run.rejects, newline=""), delimiter=";"))
    assert stored[0] == ["line", "reason", "E-Mail", "Vorname", "Notiz"]
    assert [row[2] for row in stored[1:]] == [f"kaputt{n}" for n in range(100)]

    note = "1100 more rejected rows are not in the rejects file"
    assert note in page and "askfirst import-csv" in page
    # The report lists the first 1000 rejections and no longer claims the file has the rest.
    assert "… and 200 more rejected rows" in page
    assert "all are in the rejects file" not in page

    rows = _download(client, run)
    assert rows[:-1] == stored
    assert rows[-1][0] == "…" and rows[-1][1].startswith(note)


def test_a_row_past_the_byte_cap_ends_what_is_stored(monkeypatch):
    monkeypatch.setattr(report, "REJECTS_KEPT_BYTES", 4096)
    fat = "x" * 3000
    client, run, page = _upload(
        [f"kaputt1;Anna;{fat}", f"kaputt2;Bernd;{fat}", "kaputt3;Carl;", "ok@example.org;Ok;"]
    )

    assert (run.created, run.rejected, run.rejects_cut) == (1, 3, 2)
    assert len(run.rejects.encode("utf-8")) <= 4096
    # What is kept is the start of the full rejects file: the small row after the
    # one that did not fit is cut too, so no row is missing in between.
    assert "kaputt1" in run.rejects and "kaputt3" not in run.rejects
    assert "2 more rejected rows are not in the rejects file" in page
    assert [row[2] for row in _download(client, run)[1:-1]] == ["kaputt1"]


def test_a_file_under_the_cap_is_stored_whole_without_a_note():
    client, run, page = _upload(["kaputt;Bernd;", "ok@example.org;Ok;"])

    assert (run.created, run.rejected, run.rejects_cut) == (1, 1, 0)
    assert "not in the rejects file" not in page
    assert _download(client, run)[-1][:3] == [
        "2",
        "email: An email address must have an @-sign.",
        "kaputt",
    ]
