"""Writing many rows quickly inside the caller's transaction.

Django's bulk_create prepares every value of every row through the field
(about a third of the worker's time at 5,000 mails/s). Here values are passed
as they are, which is right for the plain char, text, integer, foreign-key and
(aware) datetime columns used.

PostgreSQL: `COPY … FROM STDIN`. A multi-row INSERT of 500 rows × 14 columns
costs psycopg a client-side parse of a statement with 7,000 placeholders and
the server a parse and plan of it; COPY streams the rows, and was 2–3× faster
per batch for the outbox and the link tokens (bench/lifecycle.py, docs/lifecycle.md).
SQLite: multi-row VALUES statements.
"""

from datetime import datetime

from django.db import connection, models


def _prepared(rows: list[tuple], columns: list) -> list:
    """SQLite stores datetimes as text: prepare each distinct datetime once,
    touching only the datetime columns (a batch's rows share a few values)."""
    at = [i for i, column in enumerate(columns) if isinstance(column, models.DateTimeField)]
    if not at:
        return rows
    cache: dict[datetime, object] = {}
    prepared: list[list] = []
    for row in rows:
        values = list(row)
        for i in at:
            value = values[i]
            if value is not None:
                if value not in cache:
                    cache[value] = columns[i].get_db_prep_value(value, connection)
                values[i] = cache[value]
        prepared.append(values)
    return prepared


def rows_insert(model: type[models.Model], rows: list[tuple], fields: list[str]) -> None:
    """Insert `rows`, tuples of values in the order of `fields` (attribute names)."""
    if not rows:
        return
    meta = model._meta
    columns = [meta.get_field(name) for name in fields]
    quote = connection.ops.quote_name
    names = ", ".join(quote(str(getattr(column, "column", ""))) for column in columns)
    table = quote(meta.db_table)
    with connection.cursor() as cursor:
        if connection.vendor == "postgresql":
            # Rows go out as COPY text; psycopg escapes tabs, newlines and
            # backslashes, None is NULL, aware datetimes are timestamptz.
            statement = f"COPY {table} ({names}) FROM STDIN"
            with connection.wrap_database_errors, cursor.cursor.copy(statement) as copy:
                for row in rows:
                    copy.write_row(row)
            return
        params = _prepared(rows, columns)
        head = f"INSERT INTO {table} ({names}) VALUES "
        one = f"({', '.join(['%s'] * len(columns))})"
        # Stay under SQLite's limit of bound parameters.
        per_statement = max(1, min(500, 30000 // len(columns)))
        for start in range(0, len(params), per_statement):
            chunk = params[start : start + per_statement]
            flat = [value for row in chunk for value in row]
            cursor.execute(head + ", ".join([one] * len(chunk)), flat)
