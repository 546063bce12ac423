"""`askfirst worker` killed with SIGKILL at random points and restarted: every
contact gets its request; the outbox holds exactly one per contact; the only
duplicates on the wire are the bounded ones (a mail accepted by SMTP whose
"sent" mark was lost with the process, at most MARK_EVERY per kill)."""

import os
import random
import signal
import subprocess
import sys
import time
from collections import Counter
from pathlib import Path

import pytest
from django.conf import settings
from django.db import connection

from askfirst.contacts.models import Contact
from askfirst.mail.delivery import MARK_EVERY
from askfirst.mail.models import Outbox, OutboxState
from tests.bulk import due_contacts

pytestmark = pytest.mark.django_db(transaction=True)

CONTACTS = int(os.environ.get("ASKFIRST_TEST_KILL_CONTACTS", "2000"))
KILLS = 5


def _database_url() -> str:
    db = settings.DATABASES["default"]
    if connection.vendor == "postgresql":
        return f"postgresql://{db['USER']}@{db['HOST']}:{db['PORT'] or 5432}/{db['NAME']}"
    return f"sqlite:///{Path(db['NAME']).resolve()}"


def _worker(smtp, *extra: str) -> subprocess.Popen:
    env = {
        **os.environ,
        "DATABASE_URL": _database_url(),
        "ASKFIRST_SMTP_HOST": "127.0.0.1",
        "ASKFIRST_SMTP_PORT": str(smtp.port),
        "ASKFIRST_WORKER_BATCH": "25",
        "ASKFIRST_WORKER_IDLE": "1s",
        "ASKFIRST_MAIL_SENDING_TIMEOUT": "1s",
        "ASKFIRST_LOG_LEVEL": "WARNING",
    }
    return subprocess.Popen(
        [sys.executable, "-m", "askfirst.cli", "worker", *extra],
        env=env,
        stdout=subprocess.DEVNULL,
        stderr=subprocess.PIPE,
    )


def test_sigkill_at_random_points_then_restart(smtp):
    if connection.vendor == "sqlite":
        connection.close()  # let the subprocess write; we read again afterwards
    addresses = due_contacts(CONTACTS)
    rng = random.Random(20260301)
    for _ in range(KILLS):
        process = _worker(smtp)
        time.sleep(rng.uniform(0.7, 1.6))  # start-up takes ~0.7 s
        process.send_signal(signal.SIGKILL)
        process.wait(10)
    time.sleep(1.2)  # past the sending timeout: claims of the dead are free again
    final = _worker(smtp, "--once")
    _, stderr = final.communicate(timeout=120)
    assert final.returncode == 0, stderr.decode()

    received = Counter(m["To"] for m in smtp.store.messages())
    assert set(received) == set(addresses)  # nobody missed
    duplicates = sum(received.values()) - len(received)
    assert duplicates <= KILLS * MARK_EVERY
    assert Outbox.objects.count() == CONTACTS  # written once per contact
    assert Outbox.objects.exclude(state=OutboxState.SENT).count() == 0
    assert set(Contact.objects.values_list("lifecycle_step", flat=True)) == {1}
    print(f"kills={KILLS} contacts={CONTACTS} duplicates on the wire={duplicates}")


def test_sigterm_finishes_the_batch_and_exits(smtp):
    due_contacts(60)
    process = _worker(smtp)
    time.sleep(2.0)
    process.send_signal(signal.SIGTERM)
    assert process.wait(30) == 0
    assert Outbox.objects.filter(state=OutboxState.SENDING).count() == 0
