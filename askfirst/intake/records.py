"""What every file reader yields: one record per row or card, with where it started."""

import codecs
from dataclasses import dataclass, field
from typing import BinaryIO

from django.utils.translation import gettext as _

_CHUNK = 1 << 20


class ImportFileError(ValueError):
    """The file as a whole cannot be imported; nothing was changed."""


@dataclass(slots=True)
class Record:
    # Physical line (1-based, the header counts) where the row or card starts.
    line: int
    # Field name → text, only for cells that hold something.
    data: dict[str, str] = field(default_factory=dict)
    # The values as read, for the rejects file.
    raw: list[str] = field(default_factory=list)
    # A problem the reader found before validation (field count, broken quote).
    error: str = ""
    # vCard files: the card's number in the file.
    card: int = 0

    @property
    def label(self) -> str:
        if self.card:
            return _("card %(card)d (line %(line)d)") % {"card": self.card, "line": self.line}
        return _("line %(line)d") % {"line": self.line}


def encoding_detect(binary: BinaryIO) -> str:
    """UTF-8 (with or without BOM) if the whole file decodes so, else Windows-1252.

    One pass over the file in chunks: a wrong guess found halfway through an
    import would leave half a file imported with mangled umlauts.
    """
    binary.seek(0)
    for encoding in ("utf-8", "cp1252"):
        decoder = codecs.getincrementaldecoder(encoding)()
        try:
            while chunk := binary.read(_CHUNK):
                decoder.decode(chunk)
            decoder.decode(b"", final=True)
        except UnicodeDecodeError:
            binary.seek(0)
            continue
        binary.seek(0)
        if encoding == "utf-8" and binary.read(3) == codecs.BOM_UTF8:
            encoding = "utf-8-sig"
        binary.seek(0)
        return encoding
    raise ImportFileError(_("The file is neither UTF-8 nor Windows-1252 text."))


def size_of(binary: BinaryIO) -> int:
    position = binary.tell()
    size = binary.seek(0, 2)
    binary.seek(position)
    return size
