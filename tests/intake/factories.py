"""Helpers for the import tests: write a file, run the real command, read the outcome."""

import csv
import io
from pathlib import Path

from django.core.management import call_command

from askfirst.contacts.models import Contact


def write(tmp_path: Path, text: str | bytes, *, name: str = "contacts.csv", encoding="utf-8"):
    path = tmp_path / name
    path.write_bytes(text if isinstance(text, bytes) else text.encode(encoding))
    return path


def run(path: Path, *, command: str = "import-csv", **options) -> str:
    out = io.StringIO()
    call_command(command, str(path), "--no-progress", stdout=out, stderr=io.StringIO(), **options)
    return out.getvalue()


def rejects(path: Path) -> list[dict[str, str]]:
    rejects_path = path.with_name(f"{path.stem}.rejects.csv")
    if not rejects_path.exists():
        return []
    text = rejects_path.read_text(encoding="utf-8-sig")
    delimiter = ";" if text.split("\n", 1)[0].count(";") else ","
    return list(csv.DictReader(io.StringIO(text, newline=""), delimiter=delimiter))


def emails() -> list[str]:
    return sorted(Contact.objects.values_list("email", flat=True))
