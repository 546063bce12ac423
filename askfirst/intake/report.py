"""The outcome of one import: counts, each rejected row with its reason, the rejects file."""

import csv
import io
from dataclasses import dataclass, field
from typing import Any, Protocol, TextIO

from django.template.defaultfilters import filesizeformat
from django.utils.translation import gettext as _
from django.utils.translation import ngettext

# The report lists this many rejections; the command's rejects file holds all of them.
LISTED = 1000

# An admin upload stores its rejected rows in the database (ImportRun.rejects) for
# staff to download: the first this many rows, in at most this many bytes (UTF-8,
# header included). A file of bad rows must not grow the web process or the table
# without bound; the command writes every rejected row to a file instead.
REJECTS_KEPT_ROWS = 10_000
REJECTS_KEPT_BYTES = 2 * 1024 * 1024


@dataclass
class ImportReport:
    created: int = 0
    updated: int = 0
    unchanged: int = 0
    deactivated: int = 0
    rejected: int = 0
    rejections: list[tuple[str, str]] = field(default_factory=list)
    notes: list[str] = field(default_factory=list)
    # Rejected rows left out of a capped rejects file (RejectsKept).
    rejects_cut: int = 0

    @property
    def rows(self) -> int:
        return self.created + self.updated + self.unchanged + self.deactivated + self.rejected

    def reject(self, label: str, reason: str) -> None:
        self.rejected += 1
        if len(self.rejections) < LISTED:
            self.rejections.append((label, reason))

    def counts(self) -> list[tuple[str, int]]:
        return [
            (_("created"), self.created),
            (_("updated"), self.updated),
            (_("unchanged"), self.unchanged),
            (_("skipped (deactivated)"), self.deactivated),
            (_("rejected"), self.rejected),
        ]

    def summary(self) -> str:
        return ", ".join(f"{label}: {count}" for label, count in self.counts())

    def lines(self) -> list[str]:
        out = [self.summary(), *self.notes]
        out += [f"{label}: {reason}" for label, reason in self.rejections]
        if self.rejected > len(self.rejections):
            more = {"more": self.rejected - len(self.rejections)}
            if self.rejects_cut:
                out.append(_("… and %(more)d more rejected rows") % more)
            else:
                out.append(
                    _("… and %(more)d more rejected rows (all are in the rejects file)") % more
                )
        return out


def rejects_cut_note(cut: int) -> str:
    """Says that a capped rejects file lacks rows, how many, and where to get them all."""
    return ngettext(
        "%(cut)d more rejected row is not in the rejects file: an upload keeps the first "
        "%(rows)d rejected rows, at most %(size)s. For all of them, import the "
        "file with the command askfirst import-csv (or import-vcard).",
        "%(cut)d more rejected rows are not in the rejects file: an upload keeps the first "
        "%(rows)d rejected rows, at most %(size)s. For all of them, import the "
        "file with the command askfirst import-csv (or import-vcard).",
        cut,
    ) % {
        "cut": cut,
        "rows": REJECTS_KEPT_ROWS,
        "size": filesizeformat(REJECTS_KEPT_BYTES),
    }


def rejects_delimiter(text: str) -> str:
    """The delimiter of a stored rejects file: its first column's title ("line",
    "Zeile") holds none, so the first one on the header line is it."""
    header_line = text.split("\n", 1)[0]
    return next((char for char in header_line if char in ",;\t"), ",")


class RejectsSink(Protocol):
    def write(self, line: int, reason: str, raw: list[str]) -> None: ...


def _header(header: list[str]) -> list[str]:
    return [_("line"), _("reason"), *header]


class RejectsWriter:
    """Rejected rows as CSV: line and reason first (so short rows cannot shift them),
    then the row as it was read. Opened on the first rejection only."""

    def __init__(self, opener, *, header: list[str], delimiter: str = ",", owns: bool = True):
        self._opener = opener
        self._owns = owns
        self._header = header
        self._delimiter = delimiter
        self._file: TextIO | None = None
        self._writer: Any = None

    def write(self, line: int, reason: str, raw: list[str]) -> None:
        if self._writer is None:
            self._file = self._opener()
            self._writer = csv.writer(self._file, delimiter=self._delimiter)
            self._writer.writerow(_header(self._header))
        self._writer.writerow([line, reason, *raw])

    @property
    def used(self) -> bool:
        return self._writer is not None

    def close(self) -> None:
        if self._file is not None and self._owns:
            self._file.close()


class RejectsKept:
    """The first rejected rows as CSV text, as RejectsWriter writes them, up to
    REJECTS_KEPT_ROWS rows and REJECTS_KEPT_BYTES; the rows after the first one
    that does not fit are only counted (`cut`), so what is kept is the start of
    the complete file and memory does not grow with the number of rejections.

    Nothing past the cap is spooled to disk: nobody would read it, and a temporary
    file would leave rejected rows (personal data) in freed disk blocks that
    `askfirst scrub` does not reach.
    """

    def __init__(self, *, header: list[str], delimiter: str = ","):
        self._header = header
        self._rows_left = REJECTS_KEPT_ROWS
        self._bytes_left = REJECTS_KEPT_BYTES
        self._parts: list[str] = []
        self._scratch = io.StringIO()
        self._writer = csv.writer(self._scratch, delimiter=delimiter)
        self.cut = 0

    def write(self, line: int, reason: str, raw: list[str]) -> None:
        if self.cut or not self._rows_left:
            self.cut += 1
            return
        # A character takes at least one byte: a row with more characters than
        # bytes left cannot fit, and is not formatted (it may hold a 10 MB cell).
        if len(reason) + sum(map(len, raw)) > self._bytes_left:
            self.cut += 1
            return
        if not self._parts:
            self._writer.writerow(_header(self._header))
        self._writer.writerow([line, reason, *raw])
        text = self._scratch.getvalue()
        self._scratch.seek(0)
        self._scratch.truncate()
        size = len(text.encode("utf-8"))
        if size > self._bytes_left:
            self.cut += 1
            return
        self._parts.append(text)
        self._rows_left -= 1
        self._bytes_left -= size

    @property
    def text(self) -> str:
        return "".join(self._parts)
