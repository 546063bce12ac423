"""Read and validate an import file in a forked process while this one writes.

An import spends about as long parsing and validating rows as storing them;
on one core the two add up. Forked, the child runs the same reading code on
the other core and hands each batch over a pipe, so the writing process
only stores. The pipe holds two batches or so, which keeps memory flat: the
child waits while the writer is behind.

The child never touches the database: it inherits the parent's connection
object but leaves by os._exit (multiprocessing does), closing nothing.
"""

import contextlib
import fcntl
import gc
import multiprocessing
import pickle
import traceback
from collections.abc import Generator
from dataclasses import fields
from operator import attrgetter
from typing import Any

from askfirst.contacts.inputs import ContactInput
from askfirst.intake.columns import ColumnBatch
from askfirst.intake.records import ImportFileError, Record

# A record with its contact, or with the reason it is rejected.
Parsed = tuple[Record, ContactInput | str]
# Rows validated column by column, or one by one.
Batch = ColumnBatch | list[Parsed]
Batches = Generator[tuple[Batch, int], None, None]

# Linux's default ceiling for a pipe (/proc/sys/fs/pipe-max-size).
_PIPE_BYTES = 1 << 20
_INPUT_VALUES = attrgetter(*(f.name for f in fields(ContactInput)))


def _pack(batch: Batch) -> bytes:
    if isinstance(batch, ColumnBatch):
        return pickle.dumps(batch, protocol=pickle.HIGHEST_PROTOCOL)
    # Plain tuples: pickling the dataclasses themselves costs several times more.
    return pickle.dumps(
        [
            (
                record.line,
                record.card,
                record.raw,
                data if isinstance(data, str) else _INPUT_VALUES(data),
            )
            for record, data in batch
        ],
        protocol=pickle.HIGHEST_PROTOCOL,
    )


def _unpack(payload: bytes) -> Batch:
    # Written by our own forked child into a pipe only the two processes hold.
    batch = pickle.loads(payload)  # noqa: S301
    if isinstance(batch, ColumnBatch):
        return batch
    return [
        (
            Record(line=line, card=card, raw=raw),
            data if isinstance(data, str) else ContactInput(*data),
        )
        for line, card, raw, data in batch
    ]


def _produce(batches: Batches, pipe: Any) -> None:
    try:
        for batch, done in batches:
            pipe.send_bytes(_pack(batch))
            pipe.send(done)
        pipe.send_bytes(b"")
    except BaseException as exc:  # noqa: BLE001 - handed to the parent, raised there
        try:
            pickle.loads(pickle.dumps(exc))  # noqa: S301 - our own bytes
        except Exception:  # noqa: BLE001 - not every exception pickles and unpickles
            exc = RuntimeError(repr(exc))
        if not isinstance(exc, ImportFileError):
            exc.add_note("in the import's reader process:\n" + traceback.format_exc())
        pipe.send_bytes(b"!")
        pipe.send(exc)
    finally:
        pipe.close()


def batches_from_child(batches: Batches) -> Batches:
    """The same batches, produced by a forked child process."""
    context = multiprocessing.get_context("fork")
    receiving, sending = context.Pipe(duplex=False)
    _widen(sending)
    child = context.Process(target=_produce, args=(batches, sending), daemon=True)
    child.start()
    sending.close()
    try:
        while payload := _receive(receiving, child):
            if payload == b"!":
                raise receiving.recv()
            yield _unpack(payload), receiving.recv()
            # This process's collection for the batch just written, now garbage
            # (the reading child collects its own, in the batches it runs).
            gc.collect(1)
    finally:
        if child.is_alive():
            child.terminate()
        receiving.close()
        child.join()


def _widen(pipe: Any) -> None:
    """Let the pipe hold a whole batch or two (Linux: 64 KiB by default, a batch ~400 KB).

    Through a narrow pipe each batch crosses in pieces, the writer waiting
    for the reader to be scheduled for every piece (~0.5 s a million rows,
    measured); with room for the batch it is one copy.
    """
    # Not Linux, or not allowed: a narrow pipe works, only slower.
    with contextlib.suppress(AttributeError, OSError):
        fcntl.fcntl(pipe.fileno(), fcntl.F_SETPIPE_SZ, _PIPE_BYTES)


def _receive(receiving: Any, child: Any) -> bytes:
    try:
        return receiving.recv_bytes()
    except EOFError:
        child.join()
        raise RuntimeError(
            f"The import's reader process ended without finishing (exit code {child.exitcode})."
        ) from None
