"""The catalogues hold every string the code marks for translation, and only those; every
German string is translated, and no entry in either catalogue is fuzzy.

The strings are extracted afresh (Django's makemessages, as `make messages` runs it) into
a copy of the code, so a string added without updating the catalogues fails here."""

import shutil
from pathlib import Path

import pytest
from django.core.management import call_command
from django.test import override_settings

ROOT = Path(__file__).resolve().parents[2] / "askfirst"
CATALOGUES = {
    language: ROOT / "locale" / language / "LC_MESSAGES" / "django.po" for language in ("de", "en")
}


def _entries(text: str):
    """(flags, (msgctxt, msgid, msgid_plural), msgstrs) per entry: a small .po reader,
    enough for these checks (obsolete `#~` entries are skipped)."""
    for block in text.split("\n\n"):
        flags, parts, msgstrs, current = "", {}, [], None
        for line in block.splitlines():
            if line.startswith("#,"):
                flags += line
            elif line.startswith("#"):
                continue
            elif line.startswith(("msgctxt ", "msgid ", "msgid_plural ")):
                keyword, value = line.split(" ", 1)
                current = parts.setdefault(keyword, [])
                current.append(value)
            elif line.startswith("msgstr"):
                current = []
                msgstrs.append(current)
                current.append(line.split(" ", 1)[1])
            elif line.startswith('"') and current is not None:
                current.append(line)
        if "msgid" in parts:
            key = tuple(
                "".join(s.strip()[1:-1] for s in parts.get(k, []))
                for k in ("msgctxt", "msgid", "msgid_plural")
            )
            yield flags, key, ["".join(s.strip()[1:-1] for s in v) for v in msgstrs]


def _msgids(text: str) -> set[tuple[str, str, str]]:
    return {key for _, key, _ in _entries(text) if key[1]}  # not the header


@pytest.fixture(scope="module")
def extracted(tmp_path_factory) -> set[tuple[str, str, str]]:
    """The msgids `make messages` would put into the catalogues today."""
    copy = tmp_path_factory.mktemp("extract") / "askfirst"
    shutil.copytree(ROOT, copy, ignore=shutil.ignore_patterns("__pycache__", "locale"))
    (copy / "locale").mkdir()
    # makemessages reads the code below the working directory and writes to the
    # first of LOCALE_PATHS: both the copy, so the real catalogues stay untouched.
    with (
        pytest.MonkeyPatch.context() as patch,
        override_settings(LOCALE_PATHS=[str(copy / "locale")]),
    ):
        patch.chdir(copy)
        call_command("makemessages", locale=["de"], keep_pot=True, verbosity=0)
    return _msgids((copy / "locale" / "django.pot").read_text("utf-8"))


@pytest.mark.parametrize("language", CATALOGUES)
def test_catalogue_holds_exactly_the_strings_in_the_code(extracted, language):
    held = _msgids(CATALOGUES[language].read_text("utf-8"))
    missing = sorted(key[1] for key in extracted - held)
    stale = sorted(key[1] for key in held - extracted)
    assert (missing, stale) == ([], []), f"run `make messages` and translate:\n{missing}\n{stale}"


@pytest.mark.parametrize("language", CATALOGUES)
def test_no_fuzzy_entry(language):
    fuzzy = [
        key[1]
        for flags, key, _ in _entries(CATALOGUES[language].read_text("utf-8"))
        if "fuzzy" in flags and key[1]
    ]
    assert fuzzy == []


def test_no_untranslated_german_string():
    untranslated = [
        key[1]
        for _, key, msgstrs in _entries(CATALOGUES["de"].read_text("utf-8"))
        if key[1] and (not msgstrs or any(not s for s in msgstrs))
    ]
    assert untranslated == []
