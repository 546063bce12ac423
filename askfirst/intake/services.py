"""Import contacts from a CSV or vCard file: validate, de-duplicate, upsert in batches."""

import gc
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import BinaryIO, Protocol

from django.conf import settings
from django.utils.translation import gettext as _

from askfirst.contacts.bulk import (
    contacts_bulk_upsert,
    contacts_copy_rows,
    contacts_create_all,
    contacts_create_copied,
    contacts_known,
    contacts_unchanged,
)
from askfirst.contacts.inputs import ContactInput, InvalidContact
from askfirst.contacts.models import Source
from askfirst.contacts.services import Outcome
from askfirst.intake.columns import Ahead, BatchKeys, ColumnBatch, columns_parse
from askfirst.intake.csv_source import CsvSource, RegularRows
from askfirst.intake.reader_process import Batch, Batches, Parsed, batches_from_child
from askfirst.intake.records import ImportFileError, Record
from askfirst.intake.report import ImportReport, RejectsSink
from askfirst.intake.rows import row_parse
from askfirst.intake.seen import SeenKeys
from askfirst.intake.vcard_source import VcardSource

__all__ = ["ImportFileError", "import_file", "source_open", "kind_from_name", "rejects_path_for"]


class FileSource(Protocol):
    kind: str
    encoding: str
    header: list[str]
    ignored: list[str]

    def records(self): ...
    def bytes_read(self) -> int: ...
    def close(self) -> None: ...


DEFAULT_SOURCE = {"csv": Source.IMPORT.value, "vcard": Source.BUSINESS_CARD.value}


def kind_from_name(name: str) -> str | None:
    """ "csv" or "vcard" by the file's extension; None for anything else."""
    lowered = name.lower()
    if lowered.endswith((".vcf", ".vcard")):
        return "vcard"
    if lowered.endswith((".csv", ".txt")):
        return "csv"
    return None


def source_open(*, binary: BinaryIO, kind: str) -> FileSource:
    return VcardSource(binary) if kind == "vcard" else CsvSource(binary)


def rejects_path_for(path: Path) -> Path:
    return path.with_name(f"{path.stem}.rejects.csv")


def _batch_keys(batch: ColumnBatch) -> BatchKeys:
    """_keys of the rows: each address's, and (row, key) for each source id given;
    None if two rows of the batch share one."""
    keys = list(map(hash, batch.values["email_key"]))
    refs = batch.values.get("source_ref")
    ref_keys: list[tuple[int, int]] = []
    if refs is not None and any(refs):
        sources = batch.values["source"]
        ref_keys = [(index, _ref_key(sources[index], ref)) for index, ref in enumerate(refs) if ref]
    unique = set(keys)
    unique.update(key for _index, key in ref_keys)
    if len(unique) != len(keys) + len(ref_keys):
        return None
    return keys, ref_keys


def _ref_key(source: str, ref: str) -> int:
    return hash(("ref", source, ref))


def _keys(data: ContactInput) -> list[int]:
    keys = [hash(data.email_key)]
    if data.source_ref:
        keys.append(_ref_key(data.source, data.source_ref))
    return keys


class _Run:
    def __init__(self, source: FileSource, rejects: RejectsSink | None, *, ahead: bool = False):
        self.source = source
        self.rejects = rejects
        self.report = ImportReport()
        self.seen = SeenKeys()
        self.default_source = DEFAULT_SOURCE[source.kind]
        self.all_new = True
        # A second process reads: it also does what it can of the writing.
        self.ahead = ahead

    def reject(self, record: Record, reason: str) -> None:
        self.report.reject(record.label, reason)
        if self.rejects is not None:
            self.rejects.write(record.line, reason, record.raw)

    def parse(self, record: Record) -> ContactInput | str:
        """The row's contact, or why it is rejected."""
        if record.error:
            return record.error
        try:
            return row_parse(record.data, default_source=self.default_source)
        except InvalidContact as exc:
            return str(exc)

    def duplicate(self, record: Record, first: int) -> None:
        self.reject(
            record, _("duplicate of line %(line)d (the first occurrence wins)") % {"line": first}
        )

    def store(self, batch: Batch) -> None:
        """Reject the batch's bad rows, then write the good ones."""
        if isinstance(batch, ColumnBatch):
            keys = batch.ahead.keys if batch.ahead else _batch_keys(batch)
            if self.all_new and self.create_all(batch, keys):
                return
            rest = self.skip_unchanged(batch, keys)
            if rest:
                inputs = batch.inputs(rest)
                self.flush([(batch.record(i), data) for i, data in zip(rest, inputs, strict=True)])
            return
        good: list[tuple[Record, ContactInput]] = []
        for record, data in batch:
            if isinstance(data, str):
                self.reject(record, data)
            else:
                good.append((record, data))
        if good:
            self.flush(good)

    def create_all(self, batch: ColumnBatch, keys: BatchKeys) -> bool:
        """Store a batch of new contacts at once; False if any row needs a closer look."""
        # A repeat inside the batch, or of a recent row, is decided row by row
        # as flush does: the recent row's address or id need not be stored
        # (a deactivated contact found by its id keeps its old address; a
        # contact of another source keeps its own id). An older repeat counts
        # in flush only for a contact the database holds, whose address or
        # id makes the insert fail; so does any known contact.
        if keys is None:
            return False
        addresses, ids = keys
        recent = self.seen.recent
        if not recent.keys().isdisjoint(addresses) or any(key in recent for _i, key in ids):
            return False
        ahead = batch.ahead
        if ahead and ahead.copy_rows:
            created = contacts_create_copied(rows=ahead.copy_rows)
        else:
            created = contacts_create_all(given=batch.values, count=len(batch))
        if not created:
            self.all_new = False
            return False
        self.report.created += len(batch)
        lines = batch.lines
        # None of them is in the record: the insert would have clashed.
        self.seen.add_new(zip(addresses, lines, strict=True))
        self.seen.add_new((key, lines[index]) for index, key in ids)
        return True

    def skip_unchanged(self, batch: ColumnBatch, keys: BatchKeys) -> list[int]:
        """Count the rows a re-import leaves as they are; the indexes of the others.

        Checked as flush would: a row repeating an earlier one of the file
        is left for flush to reject as a duplicate.
        """
        if keys is None:
            return list(range(len(batch)))
        addresses, ids = keys
        per_row = [[key] for key in addresses]
        for index, key in ids:
            per_row[index].append(key)
        unchanged = contacts_unchanged(given=batch.values, count=len(batch))
        seen = self.seen
        rest = []
        for index, (same, row_keys) in enumerate(zip(unchanged, per_row, strict=True)):
            if same and not any(seen.get(key) for key in row_keys):
                self.report.unchanged += 1
                for key in row_keys:
                    seen.add(key, batch.lines[index])
            else:
                rest.append(index)
        return rest

    def flush(self, batch: list[tuple[Record, ContactInput]]) -> None:
        # The first occurrence wins: a repeat inside this batch or of a recent
        # row is caught by dict; an older one can only be a contact stored
        # already, so only rows the database knows are checked against the rest.
        local: dict[int, int] = {}
        recent = self.seen.recent
        kept: list[tuple[Record, ContactInput, list[int]]] = []
        for record, data in batch:
            keys = _keys(data)
            first = None
            for key in keys:
                first = local.get(key) or recent.get(key)
                if first:
                    break
            if first:
                self.duplicate(record, first)
                continue
            for key in keys:
                local.setdefault(key, record.line)
            kept.append((record, data, keys))
        known = contacts_known(inputs=[data for _record, data, _keys in kept])
        if self.seen.stored and (known.by_key or known.by_ref):
            fresh = []
            for record, data, keys in kept:
                stored = (
                    data.email_key in known.by_key or (data.source, data.source_ref) in known.by_ref
                )
                first = stored and next((ln for key in keys if (ln := self.seen.get(key))), None)
                if first:
                    self.duplicate(record, first)
                else:
                    fresh.append((record, data, keys))
            kept = fresh
        results = contacts_bulk_upsert(inputs=[data for _r, data, _k in kept], known=known)
        # A file of new contacts is tried a batch at a time again (create_all).
        self.all_new = all(result is Outcome.CREATED for result in results)
        report = self.report
        for (record, _data, keys), result in zip(kept, results, strict=True):
            if result is Outcome.CREATED:
                report.created += 1
            elif result is Outcome.UNCHANGED:
                report.unchanged += 1
            elif result is Outcome.UPDATED:
                report.updated += 1
            elif result is Outcome.DEACTIVATED:
                report.deactivated += 1
            else:
                self.reject(record, str(result))
                continue
            for key in keys:
                self.seen.add(key, record.line)


@contextmanager
def _collector_per_batch() -> Iterator[None]:
    """Run the cyclic garbage collector once per batch instead of on its own.

    An import allocates a few containers per row; the collector, left alone,
    also walks every object the process holds (all of Django) again and again:
    a fifth of the import's time, measured. Rows make no reference cycles, so
    collecting the young objects after each batch is enough; what was alive
    before the import is left out of it (frozen).
    """
    enabled = gc.isenabled()
    gc.freeze()
    gc.disable()
    try:
        yield
    finally:
        gc.unfreeze()
        if enabled:
            gc.enable()


def _parsed_batches(run: "_Run", size: int) -> Batches:
    """The file's records, parsed, in batches of `size` (rejected rows count too)."""
    source = run.source
    if isinstance(source, CsvSource):
        yield from _csv_batches(run, source, size)
        return
    batch: list[Parsed] = []
    for record in source.records():
        batch.append((record, run.parse(record)))
        if len(batch) >= size:
            yield batch, source.bytes_read()
            batch = []
            gc.collect(1)
    if batch:
        yield batch, source.bytes_read()


def _csv_batches(run: "_Run", source: CsvSource, size: int) -> Batches:
    for chunk in source.chunks(size):
        batch: Batch | None = None
        if isinstance(chunk, RegularRows):
            batch = columns_parse(
                chunk.rows, chunk.lines, source.columns, default_source=run.default_source
            )
            if batch is None:
                batch = [(record, run.parse(record)) for record in chunk.records(source)]
            elif run.ahead:
                # Keys hash alike here: a forked process keeps the hash seed.
                batch.ahead = Ahead(
                    keys=_batch_keys(batch),
                    copy_rows=contacts_copy_rows(given=batch.values, count=len(batch)),
                )
        else:
            batch = [(record, run.parse(record)) for record in chunk]
        yield batch, source.bytes_read()
        # Each process collects once a batch, when the batch is garbage: this
        # one here, a writing parent in batches_from_child.
        del batch, chunk
        gc.collect(1)


def import_file(
    *,
    source: FileSource,
    rejects: RejectsSink | None = None,
    progress: Callable[[int], None] | None = None,
    reader_process: bool = False,
) -> ImportReport:
    """Import every good record; reject the rest with line and reason.

    Batches of ASKFIRST_IMPORT_BATCH rows are committed one by one, so memory
    stays flat however long the file is. With reader_process, a forked process
    reads and validates the file while this one writes (both cores busy).
    """
    run = _Run(source, rejects, ahead=reader_process)
    size = settings.ASKFIRST_IMPORT_BATCH
    with _collector_per_batch():
        batches = _parsed_batches(run, size)
        if reader_process:
            batches = batches_from_child(batches)
        try:
            for batch, done in batches:
                run.store(batch)
                # Garbage now; the collector, run as the next batch is made,
                # need not walk it.
                del batch
                if progress:
                    progress(done)
        finally:
            # Stops the reader process now, also when writing failed: the
            # traceback would keep the generator, and the reader blocked on a
            # full pipe, alive.
            batches.close()
    report = run.report
    if not report.rows:
        raise ImportFileError(
            _("The file holds no contacts (a header but no rows); nothing changed.")
        )
    if source.ignored:
        report.notes.append(
            _("Columns ignored (not recognised): %(names)s") % {"names": ", ".join(source.ignored)}
        )
    return report
