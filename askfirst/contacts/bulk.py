"""contact_upsert for many rows at once, with the same outcome per row.

Per batch: one query finds the known addresses (and source ids), new rows go
in with one executemany (SQLite) or COPY (PostgreSQL), changed rows with one
executemany UPDATE, unchanged and deactivated ones cost nothing more. Any case
the fast plan cannot decide exactly as contact_upsert would (an address change
through a source id, two rows for one contact, a constraint violation) sends
the whole batch through contact_upsert row by row instead.
"""

import json
from collections.abc import Sequence
from dataclasses import dataclass, field
from enum import Enum
from functools import cache

from django.db import IntegrityError, connection, models, transaction
from django.utils import timezone

from askfirst.contacts.inputs import TEXT_FIELDS, ContactInput
from askfirst.contacts.language import suggest_language
from askfirst.contacts.models import Contact, Kind, Status
from askfirst.contacts.services import ContactConflict, Outcome, contact_upsert

# Columns read for a known contact: enough to merge and to re-suggest.
_KNOWN = ("id", "status", "email", "email_key", "kind", *TEXT_FIELDS)
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


def _select(where: str, params: list) -> list[dict[str, object]]:
    columns = ", ".join(_q(name) for name in _KNOWN)
    with connection.cursor() as cursor:
        cursor.execute(f"SELECT {columns} FROM {_q(Contact._meta.db_table)} WHERE {where}", params)
        return [dict(zip(_KNOWN, row, strict=True)) for row in cursor.fetchall()]


def _in(column: str, values: list[str]) -> tuple[str, list]:
    if connection.vendor == "postgresql":
        return f"{_q(column)} = ANY(%s)", [values]
    return f"{_q(column)} IN ({', '.join(['%s'] * len(values))})", values


def contacts_known(*, inputs: Sequence[ContactInput]) -> Known:
    """The stored contacts these inputs would meet, by address and by source id."""
    known = Known()
    keys = list({data.email_key for data in inputs})
    for start in range(0, len(keys), _LOOKUP_CHUNK):
        where, params = _in("email_key", keys[start : start + _LOOKUP_CHUNK])
        for row in _select(where, params):
            known.by_key[str(row["email_key"])] = row
    by_source: dict[str, set[str]] = {}
    for data in inputs:
        if data.source_ref and data.email_key not in known.by_key:
            by_source.setdefault(data.source, set()).add(data.source_ref)
    for source, refs in by_source.items():
        ref_list = sorted(refs)
        for start in range(0, len(ref_list), _LOOKUP_CHUNK):
            where, params = _in("source_ref", ref_list[start : start + _LOOKUP_CHUNK])
            for row in _select(f"{_q('source')} = %s AND {where}", [source, *params]):
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


def _insert(creates: list[ContactInput], now: object) -> None:
    columns, template, filled = _insert_plan(connection.vendor)
    rows: list[list] = []
    for data in creates:
        values = data.__dict__
        language, reason = _suggest(values)
        extra = {
            "kind": data.kind or Kind.PROSPECT.value,
            "suggested_language": language,
            "suggestion_reason": reason,
            "created_at": now,
            "updated_at": now,
        }
        row = template.copy()
        for position, name in filled:
            row[position] = extra[name] if name in extra else values[name]
        rows.append(row)
    table = _q(Contact._meta.db_table)
    names = ", ".join(_q(c) for c in columns)
    with connection.cursor() as cursor:
        if connection.vendor == "postgresql":
            # COPY is the one bulk path PostgreSQL offers at executemany's price.
            with cursor.cursor.copy(f"COPY {table} ({names}) FROM STDIN") as copy:
                for row in rows:
                    copy.write_row(row)
        else:
            marks = ", ".join(["%s"] * len(columns))
            cursor.executemany(f"INSERT INTO {table} ({names}) VALUES ({marks})", rows)


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
        values = data.__dict__
        changed = {
            name: values[name] for name in (*data.given, "email") if row[name] != values[name]
        }
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
        now = connection.ops.adapt_datetimefield_value(timezone.now())
        try:
            with transaction.atomic():
                if creates:
                    _insert(creates, now)
                if updates:
                    _update(updates, now)
            return results
        except IntegrityError:
            pass  # someone else wrote one of these meanwhile, or a source id clashes
    with transaction.atomic():
        return _one_by_one(inputs)
