"""Validate a chunk of plain CSV rows column by column: row_parse's rules at a fraction of the cost.

row_parse checks each cell of each row in Python (~5 µs a row). Most files
are regular: every cell is already trimmed, short enough and free of NUL,
every address plain. For such a chunk the same checks run once per column
over the column's text joined into one string (in C), and only the address
needs a look per row. Anything else (an invalid address, a value too long, a
NUL, a bad source or kind) gives None and the chunk goes row by row through
row_parse, which names the problem. A property test checks both agree
(tests/intake/test_column_parse_agrees_with_row_parse.py).
"""

import pickle
import re
from collections.abc import Callable, Iterable, Sequence
from dataclasses import dataclass
from itertools import repeat

from askfirst.contacts.bulk import CopyRows, suggestions
from askfirst.contacts.emails import InvalidEmail
from askfirst.contacts.inputs import TEXT_FIELDS, ContactInput
from askfirst.intake.emails import email_normalise_fast
from askfirst.intake.records import Record
from askfirst.intake.rows import KINDS, SOURCES, limits

# The whitespace str.split() splits on besides the plain space (a test checks
# it against str.isspace). One character class: a regular expression of
# alternatives was most of the reading process's time.
OTHER_SPACE = re.compile(
    r"[\t\n\x0b\x0c\r\x1c-\x1f\x85\xa0\u1680\u2000-\u200a\u2028\u2029\u202f\u205f\u3000]"
)


def _unnormal(joined: str) -> bool:
    """Whether " ".join(value.split()) changes any value joined here by NUL (which
    no accepted value contains): whitespace but single inner spaces."""
    return (
        "  " in joined
        or "\x00 " in joined
        or " \x00" in joined
        or joined.startswith(" ")
        or joined.endswith(" ")
        or OTHER_SPACE.search(joined) is not None
    )


# Each row's address key, and (row, key) for each source id; None if two rows share one.
BatchKeys = tuple[list[int], list[tuple[int, int]]] | None


@dataclass(frozen=True, slots=True)
class Ahead:
    """What storing a batch of new contacts takes, worked out by the reading process."""

    keys: BatchKeys
    copy_rows: CopyRows | None


class ColumnBatch:
    """Valid rows, one list per ContactInput field ("" where a row has no value), and the
    suggested language and its reason for each.

    Pickled (sent by the reading process), the rows travel as bytes and are
    unpickled on first use: a writer that stores them from `ahead` alone
    never pays for it.
    """

    __slots__ = ("lines", "ahead", "_rows")

    def __init__(
        self, *, lines: list[int], raw: list[list[str]], values: dict[str, Sequence[str]]
    ) -> None:
        self.lines = lines
        self.ahead: Ahead | None = None
        self._rows: tuple[list[list[str]], dict[str, Sequence[str]]] | bytes = (raw, values)

    def _unpacked(self) -> tuple[list[list[str]], dict[str, Sequence[str]]]:
        rows = self._rows
        if isinstance(rows, bytes):
            # Written by __reduce__ below, in our own reading process.
            rows = self._rows = pickle.loads(rows)  # noqa: S301
        return rows

    @property
    def raw(self) -> list[list[str]]:
        return self._unpacked()[0]

    @property
    def values(self) -> dict[str, Sequence[str]]:
        return self._unpacked()[1]

    def __reduce__(self) -> tuple[Callable, tuple]:
        rows = pickle.dumps(self._unpacked(), protocol=pickle.HIGHEST_PROTOCOL)
        return _shipped, (self.lines, self.ahead, rows)

    def __len__(self) -> int:
        return len(self.lines)

    def column(self, name: str) -> Sequence[str]:
        return self.values.get(name) or ("",) * len(self.lines)

    def record(self, index: int) -> Record:
        return Record(line=self.lines[index], raw=self.raw[index])

    def inputs(self, indexes: Iterable[int] | None = None) -> list[ContactInput]:
        """The rows (all, or those at indexes) as row_parse would have returned them."""
        values = self.values
        texts = [name for name in TEXT_FIELDS if name in values]
        kinds = self.column("kind")
        result = []
        for index in range(len(self.lines)) if indexes is None else indexes:
            given = {name for name in texts if values[name][index]}
            if kinds[index]:
                given.add("kind")
            result.append(
                ContactInput(
                    email=values["email"][index],
                    email_key=values["email_key"][index],
                    source=values["source"][index],
                    kind=kinds[index],
                    given=frozenset(given),
                    **{name: values[name][index] for name in texts},
                )
            )
        return result


def _shipped(lines: list[int], ahead: Ahead | None, rows: bytes) -> ColumnBatch:
    batch = ColumnBatch.__new__(ColumnBatch)
    batch.lines, batch.ahead, batch._rows = lines, ahead, rows
    return batch


def _normal(column: Sequence[str], name: str, limit: int) -> Sequence[str] | None:
    joined = "\x00".join(column)
    if joined.count("\x00") != len(column) - 1:
        return None
    if name == "street":
        # Lines keep their inner spacing; stripping each value costs less than looking.
        column = [value.strip() for value in column]
    elif _unnormal(joined):
        column = [" ".join(value.split()) for value in column]
    if max(map(len, column)) > limit:
        return None
    return column


def _choices(column: Sequence[str], allowed: frozenset[str], default: str) -> Sequence[str] | None:
    found = set(column)
    if not found <= allowed | {""}:
        return None
    if "" in found:
        return [value or default for value in column]
    return column


def columns_parse(
    rows: list[list[str]],
    lines: list[int],
    columns: list[tuple[int, str]],
    *,
    default_source: str,
) -> ColumnBatch | None:
    """The rows validated as row_parse would; None if any row needs row_parse's own look."""
    values: dict[str, Sequence[str]] = {}
    count = len(rows)
    text_limits = limits()
    for index, name in columns:
        column = [fields[index] for fields in rows]
        if name == "email":
            try:
                emails = [email_normalise_fast(value) for value in column]
            except InvalidEmail:
                return None
            values["email"] = emails
            values["email_key"] = list(map(str.lower, emails))
            continue
        if name == "source":
            checked = _choices(column, SOURCES, default_source)
        elif name == "kind":
            checked = _choices(column, KINDS, "")
        else:
            checked = _normal(column, name, text_limits[name])
        if checked is None:
            return None
        values[name] = checked
    values.setdefault("source", list(repeat(default_source, count)))
    # Worked out here, on the reader's core, for the rows that turn out new.
    empty = ("",) * count
    values["suggested_language"], values["suggestion_reason"] = suggestions(
        values["email"], values.get("country", empty), values.get("source_language", empty)
    )
    return ColumnBatch(lines=lines, raw=rows, values=values)
