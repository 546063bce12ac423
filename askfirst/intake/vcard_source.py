"""Read a .vcf file card by card (vCard 3.0 and 4.0; 2.1 without quoted-printable)."""

import io
import re
from collections.abc import Iterator
from typing import BinaryIO

from django.utils.translation import gettext as _

from askfirst.intake.records import ImportFileError, Record, encoding_detect

# The rejects file of a vCard import is a CSV with these columns (English headers,
# so it can be fixed and imported with import-csv).
COLUMNS = (
    ("email", "email"),
    ("first_name", "first name"),
    ("last_name", "last name"),
    ("company", "company"),
    ("position", "position"),
    ("phone", "phone"),
    ("street", "street"),
    ("postal_code", "postal code"),
    ("city", "city"),
    ("country", "country"),
    ("source_language", "language"),
    ("source_ref", "id"),
)
_UNESCAPE = re.compile(r"\\(.)", re.S)
_SPLIT = re.compile(r"(?<!\\);")


def _unescape(value: str) -> str:
    return _UNESCAPE.sub(lambda m: "\n" if m[1] in "nN" else m[1], value)


def _parts(value: str) -> list[str]:
    return [_unescape(part) for part in _SPLIT.split(value)]


class _Property:
    def __init__(self, line: str):
        head, _sep, self.value = line.partition(":")
        name, *params = _SPLIT.split(head)
        self.name = name.rsplit(".", 1)[-1].upper()  # "item1.EMAIL" → EMAIL
        self.rank = 100
        for param in params:
            key, has_value, value = param.partition("=")
            values = value.lower().split(",") if has_value else [key.lower()]
            if key.upper() == "PREF" and has_value and value.isdigit():
                self.rank = min(self.rank, int(value))
            elif "pref" in values:
                self.rank = min(self.rank, 1)


def _pick(props: list[_Property], name: str) -> _Property | None:
    """The preferred property of a kind, else the first one."""
    found = [p for p in props if p.name == name]
    return min(found, key=lambda p: p.rank) if found else None


def _phone(value: str) -> str:
    """The number in a tel: URI (vCard 4 writes TEL;VALUE=uri:tel:+44-20-1234), with
    its extension; any other value as it is."""
    value = value.strip()
    if value[:4].lower() != "tel:":
        return value
    number, *params = value[4:].split(";")
    extension = next((p[4:] for p in params if p[:4].lower() == "ext="), "")
    return f"{number} ext. {extension}" if extension else number


def card_fields(props: list[_Property]) -> dict[str, str]:
    data: dict[str, str] = {}

    def put(name: str, value: str) -> None:
        if value.strip():
            data[name] = value

    email = _pick(props, "EMAIL")
    put("email", _unescape(email.value) if email else "")
    n = _pick(props, "N")
    family, given = (_parts(n.value) + ["", ""])[:2] if n else ("", "")
    if not (family.strip() or given.strip()):
        fn = _pick(props, "FN")
        given, _sep, family = _unescape(fn.value).strip().rpartition(" ") if fn else ("", "", "")
    put("first_name", given)
    put("last_name", family)
    for prop_name, name in (("TITLE", "position"), ("UID", "source_ref")):
        prop = _pick(props, prop_name)
        put(name, _unescape(prop.value) if prop else "")
    tel = _pick(props, "TEL")
    put("phone", _phone(_unescape(tel.value)) if tel else "")
    if "position" not in data:
        role = _pick(props, "ROLE")
        put("position", _unescape(role.value) if role else "")
    org = _pick(props, "ORG")
    put("company", _parts(org.value)[0] if org else "")
    lang = _pick(props, "LANG")
    put("source_language", _unescape(lang.value) if lang else "")
    adr = _pick(props, "ADR")
    if adr:
        pobox, extended, street, city, _region, code, country = (_parts(adr.value) + [""] * 7)[:7]
        put("street", "\n".join(v for v in (street, extended) if v.strip()))
        put("city", city)
        put("postal_code", code)
        put("country", country)
    return data


class VcardSource:
    kind = "vcard"
    ignored: list[str] = []

    def __init__(self, binary: BinaryIO):
        if binary.read(1) == b"":
            raise ImportFileError(_("The file is empty."))
        binary.seek(0)
        self.binary = binary
        self.encoding = encoding_detect(binary)
        self.header = [title for _name, title in COLUMNS]
        self._text = io.TextIOWrapper(binary, encoding=self.encoding, newline="")
        self._cards = 0

    def bytes_read(self) -> int:
        return self.binary.tell()

    def close(self) -> None:
        self._text.detach()

    def _logical_lines(self) -> Iterator[tuple[int, str]]:
        """Unfolded lines with the physical line each starts on."""
        start, parts = 0, list[str]()
        for number, physical in enumerate(self._text, start=1):
            physical = physical.rstrip("\r\n")
            if physical[:1] in (" ", "\t") and parts:
                parts.append(physical[1:])
                continue
            if parts:
                yield start, "".join(parts)
            start, parts = number, [physical]
        if parts:
            yield start, "".join(parts)

    def records(self) -> Iterator[Record]:
        props: list[_Property] | None = None
        begin = 0
        for number, line in self._logical_lines():
            upper = line.strip().upper()
            if upper == "BEGIN:VCARD":
                if props is not None:
                    yield self._record(begin, props, _("the card has no END:VCARD"))
                props, begin = [], number
            elif upper == "END:VCARD" and props is not None:
                yield self._record(begin, props)
                props = None
            elif props is not None and ":" in line:
                props.append(_Property(line))
        if props is not None:
            yield self._record(begin, props, _("the card has no END:VCARD"))
        if not self._cards:
            raise ImportFileError(_("The file holds no vCard (no BEGIN:VCARD line)."))

    def _record(self, begin: int, props: list[_Property], error: str = "") -> Record:
        self._cards += 1
        data = card_fields(props)
        raw = [data.get(name, "") for name, _title in COLUMNS]
        return Record(line=begin, data=data, raw=raw, error=error, card=self._cards)
