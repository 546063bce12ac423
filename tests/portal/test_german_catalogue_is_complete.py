"""Every German string is translated: no empty msgstr, no fuzzy entry."""

from pathlib import Path

PO = (
    Path(__file__).resolve().parents[2] / "askfirst" / "locale" / "de" / "LC_MESSAGES" / "django.po"
)


def _entries(text: str):
    """(flags, msgid, msgstrs) per entry; a tiny .po reader, enough for this check."""
    for block in text.split("\n\n"):
        flags, msgid, msgstrs, current = "", [], [], None
        for line in block.splitlines():
            if line.startswith("#,"):
                flags += line
            elif line.startswith("#"):
                continue
            elif line.startswith("msgid "):
                current = msgid
                current.append(line[6:])
            elif line.startswith("msgid_plural"):
                current = []
            elif line.startswith("msgstr"):
                current = []
                msgstrs.append(current)
                current.append(line.split(" ", 1)[1])
            elif line.startswith('"') and current is not None:
                current.append(line)
        if msgid:
            yield (
                flags,
                "".join(s.strip('"') for s in msgid),
                ["".join(s.strip('"') for s in parts) for parts in msgstrs],
            )


def test_no_untranslated_or_fuzzy_german_string():
    problems = []
    for flags, msgid, msgstrs in _entries(PO.read_text("utf-8")):
        if not msgid:
            continue  # the header
        if "fuzzy" in flags:
            problems.append(f"fuzzy: {msgid}")
        elif not msgstrs or any(not s for s in msgstrs):
            problems.append(f"untranslated: {msgid}")
    assert problems == [], "\n".join(problems)
