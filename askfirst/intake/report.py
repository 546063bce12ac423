"""The outcome of one import: counts, each rejected row with its reason, the rejects file."""

import csv
from dataclasses import dataclass, field
from typing import Any, TextIO

from django.utils.translation import gettext as _

# The report lists this many rejections; the rejects file holds all of them.
LISTED = 1000


@dataclass
class ImportReport:
    created: int = 0
    updated: int = 0
    unchanged: int = 0
    deactivated: int = 0
    rejected: int = 0
    rejections: list[tuple[str, str]] = field(default_factory=list)
    notes: list[str] = field(default_factory=list)

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
            out.append(
                _("… and %(more)d more rejected rows (all are in the rejects file)")
                % {"more": self.rejected - len(self.rejections)}
            )
        return out


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
            self._writer.writerow([_("line"), _("reason"), *self._header])
        self._writer.writerow([line, reason, *raw])

    @property
    def used(self) -> bool:
        return self._writer is not None

    def close(self) -> None:
        if self._file is not None and self._owns:
            self._file.close()
