"""An erasure schedules a scrub; one worker runs it after ASKFIRST_SCRUB_DELAY."""

from datetime import timedelta

import pytest
import time_machine
from django.db import connection
from django.utils import timezone

from askfirst.consent.services import Proof, contact_deactivate
from askfirst.contacts.models import Upkeep
from askfirst.contacts.services import contact_erase, scrub_claim
from askfirst.lifecycle.worker import Worker
from tests.contacts.test_scrub_removes_dead_rows_from_postgres_files import (
    _files_with_needle,
    _relation_files,
)
from tests.factories import make_contact

pytestmark = pytest.mark.django_db(transaction=True)

NEEDLE = "Quappenhueter"


def _due_at():
    return Upkeep.objects.get(name="scrub").due_at


def test_erasures_share_one_scrub_due_after_the_delay(settings):
    settings.ASKFIRST_SCRUB_DELAY = timedelta(hours=1)
    start = timezone.now()
    with time_machine.travel(start, tick=False):
        contact_erase(contact=make_contact())
    with time_machine.travel(start + timedelta(minutes=30), tick=False):
        contact_deactivate(contact=make_contact(), proof=Proof(channel="portal"))
        assert _due_at() == start + timedelta(hours=1)  # not pushed back
        assert scrub_claim() is False  # not yet due
    with time_machine.travel(start + timedelta(hours=1, minutes=1), tick=False):
        assert scrub_claim() is True
        assert scrub_claim() is False  # only one worker takes it
    assert _due_at() is None


def test_the_worker_runs_the_scrub_when_due(settings):
    settings.ASKFIRST_SCRUB_DELAY = timedelta(hours=1)
    contact_erase(contact=make_contact(last_name=NEEDLE, email="quappe@example.org"))
    postgres_files = connection.vendor == "postgresql" and _relation_files()[0].parent.exists()
    if postgres_files:
        assert _files_with_needle()
    with time_machine.travel(timezone.now() + timedelta(hours=2)):
        Worker().run_once()
    assert _due_at() is None
    if postgres_files:
        assert _files_with_needle() == []
