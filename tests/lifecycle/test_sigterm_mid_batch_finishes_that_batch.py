"""SIGTERM while `askfirst worker` has a batch in hand, over 2,000 due contacts.

The batch in hand is finished and committed, whole; the worker takes no
further batch and exits 0. So some contacts are done and the rest are not;
a restarted worker does the rest, and every contact gets its request exactly
once (in the outbox and on the wire).
"""

import signal
import time
from collections import Counter

import pytest
from django.db import connection

from askfirst.contacts.models import Contact
from askfirst.lifecycle.models import LinkToken
from askfirst.mail.models import Outbox, OutboxState
from tests.bulk import due_contacts
from tests.lifecycle.worker_process import worker_process

pytestmark = pytest.mark.django_db(transaction=True)

CONTACTS = 2000
BATCH = 100
PAUSE_AT = 3  # the batch in hand when the signal arrives


def _wait_for(path, timeout: float) -> None:
    deadline = time.monotonic() + timeout
    while not path.exists():
        assert time.monotonic() < deadline, f"{path.name} did not appear"
        time.sleep(0.02)


def test_sigterm_mid_batch_finishes_it_and_a_restart_does_the_rest(smtp, tmp_path):
    addresses = due_contacts(CONTACTS)
    if connection.vendor == "sqlite":
        connection.close()  # the worker writes; we read again afterwards

    process = worker_process(
        smtp_port=smtp.port,
        batch=BATCH,
        ASKFIRST_TEST_PAUSE_DIR=str(tmp_path),
        ASKFIRST_TEST_PAUSE_AT_BATCH=str(PAUSE_AT),
    )
    try:
        _wait_for(tmp_path / "in-batch", timeout=60)
        # Inside the batch's transaction: its mails and links are written,
        # its steps not yet moved, nothing committed.
        assert (tmp_path / "in-batch").read_text() == str(BATCH)
        process.send_signal(signal.SIGTERM)
        _, stderr = process.communicate(timeout=60)
    finally:
        if process.poll() is None:
            process.kill()
    assert process.returncode == 0, stderr.decode()
    assert (tmp_path / "got-sigterm").exists()

    done = PAUSE_AT * BATCH  # the batches before and the one in hand, whole
    steps = Counter(Contact.objects.values_list("lifecycle_step", flat=True))
    assert steps == {1: done, 0: CONTACTS - done}
    mails = Outbox.objects.values_list("contact_id", flat=True)
    assert len(mails) == done
    advanced = set(Contact.objects.filter(lifecycle_step=1).values_list("pk", flat=True))
    assert set(mails) == advanced
    assert LinkToken.objects.count() == done
    assert not Outbox.objects.filter(state=OutboxState.SENDING).exists()

    restarted = worker_process("--once", smtp_port=smtp.port, batch=BATCH)
    _, stderr = restarted.communicate(timeout=180)
    assert restarted.returncode == 0, stderr.decode()

    assert Counter(Contact.objects.values_list("lifecycle_step", flat=True)) == {1: CONTACTS}
    per_contact = Counter(Outbox.objects.values_list("contact_id", flat=True))
    assert len(per_contact) == CONTACTS and set(per_contact.values()) == {1}
    assert LinkToken.objects.count() == CONTACTS
    assert not Outbox.objects.exclude(state=OutboxState.SENT).exists()
    received = Counter(message["To"] for message in smtp.store.messages())
    assert received == Counter(addresses)  # each address once
