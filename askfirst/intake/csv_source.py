"""Read a CSV export row by row: encoding, delimiter and header names detected."""

import csv
import io
import re
from collections.abc import Iterator
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
        width = len(self.header)
        reader = self._reader
        columns = self.columns
        previous = reader.line_num
        while True:
            try:
                fields = next(reader)
            except StopIteration:
                return
            except csv.Error as exc:
                yield Record(line=previous + 1, error=_("unreadable CSV: %s") % exc)
                previous = reader.line_num
                continue
            line, previous = previous + 1, reader.line_num
            if not "".join(fields).strip():
                continue
            if len(fields) > width and not "".join(fields[width:]).strip():
                fields = fields[:width]
            if len(fields) != width:
                yield Record(line=line, raw=fields, error=self._count_error(fields, width))
                continue
            # Only a row that ran over several lines can hold a line break.
            swallowed = self._swallowed(fields) if previous > line else ""
            if swallowed:
                yield Record(line=line, raw=fields, error=swallowed)
                continue
            data = {name: fields[index] for index, name in columns if fields[index].strip()}
            yield Record(line=line, data=data, raw=fields)

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
