"""A worker batch costs the same queries for 3 contacts as for 30.

Work scales with what is due, in batches: a query per contact (a lazy
relation, a deferred column, a save in the loop) would show here. Expiry has
per-contact work by design (each restriction is one UPDATE, each erasure its
own workflow), so expiring contacts are counted separately.
"""

from datetime import timedelta

import pytest
import time_machine
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.utils import timezone

from askfirst.contacts.models import Contact, Kind
from askfirst.contacts.services import contact_choose_language
from askfirst.lifecycle.services import lifecycle_advance
from tests.factories import make_contact, make_staff

pytestmark = pytest.mark.django_db


def _queries(count: int, steps: tuple[int, ...], kind: str = Kind.PROSPECT) -> int:
    Contact.objects.all().delete()
    staff = make_staff()
    now = timezone.now()
    for n in range(count):
        contact = make_contact(email=f"p{n}@example.de", kind=kind, first_name="Jürgen")
        contact_choose_language(contact=contact, language=("de", "en", "de+en")[n % 3], user=staff)
        Contact.objects.filter(pk=contact.pk).update(
            lifecycle_step=steps[n % len(steps)], next_action_at=now
        )
    with time_machine.travel(now + timedelta(seconds=1)), CaptureQueriesContext(connection) as q:
        assert lifecycle_advance(limit=1000).contacts == count
    return len(q.captured_queries)


def test_requests_and_reminders_cost_queries_per_batch_not_per_contact():
    assert _queries(3, steps=(0, 2, 4)) == _queries(30, steps=(0, 2, 4))


def test_restricting_costs_one_update_per_contact(settings):
    settings.ASKFIRST_CUSTOMER_EXPIRY = "restrict"
    last = len(settings.ASKFIRST_SCHEDULE) - 1
    small = _queries(3, steps=(last,), kind=Kind.CUSTOMER)
    large = _queries(30, steps=(last,), kind=Kind.CUSTOMER)
    assert large - small == 27
