"""The bulk path decides every row exactly as contact_upsert does, on a mixed file."""

import pytest
from django.db import transaction

from askfirst.contacts.bulk import contacts_bulk_upsert
from askfirst.contacts.inputs import parse_contact
from askfirst.contacts.models import PERSONAL_FIELDS, Contact, Status
from askfirst.contacts.services import ContactConflict, contact_choose_language, contact_upsert
from tests.factories import make_contact, make_staff

pytestmark = pytest.mark.django_db(transaction=True)

ROWS = [
    {"email": "new@example.de", "first_name": "Neu", "country": "Österreich"},
    {"email": "SAME@example.org", "first_name": "Same"},
    {"email": "same@example.org", "first_name": "Same"},  # twice in one batch
    {"email": "changed@example.org", "city": "Wien", "kind": "customer"},
    {"email": "gone@example.org", "first_name": "Back"},
    {"email": "other@example.org", "source": "connector", "source_ref": "7"},
    {"email": "moved@example.org", "source": "connector", "source_ref": "8"},
    {"email": "clash@example.org", "source": "connector", "source_ref": "9"},
    {"email": "x@xn--bcher-kva.de", "last_name": "Bücher", "source_language": "en"},
    # Known from another system: its id there is not ours to overwrite.
    {"email": "crm@example.org", "source": "connector", "source_ref": "41", "city": "Graz"},
    {"email": "crm-only@example.org", "source": "connector", "source_ref": "42"},
]
# Known from another system, and the id belongs to another contact: refused.
FOREIGN_ID_TAKEN = {"email": "taken@example.org", "source": "connector", "source_ref": "10"}


def _world():
    staff = make_staff()
    asking = make_contact(email="changed@example.org", first_name="C")
    contact_choose_language(contact=asking, language="en", user=staff)
    make_contact(email="same@example.org", first_name="Same")
    gone = make_contact(email="gone@example.org")
    Contact.objects.filter(pk=gone.pk).update(
        status=Status.DEACTIVATED, **{n: "" for n in PERSONAL_FIELDS}
    )
    make_contact(email="ref8@example.org", source="connector", source_ref="8")
    make_contact(email="ref9@example.org", source="connector", source_ref="9")
    make_contact(email="clash@example.org")
    make_contact(email="crm@example.org", source="api", source_ref="A-1")
    make_contact(email="crm-only@example.org", source="api", source_ref="A-2")
    make_contact(email="taken@example.org", source="form")
    make_contact(email="ref10@example.org", source="connector", source_ref="10")


def _state():
    fields = ["email", "email_key", "status", "mail_language", "kind", "source", "source_ref",
              "suggested_language", "suggestion_reason", *PERSONAL_FIELDS]  # fmt: skip
    return sorted(Contact.objects.values_list(*fields))


def _one_by_one(inputs):
    results = []
    for data in inputs:
        try:
            results.append(str(contact_upsert(data=data)[1]))
        except ContactConflict:
            results.append("conflict")
    return results


def one_by_one_in_world(rows) -> tuple[list[str], list]:
    """_world(), and what contact_upsert row by row would make of these rows in it
    (results and state; rolled back, so the world stays as it was)."""
    _world()
    with transaction.atomic():
        expected = _one_by_one([parse_contact(row, default_source="import") for row in rows])
        expected_state = _state()
        transaction.set_rollback(True)
    return expected, expected_state


@pytest.mark.parametrize("fast_only", [True, False])
def test_both_paths_agree(fast_only):
    inputs = [parse_contact(row, default_source="import") for row in ROWS]
    if fast_only:
        # Rows the fast plan handles without falling back (no address change by id).
        inputs = [
            i for i in inputs if i.source_ref not in {"8", "9"} and i.email != "SAME@example.org"
        ]
    _assert_agree(inputs)


def test_both_paths_refuse_a_foreign_id_of_another_contact():
    assert _assert_agree([parse_contact(FOREIGN_ID_TAKEN, default_source="import")]) == ["conflict"]


def _assert_agree(inputs):
    _world()
    with transaction.atomic():
        expected = _one_by_one(inputs)
        expected_state = _state()
        transaction.set_rollback(True)
    bulk = [r if r in {"created", "updated", "unchanged", "deactivated"} else "conflict"
            for r in map(str, contacts_bulk_upsert(inputs=inputs))]  # fmt: skip
    assert bulk == expected
    assert _state() == expected_state
    return bulk
