"""Helpers to look for a person's traces anywhere in the database."""

import subprocess
from pathlib import Path

from django.db import connection


def rows_containing(needles: list[str]) -> list[tuple[str, str]]:
    """(table, needle) for every table whose rows contain any needle as text."""
    found = []
    with connection.cursor() as cursor:
        for table in connection.introspection.table_names(cursor):
            quoted = connection.ops.quote_name(table)
            cursor.execute(f"SELECT * FROM {quoted}")
            for row in cursor.fetchall():
                text = " ".join(str(value) for value in row).lower()
                for needle in needles:
                    if needle.lower() in text:
                        found.append((table, needle))
    return found


def sqlite_files_containing(needles: list[str]) -> list[tuple[str, str]]:
    """(file, needle) for the SQLite database and WAL files holding a needle's bytes."""
    database = Path(connection.settings_dict["NAME"])
    found = []
    for path in (database, Path(f"{database}-wal")):
        if not path.exists():
            continue
        data = _read_elsewhere(path)
        for needle in needles:
            for encoded in {needle.encode("utf-8"), needle.lower().encode("utf-8")}:
                if encoded in data:
                    found.append((path.name, needle))
    return found


def _read_elsewhere(path: Path) -> bytes:
    """Read a live SQLite file from a child process.

    Closing any descriptor of the file in this process would drop every POSIX
    lock SQLite's open connections here hold on it (fcntl locks belong to the
    process); another process could then think itself the last user and
    delete the WAL under them.
    """
    return subprocess.run(["cat", str(path)], capture_output=True, check=True).stdout
