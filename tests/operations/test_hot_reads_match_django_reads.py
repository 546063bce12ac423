"""askfirst/hotread.py reads through the driver's cursor on the portal's busiest path.
It must give what Django's cursor gives, inside a transaction too, and fail with
Django's exceptions, on SQLite and on PostgreSQL."""

import pytest
from django.db import DatabaseError, connection, transaction

from askfirst.contacts.models import Contact
from askfirst.hotread import rows_read
from tests.factories import make_contact

pytestmark = pytest.mark.django_db

SQL = (
    f"SELECT id, email, first_name FROM {Contact._meta.db_table}"
    " WHERE email_key = %(key)s OR id = %(id)s ORDER BY id"
)


def test_same_rows_as_django_cursor_including_unicode():
    one = make_contact(email="jürgen@example.org", first_name="Jürgen")
    make_contact(email="zoë@example.org", first_name="Zoë")
    params = {"key": "zoë@example.org", "id": one.pk}
    with connection.cursor() as cursor:
        cursor.execute(SQL, params)
        expected = [tuple(row) for row in cursor.fetchall()]
    assert len(expected) == 2
    assert [tuple(row) for row in rows_read(using="default", sql=SQL, params=params)] == expected


def test_sees_the_open_transactions_own_writes():
    with transaction.atomic():
        contact = make_contact(email="inside@example.org")
        rows = rows_read(using="default", sql=SQL, params={"key": "", "id": contact.pk})
        assert [row[0] for row in rows] == [contact.pk]
    assert rows_read(using="default", sql=SQL, params={"key": "", "id": -1}) == []


def test_a_bad_statement_raises_djangos_error():
    with pytest.raises(DatabaseError):
        rows_read(using="default", sql="SELECT nothing FROM no_such_table", params={})
