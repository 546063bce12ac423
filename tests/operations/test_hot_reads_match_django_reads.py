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


@pytest.fixture
def request_start():
    """A persistent connection at the start of a request: its health check is due."""
    connection.ensure_connection()
    enabled = connection.health_check_enabled
    connection.health_check_enabled = True
    connection.health_check_done = False
    yield
    connection.health_check_enabled = enabled


@pytest.mark.django_db(transaction=True)
def test_the_read_is_the_requests_health_check(request_start, monkeypatch):
    """No separate `SELECT 1` (a round trip on PostgreSQL) once a read went through."""
    checks = []
    monkeypatch.setattr(connection, "is_usable", lambda: checks.append(1) or True)
    contact = make_contact(email="checked@example.org")  # Django's own check runs here
    assert checks == [1]
    connection.health_check_done = False  # the next request
    rows_read(using="default", sql=SQL, params={"key": "", "id": contact.pk})
    assert Contact.objects.filter(pk=contact.pk).exists()
    assert checks == [1]


@pytest.mark.django_db(transaction=True)
def test_a_bad_statement_on_a_sound_connection_is_not_retried(request_start):
    before = connection.connection
    with pytest.raises(DatabaseError):
        rows_read(using="default", sql="SELECT nothing FROM no_such_table", params={})
    assert connection.connection is before


@pytest.mark.django_db(transaction=True)
def test_a_connection_the_server_dropped_is_replaced(request_start):
    if connection.vendor != "postgresql":
        pytest.skip("an SQLite connection cannot be dropped by a server")
    import psycopg

    dropped = connection.connection.info.backend_pid
    with psycopg.connect(connection.connection.info.dsn, autocommit=True) as admin:
        admin.execute("SELECT pg_terminate_backend(%s)", (dropped,))
    assert rows_read(using="default", sql="SELECT 1 AS one WHERE %(x)s = 1", params={"x": 1})
    assert connection.connection.info.backend_pid != dropped


def _prepared_here() -> list[str]:
    with connection.cursor() as cursor:
        cursor.execute("SELECT statement FROM pg_prepared_statements")
        return [row[0] for row in cursor.fetchall()]


def test_postgresql_prepares_the_read_once_per_connection():
    if connection.vendor != "postgresql":
        pytest.skip("SQLite keeps compiled statements in the driver anyway")
    contact = make_contact(email="prepared@example.org")
    for _ in range(3):
        rows = rows_read(using="default", sql=SQL, params={"key": "", "id": contact.pk})
        assert [row[0] for row in rows] == [contact.pk]
    prepared = [text for text in _prepared_here() if "email_key" in text]
    assert len(prepared) == 1 and "$1" in prepared[0]


def test_postgresql_behind_a_pooler_prepares_nothing(settings):
    if connection.vendor != "postgresql":
        pytest.skip("PostgreSQL only")
    settings.ASKFIRST_DB_PREPARED_READS = False
    contact = make_contact(email="unprepared@example.org")
    sql = SQL.replace("ORDER BY id", "ORDER BY id DESC")  # a statement of its own
    for _ in range(3):
        rows = rows_read(using="default", sql=sql, params={"key": "", "id": contact.pk})
        assert [row[0] for row in rows] == [contact.pk]
    assert not [text for text in _prepared_here() if "ORDER BY id DESC" in text]


def test_djangos_own_statements_are_not_counted_for_preparing():
    """psycopg counts every statement by its text while preparing is on: an import's
    large statements would stay in memory."""
    if connection.vendor != "postgresql":
        pytest.skip("PostgreSQL only")
    contact = make_contact(email="counted@example.org")
    rows_read(using="default", sql=SQL, params={"key": "", "id": contact.pk})
    assert connection.connection.prepare_threshold is None
    Contact.objects.filter(email_key="nobody@example.org").exists()
    counted = connection.connection._prepared._counts
    assert not [key for key in counted if b"nobody" in key[0] or b"EXISTS" in key[0]]
