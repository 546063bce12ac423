"""contact_upsert for many rows at once, with the same outcome per row.

Per batch: one query finds the known addresses (and source ids), new rows go
in with one executemany (SQLite) or COPY (PostgreSQL), changed rows with one
executemany UPDATE, unchanged and deactivated ones cost nothing more. Any case
the fast plan cannot decide exactly as contact_upsert would (an address change
through a source id, two rows for one contact, a constraint violation) sends
the whole batch through contact_upsert row by row instead.
"""

import json
import re
from collections.abc import Iterator, Mapping, Sequence
from contextlib import contextmanager
from dataclasses import dataclass, field
from datetime import datetime
from enum import Enum
from functools import cache
from operator import attrgetter

from django.conf import settings
from django.db import IntegrityError, connection, models, transaction
from django.utils import timezone

from askfirst.contacts.inputs import TEXT_FIELDS, ContactInput
from askfirst.contacts.language import suggest_language, suggestion_trusted
from askfirst.contacts.models import Contact, Kind, Status
from askfirst.contacts.services import ContactConflict, Outcome, contact_upsert

# Columns read for a known contact: enough to merge and to re-suggest.
_KNOWN = ("id", "status", "email", "email_key", "kind", "source", *TEXT_FIELDS)
# Columns an update writes: what contact_merge may change, and its consequences.
_UPDATED = ("email", "email_key", "kind", *TEXT_FIELDS, "suggested_language", "suggestion_reason")
_LOOKUP_CHUNK = 900

Result = Outcome | str  # an Outcome, or why the row was refused


@dataclass
class Known:
    by_key: dict[str, dict[str, object]] = field(default_factory=dict)
    by_ref: dict[tuple[str, str], dict[str, object]] = field(default_factory=dict)


def _q(name: str) -> str:
    return connection.ops.quote_name(name)


def _rows_where_in(
    columns: Sequence[str], column: str, values: list[str], *, source: str | None = None
) -> Iterator[tuple]:
    """The stored rows (these columns) whose column holds one of values, a chunk at a time;
    with source, only that source's."""
    selected = ", ".join(_q(name) for name in columns)
    table = _q(Contact._meta.db_table)
    with connection.cursor() as cursor:
        for start in range(0, len(values), _LOOKUP_CHUNK):
            where, params = _in(column, values[start : start + _LOOKUP_CHUNK])
            if source is not None:
                where, params = f"{_q('source')} = %s AND {where}", [source, *params]
            cursor.execute(f"SELECT {selected} FROM {table} WHERE {where}", params)
            yield from cursor.fetchall()


def _in(column: str, values: list[str]) -> tuple[str, list]:
    if connection.vendor == "postgresql":
        return f"{_q(column)} = ANY(%s)", [values]
    return f"{_q(column)} IN ({', '.join(['%s'] * len(values))})", values


def _now() -> object:
    """Now, as the database takes it in statements that bypass the model."""
    return connection.ops.adapt_datetimefield_value(timezone.now())


@contextmanager
def _index_probes() -> Iterator[None]:
    """Have PostgreSQL look keys up in their unique index, never scan the table.

    Its cost model prices 900 index probes above a scan of a table of up to
    ~100,000 rows, and a growing table's statistics lag behind: mid-import,
    each lookup scanned the whole table (27 ms at 180,000 rows, rising with
    every batch) where the index answers in 1-2 ms at any size.
    """
    if connection.vendor != "postgresql":
        yield
        return
    with connection.cursor() as cursor:
        cursor.execute("SET enable_seqscan = off")
        try:
            yield
        finally:
            cursor.execute("RESET enable_seqscan")


def contacts_known(*, inputs: Sequence[ContactInput]) -> Known:
    """The stored contacts these inputs would meet, by address and by source id."""
    with _index_probes():
        return _known(inputs)


def _known(inputs: Sequence[ContactInput]) -> Known:
    known = Known()
    keys = list({data.email_key for data in inputs})
    for values in _rows_where_in(_KNOWN, "email_key", keys):
        row = dict(zip(_KNOWN, values, strict=True))
        known.by_key[str(row["email_key"])] = row
    by_source: dict[str, set[str]] = {}
    for data in inputs:
        if not data.source_ref:
            continue
        stored = known.by_key.get(data.email_key)
        # Unknown address: the id may find the contact. Known address that does
        # not hold this id already: the id may belong to another contact, which
        # contact_upsert refuses. A re-import of the same rows looks up nothing.
        holds_it = stored is not None and (stored["source"], stored["source_ref"]) == (
            data.source,
            data.source_ref,
        )
        if not holds_it:
            by_source.setdefault(data.source, set()).add(data.source_ref)
    for source, refs in by_source.items():
        for values in _rows_where_in(_KNOWN, "source_ref", sorted(refs), source=source):
            row = dict(zip(_KNOWN, values, strict=True))
            known.by_ref[(source, str(row["source_ref"]))] = row
    return known


@cache
def _insert_plan(vendor: str) -> tuple[list[str], list[object], list[tuple[int, str]]]:
    """Columns, a template row of constant defaults, and (position, input name) to fill."""
    columns: list[str] = []
    template: list[object] = []
    filled: list[tuple[int, str]] = []
    from_input = {"email", "email_key", "source", "kind", *TEXT_FIELDS}
    computed = {"suggested_language", "suggestion_reason", "created_at", "updated_at"}
    for f in Contact._meta.concrete_fields:
        if f.primary_key:
            continue
        position = len(columns)
        columns.append(f.column or f.attname)
        if f.attname in from_input or f.attname in computed:
            template.append(None)
            filled.append((position, f.attname))
        elif isinstance(f, models.JSONField):
            template.append(json.dumps(f.get_default()))
        elif f.is_relation:
            template.append(None)
        else:
            default = f.get_default()
            # Plain values only: psycopg's COPY would write an Enum by its name.
            template.append(default.value if isinstance(default, Enum) else default)
    return columns, template, filled


def _suggest(values: dict[str, object]) -> tuple[str, str]:
    return suggest_language(
        email=str(values["email"]),
        country=str(values.get("country") or ""),
        source_language=str(values.get("source_language") or ""),
    )


def suggestions(
    emails: Sequence[str], countries: Sequence[str], source_languages: Sequence[str]
) -> tuple[list[str], list[str]]:
    """suggest_language for each row: the languages and the reasons.

    It reads only the domain of the address, so each (domain, country,
    language) is asked once.
    """
    known: dict[tuple[str, str, str], tuple[str, str]] = {}
    languages: list[str] = []
    reasons: list[str] = []
    for email, country, source_language in zip(emails, countries, source_languages, strict=True):
        key = (email.rpartition("@")[2], country, source_language)
        answer = known.get(key)
        if answer is None:
            answer = known[key] = suggest_language(
                email=email, country=country, source_language=source_language
            )
        languages.append(answer[0])
        reasons.append(answer[1])
    return languages, reasons


# Inlined constants: only letters, digits and a few marks, never a quote or %.
_SAFE_LITERAL = re.compile(r"[\w .:+\-\[\]]*", re.ASCII)


def _literal(value: object) -> str | None:
    """value as SQL text when it is safe to write into the statement, else None."""
    if value is None:
        return "NULL"
    if isinstance(value, bool):
        return str(int(value))
    if isinstance(value, int):
        return str(value)
    if isinstance(value, str) and _SAFE_LITERAL.fullmatch(value):
        return f"'{value}'"
    return None


# Per input field, one value per new row.
Columns = Mapping[str, Sequence[str]]
_FROM_INPUT = ("email", "email_key", "source", "kind", *TEXT_FIELDS)


def _input_columns(creates: list[ContactInput]) -> Columns:
    return {name: tuple(map(attrgetter(name), creates)) for name in _FROM_INPUT}


def _kinds(given: Sequence[str] | None, count: int) -> Sequence[str]:
    default = Kind.PROSPECT.value
    if given is None:
        return (default,) * count
    return tuple(kind or default for kind in given)


def _insert_columns(given: Columns, count: int, now: object) -> tuple[list[str], list[Sequence]]:
    """Each column's values for the new rows, built column by column."""
    columns, template, filled = _insert_plan(connection.vendor)
    values: list[Sequence] = [(constant,) * count for constant in template]
    empty = ("",) * count
    if "suggested_language" in given:  # worked out by the import's reader
        languages, reasons = given["suggested_language"], given["suggestion_reason"]
    else:
        languages, reasons = suggestions(
            given["email"], given.get("country", empty), given.get("source_language", empty)
        )
    computed: dict[str, Sequence] = {
        "kind": _kinds(given.get("kind"), count),
        "suggested_language": languages,
        "suggestion_reason": reasons,
        "created_at": (now,) * count,
        "updated_at": (now,) * count,
    }
    for position, name in filled:
        values[position] = computed.get(name) or given.get(name) or empty
    if settings.ASKFIRST_AUTO_LANGUAGE:
        _start_trusted_columns(columns, values, languages, reasons, now)
    return columns, values


def _asking_columns(*, language: str, now: object) -> dict[str, object]:
    """Column → value that Contact.start_asking sets, for statements that bypass the model."""
    contact = Contact()
    contact.start_asking(language=language, by=None, at=now, automatically=True)
    values: dict[str, object] = {}
    for model_field in Contact._meta.concrete_fields:
        if model_field.name in Contact.ASKING_FIELDS:
            value = getattr(contact, model_field.attname)
            # Plain values only: psycopg's COPY would write an Enum by its name.
            values[str(model_field.column)] = value.value if isinstance(value, Enum) else value
    return values


def _start_trusted_columns(
    columns: list[str],
    values: list[Sequence],
    languages: Sequence[str],
    reasons: Sequence[str],
    now: object,
) -> None:
    """New rows whose suggestion the operator trusts start asking."""
    trusted = {reason: suggestion_trusted(reason) for reason in set(reasons)}
    starts = [trusted[reason] for reason in reasons]
    if not any(starts):
        return
    position = {name: index for index, name in enumerate(columns)}
    started = {language: _asking_columns(language=language, now=now) for language in set(languages)}
    for column in started[languages[0]]:
        index = position[column]
        values[index] = tuple(
            started[language][column] if start else before
            for start, language, before in zip(starts, languages, values[index], strict=True)
        )


def _insert(given: Columns, count: int, now: object) -> None:
    if connection.vendor == "postgresql":
        _copy(_copy_rows(given, count, now))
        return
    columns, values = _insert_columns(given, count, now)
    table = _q(Contact._meta.db_table)
    # SQLite binds every value of every row one by one, and that is most of an
    # INSERT's cost: measured here, a row of 30 bound values inserts at ~100k
    # rows/s, with 10 bound ~165k. A column holding one value in the whole
    # batch (the defaults, empty fields, the timestamp) is written into the
    # statement instead, when it is a plain value.
    marks: list[str] = []
    bound: list[Sequence] = []
    for column_values in values:
        first = column_values[0]
        # One row alone stays bound: some column must carry the rows.
        constant = len(column_values) > 1 and _one_value(column_values)
        literal = _literal(first) if constant else None
        if literal is None:
            marks.append("%s")
            bound.append(column_values)
        else:
            marks.append(literal)
    names = ", ".join(_q(c) for c in columns)
    with connection.cursor() as cursor:
        cursor.executemany(
            f"INSERT INTO {table} ({names}) VALUES ({', '.join(marks)})",
            list(zip(*bound, strict=True)),
        )


@dataclass(frozen=True, slots=True)
class CopyRows:
    """New rows as COPY text (UTF-8, as sent) for the named columns."""

    names: str
    data: bytes


def _copy_rows(given: Columns, count: int, now: object) -> CopyRows:
    columns, values = _insert_columns(given, count, now)
    # A column left out is NULL: the server skips a column that is NULL in
    # every row (~5 % of its COPY work, measured) when it is not named.
    kept = [
        (column, column_values)
        for column, column_values in zip(columns, values, strict=True)
        if column_values[0] is not None or not _one_value(column_values)
    ]
    return CopyRows(
        names=", ".join(_q(column) for column, _values in kept),
        data=_copy_text([column_values for _column, column_values in kept]).encode(),
    )


def _copy(rows: CopyRows) -> None:
    table = _q(Contact._meta.db_table)
    # COPY is the one bulk path PostgreSQL offers at executemany's price.
    # It runs on the driver's cursor: its errors are wrapped by hand, so
    # that a clash is Django's IntegrityError like everywhere else.
    with (
        connection.cursor() as cursor,
        connection.wrap_database_errors,
        cursor.cursor.copy(f"COPY {table} ({rows.names}) FROM STDIN") as copy,
    ):
        copy.write(rows.data)


# Stands for the time of the insert in rows built ahead: COPY text can hold
# no NUL, so no value is mistaken for it.
_NOW_MARK = "\x00"
_NOW_MARK_BYTE = _NOW_MARK.encode()


def contacts_copy_rows(*, given: Columns, count: int) -> CopyRows | None:
    """The rows contacts_create_all would COPY, built ahead of the insert (on
    the import's reading core), the time of the insert left open; None where
    the database does not load by COPY, or a value holds a NUL."""
    if connection.vendor != "postgresql":
        return None
    if any("\x00" in "".join(column) for column in given.values()):
        return None
    return _copy_rows(given, count, _NOW_MARK)


# COPY's text format: a tab between columns, a newline after each row, \N for
# NULL, and these four escaped inside a value.
_COPY_ESCAPES = str.maketrans({"\\": "\\\\", "\t": "\\t", "\n": "\\n", "\r": "\\r"})


def _copy_value(value: object) -> str:
    if value is None:
        return "\\N"
    if isinstance(value, bool):
        return "t" if value else "f"
    if isinstance(value, str):
        return value.translate(_COPY_ESCAPES)
    if isinstance(value, int):
        return str(value)
    if isinstance(value, datetime):
        return value.isoformat()
    raise TypeError(f"no COPY text for {type(value).__name__}")


def _one_value(column: Sequence) -> bool:
    """Whether every value of the column is the same (False == 0 for count; not here)."""
    first = column[0]
    # The last value settles most columns (an address, a name) without a count.
    if column[-1] != first or column.count(first) != len(column):
        return False
    return not isinstance(first, int) or set(map(type, column)) == {type(first)}


def _copy_column(column: Sequence) -> Sequence[str]:
    first = column[0]
    if _one_value(column):
        return (_copy_value(first),) * len(column)
    try:
        joined = "".join(column)
    except TypeError:
        return [_copy_value(value) for value in column]
    if "\\" in joined or "\t" in joined or "\n" in joined or "\r" in joined:
        return [value.translate(_COPY_ESCAPES) for value in column]
    return column


def _copy_text(values: list[Sequence]) -> str:
    """The rows as COPY text, built a column at a time.

    psycopg's write_row formats one row per Python call; joining whole
    columns costs a fraction of that, which matters with three busy
    processes (reader, writer, server) on two cores.
    """
    columns = [_copy_column(column) for column in values]
    return "\n".join(map("\t".join, zip(*columns, strict=True))) + "\n"


def _start_trusted(updates: list[dict[str, object]], now: object) -> None:
    """Updated rows still waiting whose new suggestion is trusted start asking."""
    starts = [
        (_asking_columns(language=str(row["suggested_language"]), now=now), row["id"])
        for row in updates
        if row["status"] == Status.QUEUED and suggestion_trusted(str(row["suggestion_reason"]))
    ]
    if not starts:
        return
    columns = list(starts[0][0])
    sets = ", ".join(f"{_q(column)} = %s" for column in (*columns, "updated_at"))
    # Only if still waiting: staff may have chosen meanwhile.
    sql = f"UPDATE {_q(Contact._meta.db_table)} SET {sets} WHERE id = %s AND status = %s"
    rows: list[list] = [
        [*(values[column] for column in columns), now, pk, Status.QUEUED.value]
        for values, pk in starts
    ]
    with connection.cursor() as cursor:
        cursor.executemany(sql, rows)


def _update(updates: list[dict[str, object]], now: object) -> None:
    sets = ", ".join(f"{_q(name)} = %s" for name in (*_UPDATED, "updated_at"))
    sql = f"UPDATE {_q(Contact._meta.db_table)} SET {sets} WHERE {_q('id')} = %s"
    rows: list[list] = [[*(row[name] for name in _UPDATED), now, row["id"]] for row in updates]
    with connection.cursor() as cursor:
        cursor.executemany(sql, rows)


def _one_by_one(inputs: Sequence[ContactInput]) -> list[Result]:
    results: list[Result] = []
    for data in inputs:
        try:
            results.append(contact_upsert(data=data)[1])
        except ContactConflict as exc:
            results.append(str(exc))
        except IntegrityError:
            results.append(
                f"{data.source} id {data.source_ref!r} belongs to another contact already."
            )
    return results


def _plan(
    inputs: Sequence[ContactInput], known: Known
) -> tuple[list[Result], list[ContactInput], list[dict[str, object]]] | None:
    """Decide each row as contact_upsert would; None when only row by row is exact."""
    results: list[Result] = []
    creates: list[ContactInput] = []
    updates: list[dict[str, object]] = []
    touched: set[object] = set()
    refs: set[tuple[str, str]] = set()
    for data in inputs:
        row = known.by_key.get(data.email_key)
        if row is None and data.source_ref:
            row = known.by_ref.get((data.source, data.source_ref))
            if row is not None and row["status"] != Status.DEACTIVATED:
                return None  # an address change: contact_upsert checks conflicts itself
        elif row is not None and data.source_ref:
            holder = known.by_ref.get((data.source, data.source_ref))
            if holder is not None and holder["id"] != row["id"]:
                return None  # the id is another contact's: contact_upsert refuses the row
        if data.source_ref:
            ref = (data.source, data.source_ref)
            if ref in refs:
                return None
            refs.add(ref)
        if row is None:
            if data.email_key in touched:
                return None
            touched.add(data.email_key)
            creates.append(data)
            results.append(Outcome.CREATED)
            continue
        if row["id"] in touched:
            return None
        touched.add(row["id"])
        if row["status"] == Status.DEACTIVATED:
            results.append(Outcome.DEACTIVATED)
            continue
        names = {*data.given, "email"}
        if data.source != row["source"]:
            # As contact_merge: an id means something only in its own system.
            names.discard("source_ref")
        changed = {name: value for name in names if row[name] != (value := getattr(data, name))}
        if not changed:
            results.append(Outcome.UNCHANGED)
            continue
        merged = {**row, **changed}
        merged["suggested_language"], merged["suggestion_reason"] = _suggest(merged)
        updates.append(merged)
        results.append(Outcome.UPDATED)
    return results, creates, updates


def contacts_bulk_upsert(
    *, inputs: Sequence[ContactInput], known: Known | None = None
) -> list[Result]:
    """contact_upsert for each input, in order; one result per input."""
    if not inputs:
        return []
    if known is None:
        known = contacts_known(inputs=inputs)
    plan = _plan(inputs, known)
    if plan is not None:
        results, creates, updates = plan
        now = _now()
        try:
            with transaction.atomic():
                if creates:
                    _insert(_input_columns(creates), len(creates), now)
                if updates:
                    _update(updates, now)
                    _start_trusted(updates, now)
            return results
        except IntegrityError:
            pass  # someone else wrote one of these meanwhile, or a source id clashes
    with transaction.atomic():
        return _one_by_one(inputs)


def contacts_create_all(*, given: Columns, count: int) -> bool:
    """Store every row as a new contact, in one transaction; False, storing nothing, if any
    row's address or source id is taken.

    A file of new contacts costs one write per batch instead of a lookup and a
    write; a clash costs one failed statement, and the caller goes the way of
    contacts_bulk_upsert.
    """
    now = _now()
    try:
        with transaction.atomic():
            _insert(given, count, now)
    except IntegrityError:
        return False
    return True


def contacts_create_copied(*, rows: CopyRows) -> bool:
    """contacts_create_all for rows built ahead by contacts_copy_rows."""
    now = _copy_value(_now()).encode()
    try:
        with transaction.atomic():
            _copy(CopyRows(names=rows.names, data=rows.data.replace(_NOW_MARK_BYTE, now)))
    except IntegrityError:
        return False
    return True


class _Unset:
    """A cell the row leaves empty: not given, so equal to whatever is stored."""

    __slots__ = ()

    def __eq__(self, other: object) -> bool:
        return True

    __hash__ = None  # type: ignore[assignment]


_UNSET = _Unset()


def contacts_unchanged(*, given: Columns, count: int) -> list[bool]:
    """For each row: True if contact_upsert would find it UNCHANGED.

    That is a known address, not deactivated, holding every value the row
    gives (and the row's source id, if it gives one, under the same source).
    False means "look closer" (contacts_bulk_upsert decides), never "changed".
    A re-import reads each stored row once and compares whole rows as tuples.
    """
    # The source id is compared with its source, below.
    names = [n for n in ("email", "kind", *TEXT_FIELDS) if n in given and n != "source_ref"]
    wanted = list(zip(*([value or _UNSET for value in given[name]] for name in names), strict=True))
    keys = list(given["email_key"])
    columns = ("email_key", "status", "source", "source_ref", *names)
    with _index_probes():
        stored = {row[0]: row for row in _rows_where_in(columns, "email_key", keys)}
    sources = given["source"]
    refs = given.get("source_ref") or ("",) * count
    deactivated = Status.DEACTIVATED.value
    result = []
    for key, values, source, ref in zip(keys, wanted, sources, refs, strict=True):
        row = stored.get(key)
        result.append(
            row is not None
            and row[1] != deactivated
            and (not ref or (row[2], row[3]) == (source, ref))
            and row[4:] == values
        )
    return result
