"""What stored imports hold about a person outside rows that cascade from the contact.

An upload keeps its report and, for ASKFIRST_IMPORT_REJECTS_RETENTION, its rejected
rows (askfirst/intake/admin.py). A rejected row is raw text, not a contact: a repeat
of the person's row, a row whose address was mistyped, a row refused because its id
belonged to them. An erasure must not leave them there.
"""

import csv
import io
import re
from contextlib import suppress
from dataclasses import dataclass
from datetime import datetime
from functools import reduce
from operator import or_

from django.db.models import Q

from askfirst.contacts.models import Contact
from askfirst.intake.csv_source import HEADERS, header_fold
from askfirst.intake.emails import email_normalise_fast
from askfirst.intake.models import ImportRun
from askfirst.intake.report import rejects_delimiter

# Characters that may stand next to an address inside it: an address found with one
# of these beside it is part of a longer address (jo.anna@… is not anna@…).
_LOCAL = r"\w!#$%&'*+/=?^`{|}~.\-"
# A report line "line 7: reason" or "card 3 (line 22): reason", in any language.
_LABEL_LINE = re.compile(r"(\d+)\)?$")
# Titles of the address column (a vCard import's rejects file calls it "email").
_EMAIL_TITLES = frozenset(HEADERS["email"].split())


def _address_column(header: list[str]) -> int | None:
    """Where a rejects file holds the row's address: the first column titled so,
    after the line and the reason (as csv_source picks it)."""
    for index, title in enumerate(header[2:], start=2):
        if header_fold(title) in _EMAIL_TITLES:
            return index
    return None


def _valid_address(text: str) -> bool:
    if not text.strip():
        return False
    try:
        email_normalise_fast(text)
    except ValueError:  # InvalidEmail
        return False
    return True


@dataclass(frozen=True)
class _Person:
    address: re.Pattern[str]
    # Both names, folded, when both are known.
    names: tuple[str, str] | None
    # Substrings that select the imports worth reading (see _probe).
    address_probes: tuple[str, ...]
    name_probes: tuple[str, str] | None

    def holds(self, cells: list[str], address_column: int | None) -> bool:
        if any(self.address.search(cell) for cell in cells):
            return True
        if self.names is None:
            return False
        # A valid address that is not theirs: somebody else of the same name.
        # Only a row without one (empty, mistyped) may be theirs by the names.
        if (
            address_column is not None
            and address_column < len(cells)
            and _valid_address(cells[address_column])
        ):
            return False
        folded = {_fold(cell) for cell in cells}
        return self.names[0] in folded and self.names[1] in folded

    def candidates(self, *, created_at: datetime) -> Q:
        """The imports that can hold the person, bounded so that an erasure does not
        read every import ever stored (see imports_forget)."""
        in_rejects = [Q(rejects__icontains=p) for p in self.address_probes]
        if self.name_probes:
            first, last = self.name_probes
            in_rejects.append(Q(rejects__icontains=first) & Q(rejects__icontains=last))
        in_report = [Q(report__icontains=p) for p in self.address_probes]
        return (~Q(rejects="") & reduce(or_, in_rejects)) | (
            Q(created_at__gte=created_at) & reduce(or_, in_report)
        )


def _fold(text: str) -> str:
    return " ".join(text.split()).casefold()


def _probe(text: str) -> str:
    """The longest ASCII stretch of text: SQLite's LIKE ignores case in ASCII only,
    so this finds the text in any case; Python then checks the whole of it."""
    stretches = re.findall(r"[\x00-\x7f]{3,}", text)
    return max(stretches, key=len) if stretches else text


def _person(contact: Contact) -> _Person:
    local, _at, domain = contact.email_key.partition("@")
    forms = {contact.email_key}
    with suppress(UnicodeError):
        # A file may spell an IDN domain in Punycode (stored in Unicode).
        forms.add(f"{local}@{domain.encode('idna').decode('ascii')}")
    alternatives = "|".join(re.escape(form) for form in sorted(forms))
    address = re.compile(rf"(?<![{_LOCAL}])(?:{alternatives})(?![\w\-]|\.\w)", re.IGNORECASE)
    first, last = _fold(contact.first_name), _fold(contact.last_name)
    both = bool(first and last)
    return _Person(
        address=address,
        names=(first, last) if both else None,
        address_probes=tuple(sorted({_probe(form) for form in forms})),
        name_probes=(_probe(contact.first_name), _probe(contact.last_name)) if both else None,
    )


def _rejects_without(text: str, person: _Person) -> tuple[str, set[tuple[str, str]]]:
    """The rejects CSV without the person's rows, and (line, reason) of each row taken."""
    if not text:
        return text, set()
    delimiter = rejects_delimiter(text)
    # A card's value is stored whatever its size (a CSV cell up to the reader's limit).
    csv.field_size_limit(max(csv.field_size_limit(), len(text)))
    kept: list[list[str]] = []
    taken: set[tuple[str, str]] = set()
    try:
        rows = csv.reader(io.StringIO(text, newline=""), delimiter=delimiter)
        header = next(rows)
        address_column = _address_column(header)
        for row in rows:
            if person.holds(row, address_column):
                taken.add((row[0], row[1] if len(row) > 1 else ""))
            else:
                kept.append(row)
    except (csv.Error, StopIteration):
        # Not the CSV this app writes: whose rows are whose is unknown, so none stay.
        return "", taken
    if not taken:
        return text, taken
    if not kept:
        return "", taken  # nothing left to download
    out = io.StringIO(newline="")
    writer = csv.writer(out, delimiter=delimiter)
    writer.writerow(header)
    writer.writerows(kept)
    return out.getvalue(), taken


def _report_without(text: str, taken: set[tuple[str, str]], person: _Person) -> str:
    kept = []
    for line in text.split("\n"):
        label, _sep, reason = line.partition(": ")
        number = _LABEL_LINE.search(label)
        if number and (number[1], reason) in taken:
            continue
        if person.address.search(line):
            continue  # a reason that quotes the address (an id held by another contact)
        kept.append(line)
    return "\n".join(kept)


def imports_forget(*, contact: Contact) -> None:
    """Part of erasure: take the person's rejected rows out of every stored import,
    with their report lines and any report line that names the address.

    A rejected row is the person's when it holds their address (in any case, the
    domain in Unicode or Punycode), or both their first and their last name and no
    valid address in its address column (empty or mistyped: a row with another
    valid address is somebody else of the same name).

    Only imports that can hold the person are read, so an erasure does not cost
    more with every import ever stored:

    * rejected rows: imports whose rejects are still kept (not yet blanked by
      rejects_expire after ASKFIRST_IMPORT_REJECTS_RETENTION). An expired import
      has empty rejects and is passed over without reading its report;
    * report lines quoting the address (the only ones that do: a row refused
      because "<address> is a known contact, but <id> belongs to another one"):
      such a line is written only while a contact holds the address, so only
      imports since this contact was created are read.
    """
    person = _person(contact)
    # Locked: an expiry blanking the rejects meanwhile must not be undone here.
    runs = ImportRun.objects.select_for_update().filter(
        person.candidates(created_at=contact.created_at)
    )
    for pk, rejects, report in runs.values_list("pk", "rejects", "report"):
        new_rejects, taken = _rejects_without(rejects, person)
        new_report = _report_without(report, taken, person)
        if (new_rejects, new_report) != (rejects, report):
            ImportRun.objects.filter(pk=pk).update(rejects=new_rejects, report=new_report)
