"""Which addresses (and source ids) an import has already taken, in little memory.

A set of a million addresses would cost ~100 MB; this keeps a 64-bit hash and
a line number per row (16 bytes) in sorted arrays, plus a small dict for the
most recent rows. Arrays of equal size are merged (like a binary counter), so
a lookup searches at most log2(rows / 8192) of them. Two different addresses
share a hash with a chance of about n²/2⁶⁵ (3·10⁻⁸ for a million rows); the
cost of that is one row wrongly called a duplicate, named in the report.
"""

from array import array
from bisect import bisect_left
from heapq import merge

_RECENT = 1 << 13


class SeenKeys:
    def __init__(self) -> None:
        self.recent: dict[int, int] = {}
        self.levels: list[tuple[array, array]] = []

    def add(self, key: int, line: int) -> None:
        self.recent.setdefault(key, line)
        if len(self.recent) >= _RECENT:
            items = sorted(self.recent.items())
            level = (array("q", [k for k, _ in items]), array("q", [v for _, v in items]))
            self.recent = {}
            while self.levels and len(self.levels[-1][0]) <= len(level[0]):
                level = _merge(self.levels.pop(), level)
            self.levels.append(level)

    def get(self, key: int) -> int | None:
        line = self.recent.get(key)
        if line is not None:
            return line
        for keys, lines in self.levels:
            index = bisect_left(keys, key)
            if index < len(keys) and keys[index] == key:
                return lines[index]
        return None


def _merge(a: tuple[array, array], b: tuple[array, array]) -> tuple[array, array]:
    # Streamed: sorting the concatenation would briefly cost ~80 bytes a row.
    keys, lines = array("q"), array("q")
    add_key, add_line = keys.append, lines.append
    for key, line in merge(zip(*a, strict=True), zip(*b, strict=True)):
        add_key(key)
        add_line(line)
    return keys, lines
