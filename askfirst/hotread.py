"""Reads on the portal's busiest path, through the driver's own cursor.

A Django cursor costs about 25 µs per query on top of the database's own work
(the wrapper opened and closed, the execute wrappers, the SQLite backend
rewriting the parameters on every call): for the consent page's three small
reads, as much as the queries themselves. Here the connection is still Django's
(opened, health-checked and errors translated as Django does), only the cursor is
the driver's.

For plain SELECTs written with named parameters (%(name)s) and no other `%`.
Such reads are not in connection.queries and not seen by execute_wrapper.
"""

from functools import cache

from django.db import connections


@cache
def _driver_sql(vendor: str, sql: str, names: tuple[str, ...]) -> str:
    """sqlite3 names parameters :name; psycopg takes %(name)s as it is."""
    if vendor == "sqlite":
        return sql % {name: f":{name}" for name in names}
    return sql


def rows_read(*, using: str, sql: str, params: dict) -> list[tuple]:
    connection = connections[using]
    connection.close_if_health_check_failed()
    connection.ensure_connection()
    with connection.wrap_database_errors:
        cursor = connection.connection.cursor()
        try:
            cursor.execute(_driver_sql(connection.vendor, sql, tuple(params)), params)
            return cursor.fetchall()
        finally:
            cursor.close()
