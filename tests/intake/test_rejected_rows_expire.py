"""Rejected import rows are personal data: `askfirst scrub` blanks them after the retention."""

from datetime import timedelta

import pytest
import time_machine
from django.core.management import call_command
from django.utils import timezone

from askfirst.intake.models import ImportRun

pytestmark = pytest.mark.django_db


def _run(**fields) -> ImportRun:
    return ImportRun.objects.create(file_name="people.csv", kind="csv", rejected=1, **fields)


def test_scrub_blanks_rejects_past_the_retention_only(settings):
    settings.ASKFIRST_IMPORT_REJECTS_RETENTION = timedelta(hours=24)
    start = timezone.now()
    with time_machine.travel(start, tick=False):
        old = _run(rejects="line,reason\n3,invalid: Hanna Geheim <hanna@>\n")
    with time_machine.travel(start + timedelta(hours=23), tick=False):
        fresh = _run(rejects="line,reason\n4,invalid: Fritz Frisch <fritz@>\n")
        call_command("scrub")
        old.refresh_from_db()
        assert "Hanna" in old.rejects
    with time_machine.travel(start + timedelta(hours=25), tick=False):
        call_command("scrub")
    old.refresh_from_db()
    fresh.refresh_from_db()
    assert old.rejects == "" and old.rejected == 1
    assert "Fritz" in fresh.rejects
