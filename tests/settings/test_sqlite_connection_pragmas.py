"""Every SQLite connection runs with the pragmas docs/operations.md describes."""

import pytest
from django.db import connection

pytestmark = [
    pytest.mark.django_db,
    pytest.mark.skipif("connection.vendor != 'sqlite'"),
]

EXPECTED = {
    "journal_mode": "wal",
    "foreign_keys": 1,
    "secure_delete": 1,
    "synchronous": 1,  # NORMAL
    "cache_size": -65536,
    "wal_autocheckpoint": 16384,
}


def test_pragmas():
    found = {}
    with connection.cursor() as cursor:
        for name in EXPECTED:
            cursor.execute(f"PRAGMA {name}")
            found[name] = cursor.fetchone()[0]
    assert found == EXPECTED
