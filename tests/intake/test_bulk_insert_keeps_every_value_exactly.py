"""New contacts from the bulk path store each value exactly as given.

The SQLite insert writes a column that holds one value in the whole batch into
the statement instead of binding it; only plain values may go there. These
rows repeat awkward values across the batch (quotes, a %s, a backslash, an
SQL comment) so that a careless literal would store them wrong or fail.
"""

import pytest

from askfirst.contacts.bulk import contacts_bulk_upsert
from askfirst.contacts.inputs import parse_contact
from askfirst.contacts.models import Contact
from askfirst.contacts.services import Outcome

pytestmark = pytest.mark.django_db

AWKWARD = ["O'Brien & Co", "100%s sure", "back\\slash", "x'); DROP TABLE t; --", "Zoë «Ω»"]


@pytest.mark.parametrize("value", AWKWARD)
def test_a_value_shared_by_the_whole_batch_is_stored_as_given(value):
    rows = [
        {"email": f"p{n}@example.org", "company": value, "city": "Köln", "kind": "customer"}
        for n in range(5)
    ]
    inputs = [parse_contact(row, default_source="import") for row in rows]

    assert contacts_bulk_upsert(inputs=inputs) == [Outcome.CREATED] * 5

    stored = set(Contact.objects.values_list("company", "city", "kind", "status", "source"))
    assert stored == {(value, "Köln", "customer", "queued", "import")}


def test_a_batch_of_one_and_a_batch_of_mixed_values():
    one = [parse_contact({"email": "solo@example.org"}, default_source="api")]
    assert contacts_bulk_upsert(inputs=one) == [Outcome.CREATED]
    mixed = [
        parse_contact({"email": f"m{n}@example.de", "phone": f"+49 {n}"}, default_source="import")
        for n in range(3)
    ]
    assert contacts_bulk_upsert(inputs=mixed) == [Outcome.CREATED] * 3

    solo = Contact.objects.get(email="solo@example.org")
    assert (solo.source, solo.phone, solo.extranet_fields, solo.ledger_length) == ("api", "", [], 0)
    assert sorted(Contact.objects.filter(source="import").values_list("phone", flat=True)) == [
        "+49 0",
        "+49 1",
        "+49 2",
    ]
    assert set(Contact.objects.values_list("suggested_language", flat=True)) == {"", "de"}


def test_values_that_differ_row_by_row_keep_every_character():
    # PostgreSQL's COPY text escapes these; a value must not turn into NULL,
    # a column break or a new row.
    streets = ["Hauptstr. 1\nHinterhaus", "tab\there", "cr\rhere", "back\\slash", "\\N", "", "x"]
    rows = [{"email": f"s{n}@example.org", "street": s} for n, s in enumerate(streets)]
    inputs = [parse_contact(row, default_source="import") for row in rows]

    assert contacts_bulk_upsert(inputs=inputs) == [Outcome.CREATED] * len(streets)

    stored = dict(Contact.objects.values_list("email", "street"))
    assert [stored[f"s{n}@example.org"] for n in range(len(streets))] == streets
    created = set(Contact.objects.values_list("created_at", "updated_at"))
    assert len(created) == 1 and next(iter(created))[0] == next(iter(created))[1]
