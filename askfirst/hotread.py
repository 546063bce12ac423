"""Reads on the portal's busiest path, through the driver's own cursor.

A Django cursor costs about 25 µs per query on top of the database's own work
(the wrapper opened and closed, the execute wrappers, the SQLite backend
rewriting the parameters on every call): for the consent page's small reads, as
much as the queries themselves. Here the connection is still Django's (opened,
checked and errors translated as Django does), only the cursor is the driver's.

With CONN_HEALTH_CHECKS, Django sends `SELECT 1` before the first query of each
request; on PostgreSQL that is a round trip of its own. A read can be its own
check instead: it runs on the connection as it is, and only if it fails on a
connection that then proves unusable is it run once more on a new connection.

For plain SELECTs written with named parameters (%(name)s) and no other `%`.
Such reads are not in connection.queries and not seen by execute_wrapper, and,
unlike Django's cursor, they do not refuse to run inside an atomic block that
awaits its rollback (harmless for a SELECT).
"""

from functools import cache
from typing import Any

from django.conf import settings
from django.db import Error, connections


@cache
def _driver_sql(vendor: str, sql: str, names: tuple[str, ...]) -> str:
    """sqlite3 names parameters :name; psycopg takes %(name)s as it is."""
    if vendor == "sqlite":
        return sql % {name: f":{name}" for name in names}
    return sql


def _fetch(connection, sql: str, params: dict) -> list[tuple]:
    with connection.wrap_database_errors:
        if connection.vendor == "postgresql":
            return _fetch_prepared(connection.connection, sql, params)
        cursor = connection.connection.cursor()
        try:
            cursor.execute(_driver_sql(connection.vendor, sql, tuple(params)), params)
            return cursor.fetchall()
        finally:
            cursor.close()


def _fetch_prepared(driver_connection, sql: str, params: dict) -> list[tuple]:
    """PostgreSQL: planning the consent page's query cost more than running it
    (~650 µs a read as Django sends it, 245 µs as a prepared statement). Django's
    cursors bind on the client, which cannot prepare; a server-binding cursor
    prepares the statement once per connection (ASKFIRST_DB_PREPARED_READS).

    psycopg prepares only while the connection's prepare_threshold is set, and while
    it is set it also counts every other statement by its text, Django's too: an
    import's large statements then stay in memory (a hundred of them). So it is set
    for these reads alone; Django's connection keeps it off."""
    import psycopg

    with psycopg.Cursor(driver_connection) as cursor:
        # prepare=True is ignored while the threshold stays None (setting off).
        if settings.ASKFIRST_DB_PREPARED_READS:
            driver_connection.prepare_threshold = 0
        try:
            cursor.execute(sql, params, prepare=True)
        finally:
            driver_connection.prepare_threshold = None
        return cursor.fetchall()


def rows_read(*, using: str, sql: str, params: dict) -> list[tuple]:
    # Any: the stubs lack the health-check attributes every backend has since Django 4.1.
    connection: Any = connections[using]
    check_due = (
        connection.connection is not None
        and connection.health_check_enabled
        and not connection.health_check_done
        and not connection.in_atomic_block
    )
    if not check_due:
        connection.ensure_connection()
        return _fetch(connection, sql, params)
    try:
        rows = _fetch(connection, sql, params)
    except Error:
        if connection.is_usable():
            raise
        connection.close()
        connection.ensure_connection()
        rows = _fetch(connection, sql, params)
    connection.health_check_done = True
    return rows
