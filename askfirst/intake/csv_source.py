"""Read a CSV export row by row: encoding, delimiter and header names detected."""

import csv
import io
import re
from collections.abc import Iterator
from dataclasses import dataclass, field
from typing import BinaryIO

from django.utils.translation import gettext as _

from askfirst.intake.records import ImportFileError, Record, encoding_detect

# A 10 MB cell must reach validation (and be rejected there as too long)
# instead of stopping the reader; far larger ones are rejected by the reader.
FIELD_SIZE_LIMIT = 64 * 1024 * 1024

# Header spellings (folded: lower case, no spaces, dashes, dots or underscores).
HEADERS = {
    "email": "email emailadresse emailaddress mail mailadresse",
    "first_name": "firstname vorname givenname",
    "last_name": "lastname nachname surname familyname familienname",
    "company": "company firma organisation organization unternehmen",
    "position": "position jobtitle funktion role rolle",
    "phone": "phone telefon tel telephone phonenumber telefonnummer",
    "street": "street strasse streetaddress adresse address anschrift",
    "postal_code": "postalcode plz zip zipcode postcode postleitzahl",
    "city": "city ort stadt town wohnort",
    "country": "country land",
    "source_language": "language sprache lang",
    "source_ref": "id sourceref externalid crmid",
    "source": "source quelle",
    "kind": "kind art",
}
_ALIASES = {alias: name for name, spellings in HEADERS.items() for alias in spellings.split()}
_FOLD = re.compile(r"[\s\-_.]+")


def header_fold(name: str) -> str:
    return _FOLD.sub("", name.casefold())


def _delimiter(binary: BinaryIO, encoding: str) -> str:
    """The one of ; , or tab that occurs most on the header line (comma on a tie)."""
    head = binary.read(65536).decode(encoding, errors="ignore")
    binary.seek(0)
    first = head.splitlines()[0] if head else ""
    counts = {d: first.count(d) for d in (",", ";", "\t")}
    best = max(counts, key=lambda d: counts[d])
    return best if counts[best] else ","


class CsvSource:
    kind = "csv"

    def __init__(self, binary: BinaryIO):
        if binary.read(1) == b"":
            raise ImportFileError(_("The file is empty."))
        binary.seek(0)
        self.binary = binary
        self.encoding = encoding_detect(binary)
        self.delimiter = _delimiter(binary, self.encoding)
        csv.field_size_limit(max(csv.field_size_limit(), FIELD_SIZE_LIMIT))
        self._text = io.TextIOWrapper(binary, encoding=self.encoding, newline="")
        self._reader = csv.reader(self._text, delimiter=self.delimiter)
        try:
            self.header = next(self._reader)
        except (StopIteration, csv.Error) as exc:
            raise ImportFileError(_("The file has no readable header line.")) from exc
        self.columns: list[tuple[int, str]] = []
        self.ignored: list[str] = []
        taken: set[str] = set()
        for index, title in enumerate(self.header):
            name = _ALIASES.get(header_fold(title))
            if name is None or name in taken:
                if title.strip():
                    self.ignored.append(title.strip())
                continue
            taken.add(name)
            self.columns.append((index, name))
        if "email" not in taken:
            raise ImportFileError(
                _("The file has no email column (looked for: %(names)s); nothing was imported.")
                % {"names": "email, E-Mail, E-Mail-Adresse, Mail"}
            )

    def bytes_read(self) -> int:
        return self.binary.tell()

    def close(self) -> None:
        # Hand the file back to its owner instead of closing it with the wrapper.
        self._text.detach()

    def records(self) -> Iterator[Record]:
        for chunk in self.chunks(1):
            yield from chunk.records(self) if isinstance(chunk, RegularRows) else chunk

    def chunks(self, size: int) -> Iterator["RegularRows | list[Record]"]:
        """The rows in chunks of `size`: plain rows as RegularRows, any other chunk as records.

        A plain row has the header's width, one physical line and some text; a
        chunk of only such rows can be validated column by column
        (intake/columns.py).
        """
        width = len(self.header)
        reader = self._reader
        previous = reader.line_num
        while True:
            chunk = RegularRows()
            while len(chunk.rows) < size:
                try:
                    fields = next(reader)
                except StopIteration:
                    break
                except csv.Error as exc:
                    chunk.add([], previous + 1, _("unreadable CSV: %s") % exc)
                    previous = reader.line_num
                    continue
                line, previous = previous + 1, reader.line_num
                # Only a row that ran over several lines can hold a line break.
                chunk.add(fields, line, "" if previous == line else None)
            if not chunk.rows:
                return
            if not chunk.notes and chunk.plain(width):
                yield chunk
            else:
                yield list(chunk.records(self))

    def row_record(self, fields: list[str], line: int, multiline: bool) -> Record | None:
        """The record of one row as read; None for a row with nothing in it."""
        width = len(self.header)
        if not "".join(fields).strip():
            return None
        if len(fields) > width and not "".join(fields[width:]).strip():
            fields = fields[:width]
        if len(fields) != width:
            return Record(line=line, raw=fields, error=self._count_error(fields, width))
        swallowed = self._swallowed(fields) if multiline else ""
        if swallowed:
            return Record(line=line, raw=fields, error=swallowed)
        data = {name: fields[index] for index, name in self.columns if fields[index].strip()}
        return Record(line=line, data=data, raw=fields)

    def _count_error(self, fields: list[str], width: int) -> str:
        return self._swallowed(fields) or _(
            "the row has %(count)d fields, the header has %(width)d"
        ) % {"count": len(fields), "width": width}

    def _swallowed(self, fields: list[str]) -> str:
        """A quote left open runs the following rows into one cell; say so."""
        for value in fields:
            if "\n" in value or "\r" in value:
                rest = value.splitlines()[1:]
                if any(self.delimiter in part and "@" in part for part in rest):
                    return _(
                        "a quote opened in this row is not closed; the field runs over "
                        "%(lines)d lines (they are in this rejected row)"
                    ) % {"lines": len(rest) + 1}
        return ""


@dataclass(slots=True)
class RegularRows:
    """Rows as read, with the line each starts on; notes on the unusual ones by index."""

    rows: list[list[str]] = field(default_factory=list)
    lines: list[int] = field(default_factory=list)
    # index → the reader's error, or None for a row that ran over several lines
    notes: dict[int, str | None] = field(default_factory=dict)

    def add(self, fields: list[str], line: int, note: str | None) -> None:
        if note != "":
            self.notes[len(self.rows)] = note
        self.rows.append(fields)
        self.lines.append(line)

    def plain(self, width: int) -> bool:
        rows = self.rows
        return all(len(fields) == width for fields in rows) and all(
            map(str.strip, map("".join, rows))
        )

    def records(self, source: CsvSource) -> Iterator[Record]:
        for index, (fields, line) in enumerate(zip(self.rows, self.lines, strict=True)):
            note = self.notes.get(index, "")
            if note:
                yield Record(line=line, error=note)
                continue
            record = source.row_record(fields, line, multiline=note is None)
            if record is not None:
                yield record
