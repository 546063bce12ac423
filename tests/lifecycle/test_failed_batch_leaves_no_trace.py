"""A batch that fails part-way is rolled back whole: no outbox row, no link
token, no step moved; the next pass sends exactly what was due.

The failure is injected at the last write of the batch's inserts (the outbox,
after the link tokens went in), as a database error would surface there.
"""

import pytest
from django.db import DatabaseError

from askfirst.contacts.models import Contact, Status
from askfirst.lifecycle import services as lifecycle_services
from askfirst.lifecycle.models import LinkToken
from askfirst.lifecycle.services import lifecycle_advance
from askfirst.lifecycle.worker import Worker
from askfirst.mail.models import Outbox
from tests.bulk import due_contacts

pytestmark = pytest.mark.django_db(transaction=True)


def _steps() -> list[tuple[int, int, object, str]]:
    return list(
        Contact.objects.order_by("pk").values_list(
            "pk", "lifecycle_step", "next_action_at", "status"
        )
    )


@pytest.fixture
def outbox_insert_fails(monkeypatch):
    real = lifecycle_services.rows_insert
    written = []

    def rows_insert(model, rows, fields):
        real(model, rows, fields)
        written.append(model)
        if model is Outbox:
            raise DatabaseError("injected: the outbox insert failed")

    monkeypatch.setattr(lifecycle_services, "rows_insert", rows_insert)
    return written


def test_a_failing_outbox_insert_rolls_the_batch_back(outbox_insert_fails, monkeypatch, smtp):
    due_contacts(30)
    before = _steps()

    with pytest.raises(DatabaseError, match="injected"):
        lifecycle_advance(limit=50)

    assert outbox_insert_fails == [LinkToken, Outbox]  # both were written, then undone
    assert not Outbox.objects.exists()
    assert not LinkToken.objects.exists()
    assert _steps() == before
    assert all(status == Status.ASKING for *_, status in before)

    # Once the fault is gone, the next pass does the whole batch, once.
    monkeypatch.undo()
    Worker(smtp=smtp.target).run_once()
    assert Outbox.objects.count() == 30
    assert LinkToken.objects.count() == 30  # one per mail
    assert set(Contact.objects.values_list("lifecycle_step", flat=True)) == {1}
    assert len(smtp.store.messages()) == 30
