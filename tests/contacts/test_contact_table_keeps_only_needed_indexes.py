"""Every index on the contacts table costs each imported row; none is there for nothing.

unique=True on a text field gives PostgreSQL a second, LIKE-only index, and a
plain foreign key indexes the NULL of every contact that never had a language
chosen by staff; both cost the import about a fifth of its COPY time.
"""

import pytest
from django.db import connection

pytestmark = pytest.mark.django_db


def test_indexes_on_the_contacts_table():
    with connection.cursor() as cursor:
        constraints = connection.introspection.get_constraints(cursor, "contacts_contact")
    indexed = {
        name: tuple(info["columns"])
        for name, info in constraints.items()
        if (info["index"] or info["unique"]) and not info["primary_key"]
    }
    assert sorted(indexed.values()) == sorted(
        [
            ("email_key",),  # contact_unique_email_key
            ("source", "source_ref"),  # partial: only where a source id is set
            ("language_chosen_by_id",),  # partial: only where staff chose
            ("created_at",),  # the language queue
            ("next_action_at",),  # due contacts
            ("updated_at",),  # restricted contacts
        ]
    ), indexed
    assert not any(name.endswith("_like") for name in indexed)


def _definition(name: str) -> str:
    with connection.cursor() as cursor:
        if connection.vendor == "postgresql":
            cursor.execute("SELECT indexdef FROM pg_indexes WHERE indexname = %s", [name])
        else:
            cursor.execute("SELECT sql FROM sqlite_master WHERE name = %s", [name])
        return cursor.fetchone()[0]


def test_the_staff_choice_is_indexed_only_where_set():
    assert "IS NOT NULL" in _definition("contact_chosen_by_idx")
