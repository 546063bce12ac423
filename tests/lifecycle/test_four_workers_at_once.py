"""Four workers on one PostgreSQL over many due contacts: every contact gets its
request exactly once, none is missed (ASKFIRST_TEST_WORKERS_CONTACTS sets the count)."""

import os
import threading
from collections import Counter

import pytest
from django.db import connection, connections

from askfirst.contacts.models import Contact, Status
from askfirst.lifecycle.worker import Worker
from askfirst.mail.models import Outbox, OutboxState
from tests.bulk import due_contacts

pytestmark = [
    pytest.mark.django_db(transaction=True),
    pytest.mark.skipif(connection.vendor != "postgresql", reason="needs skip-locked claims"),
]

CONTACTS = int(os.environ.get("ASKFIRST_TEST_WORKERS_CONTACTS", "5000"))


def test_four_workers_no_duplicate_no_miss(smtp, settings):
    settings.ASKFIRST_WORKER_BATCH = 50
    addresses = due_contacts(CONTACTS)
    barrier = threading.Barrier(4)
    errors = []

    def work(n):
        try:
            barrier.wait()
            Worker(smtp=smtp.target, worker_id=f"w{n}").run_once()
        except Exception as exc:
            errors.append(exc)
        finally:
            connections.close_all()

    threads = [threading.Thread(target=work, args=(n,)) for n in range(4)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(300)
    assert not errors
    received = Counter(m["To"] for m in smtp.store.messages())
    assert set(received) == set(addresses)
    assert max(received.values()) == 1
    assert Outbox.objects.filter(state=OutboxState.SENT).count() == CONTACTS
    assert Counter(Outbox.objects.values_list("contact_id", flat=True)).most_common(1)[0][1] == 1
    assert set(Contact.objects.values_list("lifecycle_step", flat=True)) == {1}
    assert Contact.objects.filter(status=Status.ASKING).count() == CONTACTS
    # More than one worker did real work.
    assert len(set(Outbox.objects.values_list("claimed_by", flat=True))) >= 2
