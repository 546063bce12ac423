"""An erasure reads only the imports that can still hold the person: those whose
rejected rows are kept, and for a report line quoting the address, those since the
contact was created. Old imports (rejects expired) cost it nothing, however many."""

from datetime import timedelta

import pytest
from django.utils import timezone

from askfirst.contacts.services import contact_erase
from askfirst.intake import erasure
from askfirst.intake.models import ImportRun
from tests.factories import make_contact

pytestmark = pytest.mark.django_db

EMAIL = "wilhelmine.zauberfeld@erase-me.example"


def _erase_counting_reads(monkeypatch, person) -> int:
    read = []
    original = erasure._rejects_without

    def counting(text, who):
        read.append(text)
        return original(text, who)

    monkeypatch.setattr(erasure, "_rejects_without", counting)
    contact_erase(contact=person)
    return len(read)


def _old_runs(count: int, report: str) -> None:
    ImportRun.objects.bulk_create(
        ImportRun(file_name=f"old-{n}.csv", kind="csv", report=report) for n in range(count)
    )
    # Imported long before this contact, their rejects blanked by the retention.
    ImportRun.objects.update(created_at=timezone.now() - timedelta(days=400))


@pytest.mark.parametrize("old", [0, 200])
def test_old_imports_are_not_read(monkeypatch, django_assert_max_num_queries, old):
    # Reports quoting the address from before this contact existed (its former
    # holder's): the substring search alone would fetch every one of them.
    _old_runs(old, f"rejected: 1\nline 2: {EMAIL} is a known contact, but …")
    person = make_contact(email=EMAIL, first_name="Wilhelmine", last_name="Zauberfeldmann")
    recent = ImportRun.objects.create(
        file_name="new.csv",
        kind="csv",
        report=f"rejected: 2\nline 2: {EMAIL} is a known contact, but …\nline 3: bad",
        rejects=f"line,reason,email\r\n2,x,{EMAIL}\r\n3,bad,kaputt\r\n",
    )

    with django_assert_max_num_queries(60):
        assert _erase_counting_reads(monkeypatch, person) == 1

    recent.refresh_from_db()
    assert EMAIL not in recent.report and EMAIL not in recent.rejects
    assert "kaputt" in recent.rejects


def test_a_report_line_since_the_contact_goes_after_the_rejects_expired(monkeypatch):
    person = make_contact(email=EMAIL)
    run = ImportRun.objects.create(
        file_name="new.csv", kind="csv", report=f"rejected: 1\nline 2: {EMAIL} is a known contact"
    )
    # Past the retention (rejects blanked), but imported while this contact existed.
    ImportRun.objects.filter(pk=run.pk).update(created_at=timezone.now() + timedelta(seconds=1))

    assert _erase_counting_reads(monkeypatch, person) == 1
    run.refresh_from_db()
    assert EMAIL not in run.report
