"""Django's SQLite backend, with write transactions queued instead of polled.

SQLite allows one writer at a time. A writer that finds the lock taken sleeps in
SQLite's busy handler for growing intervals (up to 100 ms each) and retries, so
under load some requests wait far longer than the transactions in front of them
took (measured: p99 of a consent change above 1 s at 16 connections, 2 processes).

Here every transaction (`BEGIN IMMEDIATE`, i.e. every `atomic` block) first takes
a lock: a thread lock inside the process, then an advisory lock on a file beside
the database, shared by all processes. Waiters queue on those locks and start as
soon as the transaction before them ends. The lock is released at commit or
rollback. Nothing else changes: SQLite's own lock still protects the data, and
writes outside `atomic` still use its busy timeout.
"""

import fcntl
import os
import threading
import time

from django.db import OperationalError
from django.db.backends.sqlite3.base import DatabaseWrapper as SQLiteDatabaseWrapper


class _WriteLock:
    """One per database file and process."""

    def __init__(self, path: str | None) -> None:
        self.path = path
        self.thread_lock = threading.Lock()
        self.fd: int | None = None

    def acquire(self, timeout: float) -> None:
        deadline = time.monotonic() + timeout
        if not self.thread_lock.acquire(timeout=timeout):
            raise OperationalError("database is locked (waited for this process's writer)")
        try:
            if self.path is not None:
                self._lock_file(self.path, deadline)
        except BaseException:
            self.thread_lock.release()
            raise

    def _lock_file(self, path: str, deadline: float) -> None:
        if self.fd is None:
            self.fd = os.open(path, os.O_RDWR | os.O_CREAT, 0o600)
        # Another process holds it: poll. Each pause is a tenth of the time waited
        # so far (50 µs to 2 ms), so a waiter starts at most about 10 % later than
        # it could have. Doubling pauses (0.2, 0.4, 0.8 … 2 ms) overslept by up to
        # the length of a whole consent change (about 1 ms), and the process that
        # had just written often took the lock again meanwhile (bench/portal.py,
        # A/B: 6-42 % more consent POSTs per second, p99 of 86-89 ms down to 55-62
        # ms on granian; docs/portal.md).
        started = time.monotonic()
        while True:
            try:
                fcntl.flock(self.fd, fcntl.LOCK_EX | fcntl.LOCK_NB)
                return
            except BlockingIOError:
                now = time.monotonic()
                if now >= deadline:
                    raise OperationalError("database is locked") from None
                time.sleep(min(max((now - started) / 10, 0.00005), 0.002))

    def release(self) -> None:
        try:
            if self.fd is not None:
                fcntl.flock(self.fd, fcntl.LOCK_UN)
        finally:
            self.thread_lock.release()


_locks: dict[str | None, _WriteLock] = {}
_locks_guard = threading.Lock()


def _forget_locks() -> None:
    # A forked child must not inherit a lock some thread of the parent held.
    global _locks_guard
    _locks.clear()
    _locks_guard = threading.Lock()


os.register_at_fork(after_in_child=_forget_locks)


class DatabaseWrapper(SQLiteDatabaseWrapper):
    _write_lock_held = False

    def _write_lock(self) -> _WriteLock:
        path = None if self.is_in_memory_db() else f"{self.settings_dict['NAME']}.writer-lock"
        with _locks_guard:
            lock = _locks.get(path)
            if lock is None:
                lock = _locks[path] = _WriteLock(path)
        return lock

    def _start_transaction_under_autocommit(self) -> None:
        lock = self._write_lock()
        lock.acquire(timeout=float(self.settings_dict["OPTIONS"].get("timeout", 5)))
        self._write_lock_held = True
        try:
            super()._start_transaction_under_autocommit()  # type: ignore[misc]
        except BaseException:
            self._release_write_lock()
            raise

    def _release_write_lock(self) -> None:
        if self._write_lock_held:
            self._write_lock_held = False
            self._write_lock().release()

    def _commit(self) -> None:
        try:
            super()._commit()  # type: ignore[misc]
        finally:
            self._release_write_lock()

    def _rollback(self) -> None:
        try:
            super()._rollback()  # type: ignore[misc]
        finally:
            self._release_write_lock()

    def _close(self) -> None:
        try:
            super()._close()  # type: ignore[misc]
        finally:
            self._release_write_lock()
