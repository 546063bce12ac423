"""Which addresses (and source ids) an import has already taken, in little memory.

A set of a million addresses would cost ~100 MB; this keeps a 64-bit hash and
a line number per row (16 bytes) in arrays, plus a small dict for the most
recent rows. The arrays are split into buckets by the hash's top bits, so a
lookup is one bytes search of a bucket (memchr speed) and an add is two
appends: sorted arrays merged level by level cost 1.9 s of Python per
million rows, measured, this 0.5 s. Two different addresses share a hash
with a chance of about n²/2⁶⁵ (3·10⁻⁸ for a million rows); the cost of that
is one row wrongly called a duplicate, named in the report.

Sorting rows into buckets is the Python half of that cost, and a file of
only new contacts never looks an old row up: rows leaving the recent dict
wait in two flat arrays (a copy in C) and are sorted into buckets by the
first lookup that needs them.
"""

from array import array
from collections.abc import Iterable

_RECENT = 1 << 13
# A bucket holds rows/4096 keys: 250 at a million rows, a scan of ~0.3 µs.
_BUCKET_BITS = 12
_SHIFT = 64 - _BUCKET_BITS


class SeenKeys:
    def __init__(self) -> None:
        self.recent: dict[int, int] = {}
        self._keys: list[bytearray] = []
        self._lines: list[array] = []
        self._waiting_keys = array("q")
        self._waiting_lines = array("q")
        self.stored = 0

    def add(self, key: int, line: int) -> None:
        self.recent.setdefault(key, line)
        if len(self.recent) >= _RECENT:
            self._store()

    def add_new(self, pairs: Iterable[tuple[int, int]]) -> None:
        """add() for each (key, line) where no key is in the record yet."""
        self.recent.update(pairs)
        if len(self.recent) >= _RECENT:
            self._store()

    def _store(self) -> None:
        self._waiting_keys.extend(self.recent.keys())
        self._waiting_lines.extend(self.recent.values())
        self.stored += len(self.recent)
        self.recent = {}

    def _sort_waiting(self) -> None:
        if not self._keys:
            self._keys = [bytearray() for _ in range(1 << _BUCKET_BITS)]
            self._lines = [array("q") for _ in range(1 << _BUCKET_BITS)]
        keys, lines = self._keys, self._lines
        for key, line in zip(self._waiting_keys, self._waiting_lines, strict=True):
            bucket = _bucket(key)
            keys[bucket] += key.to_bytes(8, "little", signed=True)
            lines[bucket].append(line)
        self._waiting_keys = array("q")
        self._waiting_lines = array("q")

    def get(self, key: int) -> int | None:
        line = self.recent.get(key)
        if line is not None or not self.stored:
            return line
        if self._waiting_keys:
            self._sort_waiting()
        bucket = _bucket(key)
        keys = self._keys[bucket]
        packed = key.to_bytes(8, "little", signed=True)
        at = keys.find(packed)
        while at > 0 and at % 8:  # found across two keys: look on
            at = keys.find(packed, at + 1)
        return None if at < 0 else self._lines[bucket][at // 8]


def _bucket(key: int) -> int:
    # Python's hash of a str is a signed 64-bit value; its top bits pick the bucket.
    return (key >> _SHIFT) + (1 << (_BUCKET_BITS - 1))
