"""Rows the reading process prepares ahead (their keys; on PostgreSQL their COPY text,
the time of the insert left open) are stored exactly as rows the writer prepares."""

import pickle

import pytest
from django.db import connection
from django.test import override_settings
from django.utils import timezone

from askfirst.contacts.bulk import contacts_copy_rows
from askfirst.contacts.models import Contact, Status
from askfirst.intake import services
from askfirst.intake.columns import columns_parse
from askfirst.intake.services import import_file, source_open
from tests.factories import make_contact

from .factories import write

pytestmark = pytest.mark.django_db

# Batches of 3: the third holds a known address, so its prepared rows clash
# and it is stored the careful way, from rows unpickled only then.
CSV = (
    "email,first name,last name,company,country,kind\n"
    "anna@example.de,Anna,Äpfel,Back\\slash & Co,,\n"
    'bob@example.com,Bob,Tab\there,Quote "A",France,customer\n'
    "cem@example.at,Cem,Öz,,Österreich,\n"
    "dora@example.com,Dora,D,,,prospect\n"
    "KNOWN@example.com,Known,Again,,,\n"
    "eve@example.ch,Eve,E,,Schweiz,\n"
    "fay@example.de,Fay,F,,,\n"
)
STORED = [
    f.attname
    for f in Contact._meta.concrete_fields
    if f.attname
    not in {
        "id",
        "created_at",
        "updated_at",
        "language_chosen_at",
        "asking_since",
        "next_action_at",
    }
]


def _import(path, *, reader_process):
    make_contact(email="known@example.com", first_name="Known", last_name="Before")
    with path.open("rb") as binary:
        report = import_file(
            source=source_open(binary=binary, kind="csv"), reader_process=reader_process
        )
    rows = sorted(Contact.objects.values_list(*STORED))
    times = list(
        Contact.objects.exclude(email="known@example.com").values_list(
            "status",
            "created_at",
            "updated_at",
            "language_chosen_at",
            "asking_since",
            "next_action_at",
        )
    )
    Contact.objects.all().delete()
    return report.summary(), rows, times


@override_settings(ASKFIRST_IMPORT_BATCH=3, ASKFIRST_AUTO_LANGUAGE=["domain"])
def test_prepared_rows_store_every_value_and_the_time_of_the_insert(tmp_path, monkeypatch):
    copied = []
    real = services.contacts_create_copied
    monkeypatch.setattr(
        services, "contacts_create_copied", lambda **kw: copied.append(1) or real(**kw)
    )
    path = write(tmp_path, CSV)
    before = timezone.now()
    alone = _import(path, reader_process=False)
    assert copied == []
    forked = _import(path, reader_process=True)
    after = timezone.now()
    # The first batch, and the second until it clashes; after a clash the
    # import looks rows up first (the third batch).
    assert len(copied) == (2 if connection.vendor == "postgresql" else 0)
    assert forked[:2] == alone[:2]
    assert (
        forked[0] == "created: 6, updated: 1, unchanged: 0, skipped (deactivated): 0, rejected: 0"
    )
    statuses = set()
    for status, created, updated, chosen, since, due in forked[2]:
        statuses.add(status)
        assert before <= created <= updated <= after
        if status == Status.ASKING:
            assert chosen == since == due and before <= chosen <= after
        else:
            assert chosen is since is due is None
    assert statuses == {Status.ASKING, Status.QUEUED}  # .de and .at start, the rest wait


def _batch():
    rows = [["a@example.org", "Anna"], ["b@example.org", "Bob"]]
    return columns_parse(rows, [2, 3], [(0, "email"), (1, "first_name")], default_source="import")


def test_a_shipped_batch_unpickles_its_rows_only_when_asked():
    batch = _batch()
    shipped = pickle.loads(pickle.dumps(batch))
    assert isinstance(shipped._rows, bytes) and shipped.lines == [2, 3] and len(shipped) == 2
    assert shipped.values == batch.values and shipped.raw == batch.raw
    assert not isinstance(shipped._rows, bytes)


@pytest.mark.skipif("connection.vendor != 'postgresql'")
def test_no_rows_are_prepared_around_a_nul():
    values = dict(_batch().values)
    assert contacts_copy_rows(given=values, count=2) is not None
    values["first_name"] = ["An\x00na", "Bob"]
    assert contacts_copy_rows(given=values, count=2) is None
