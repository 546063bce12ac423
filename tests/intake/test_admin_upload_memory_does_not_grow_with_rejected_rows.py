"""An admin upload's memory does not grow with its rejected rows: ten times the bad rows,
about the same peak (the rejected rows past the cap are counted, not held)."""

import tracemalloc

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.test import Client
from django.urls import reverse

from askfirst.intake import admin, report
from askfirst.intake.models import ImportRun
from tests.factories import make_staff

pytestmark = pytest.mark.django_db

ADD = reverse("admin:intake_importrun_add")

# Each bad row carries ~600 bytes, so holding the rejected rows would show clearly:
# 20,000 of them are 12 MB.
NOTE = "Rückruf erbeten, " * 35


def _peak(client: Client, monkeypatch, bad: int) -> int:
    """Peak memory of the import itself (upload_import), not of the test client
    building and Django parsing the request, which hold the file."""
    peaks = []
    real = admin.upload_import

    def measured(**kwargs):
        base = tracemalloc.get_traced_memory()[0]
        tracemalloc.reset_peak()
        run = real(**kwargs)
        peaks.append(tracemalloc.get_traced_memory()[1] - base)
        return run

    monkeypatch.setattr(admin, "upload_import", measured)
    text = "E-Mail;Vorname;Notiz\r\nok@example.org;Ok;\r\n" + "".join(
        f"kaputt{n};Bernd;{NOTE}{n}\r\n" for n in range(bad)
    )
    upload = SimpleUploadedFile("kunden.csv", text.encode("utf-8"))
    tracemalloc.start()
    try:
        client.post(ADD, {"file": upload})
    finally:
        tracemalloc.stop()
    run = ImportRun.objects.latest("pk")
    assert (run.created + run.unchanged, run.rejected) == (1, bad)
    return peaks[0]


def test_peak_does_not_grow_with_rejected_rows(monkeypatch):
    # A small cap, so that both files run past it: what is measured is what the
    # rejected rows beyond it cost.
    monkeypatch.setattr(report, "REJECTS_KEPT_ROWS", 100)
    client = Client()
    client.force_login(make_staff())
    _peak(client, monkeypatch, 2_000)  # warm caches (imports, compiled SQL) alike
    small = _peak(client, monkeypatch, 2_000)
    large = _peak(client, monkeypatch, 20_000)
    # Holding the 18,000 extra rows would add 10 MB and more.
    assert large < 1.5 * small, (small, large)
    assert (large - small) / 18_000 < 20, (small, large)
