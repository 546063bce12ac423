"""A file read by a second process imports exactly as one read in-process."""

import multiprocessing
import os
import signal

import pytest
from django.core.management.base import CommandError
from django.test import override_settings

from askfirst.contacts.models import PERSONAL_FIELDS, Contact, Status
from askfirst.intake import reader_process
from askfirst.intake.records import Record
from askfirst.intake.services import import_file, source_open
from tests.factories import make_contact

from .factories import run, write

pytestmark = pytest.mark.django_db

# Batches of 3: duplicates, rejects and a known address fall in several batches.
TRICKY_CSV = (
    "email,first name,last name,id,city\n"
    "anna@example.org,Anna,A,1,Köln\n"  # 2
    "no-at-sign,Bob,B,2,Bonn\n"  # 3
    "ANNA@example.org,Anna,Again,3,Köln\n"  # 4: duplicate of 2, same batch
    "carl@example.org,Carl,C,4,Wien\n"  # 5
    "dora@example.org,Dora,D,5,Wien,extra\n"  # 6: too many fields
    "known@example.org,Known,Updated,6,Paris\n"  # 7: known contact, updated
    "gone@example.org,Gone,G,7,Paris\n"  # 8: deactivated, skipped
    "eve@example.org,Eve,E,1,Bonn\n"  # 9: id 1 again, a later batch
    ',"Fay\nFay",F,8,Bonn\n'  # 10-11: no address, a quoted line break
    "carl@EXAMPLE.org,Carl,C2,9,Wien\n"  # 12: duplicate of 5, a later batch
    "gus@example.org,Gus," + "x" * 300 + ",10,Bonn\n"  # 13: name too long
    "hal@example.org,Hal,H,11,Linz\n"  # 14
)


def _state():
    return sorted(
        Contact.objects.values_list(
            "email", "first_name", "last_name", "city", "source_ref", "status"
        )
    )


def _import(tmp_path, name, *, threshold):
    make_contact(email="known@example.org", first_name="Known", last_name="Before")
    gone = make_contact(email="gone@example.org")
    Contact.objects.filter(pk=gone.pk).update(
        status=Status.DEACTIVATED, **{name: "" for name in PERSONAL_FIELDS}
    )
    path = write(tmp_path, TRICKY_CSV, name=name)
    with override_settings(ASKFIRST_IMPORT_READER_PROCESS_FROM=threshold):
        out = run(path).replace(path.stem, "FILE")
    rejects = path.with_name(f"{path.stem}.rejects.csv").read_text(encoding="utf-8-sig")
    state = _state()
    Contact.objects.all().delete()
    return out, rejects, state


@override_settings(ASKFIRST_IMPORT_BATCH=3)
def test_same_report_rejects_and_contacts(tmp_path, monkeypatch):
    forks = []
    monkeypatch.setattr(
        "askfirst.intake.services.batches_from_child",
        lambda batches: forks.append(1) or reader_process.batches_from_child(batches),
    )
    alone = _import(tmp_path, "alone.csv", threshold=10**9)
    assert forks == []
    forked = _import(tmp_path, "forked.csv", threshold=0)
    assert forks == [1]
    assert forked == alone
    out, rejects, state = forked
    assert "created: 3, updated: 1, unchanged: 0, skipped (deactivated): 1, rejected: 7" in out
    assert "line 4: duplicate of line 2" in out and "line 12: duplicate of line 5" in out
    assert "line 9: duplicate of line 2" in out  # the same id 1
    assert [line.split(",")[0] for line in rejects.splitlines()[1:]][:2] == ["3", "4"]
    assert ("known@example.org", "Known", "Updated", "Paris", "", Status.QUEUED) in state
    assert not multiprocessing.active_children()


def test_the_childs_error_reaches_the_command_and_nothing_changes(tmp_path):
    known = make_contact(first_name="Kept")
    path = write(tmp_path, b"VERSION:4.0\r\nEMAIL:loose@example.org\r\n", name="cards.vcf")
    with (
        override_settings(ASKFIRST_IMPORT_READER_PROCESS_FROM=0),
        pytest.raises(CommandError, match="The file holds no vCard"),
    ):
        run(path, command="import-vcard")
    assert list(Contact.objects.values_list("pk", "first_name")) == [(known.pk, "Kept")]
    assert not multiprocessing.active_children()


@override_settings(ASKFIRST_IMPORT_BATCH=2)
def test_a_failing_writer_stops_the_child(tmp_path):
    # Far more than a pipe holds: the child is still busy when the writer fails.
    text = "email\n" + "".join(f"p{n}@example.org\n" for n in range(30_000))
    path = write(tmp_path, text)

    def progress(done):
        raise RuntimeError("writer failed")

    with path.open("rb") as binary, pytest.raises(RuntimeError, match="writer failed") as failed:
        import_file(
            source=source_open(binary=binary, kind="csv"), progress=progress, reader_process=True
        )
    # The first batch was written before the failure; the child is gone, not
    # left blocked on a pipe nobody reads, even while the traceback (and with
    # it the import's frame) is still held, as a caller logging it would.
    assert Contact.objects.count() == 2
    assert not multiprocessing.active_children()
    assert failed.traceback


def test_vcard_cards_import_alike(tmp_path):
    cards = "".join(
        f"BEGIN:VCARD\r\nVERSION:4.0\r\nFN:Person {n}\r\nEMAIL:p{n % 7}@example.org\r\n"
        "END:VCARD\r\n"
        for n in range(12)
    )
    results = []
    for threshold, name in ((10**9, "alone.vcf"), (0, "forked.vcf")):
        path = write(tmp_path, cards, name=name)
        with override_settings(ASKFIRST_IMPORT_READER_PROCESS_FROM=threshold):
            out = run(path, command="import-vcard")
        results.append((out.replace(name[:-4], "FILE"), _state()))
        Contact.objects.all().delete()
    assert results[0] == results[1]
    assert (
        "created: 7" in results[1][0] and "card 8 (line 36): duplicate of line 1" in results[1][0]
    )


class _Source:
    """A reader that fails inside the child, the way the test says."""

    kind = "csv"
    encoding = "utf-8"
    header = ["email"]
    ignored: list[str] = []

    def __init__(self, failure):
        self.failure = failure

    def records(self):
        yield Record(line=2, data={"email": "a@example.org"}, raw=["a@example.org"])
        self.failure()

    def bytes_read(self):
        return 0

    def close(self):
        pass


class _NeedsTwoArguments(Exception):
    def __init__(self, what, why):
        super().__init__(f"{what}: {why}")


def _raise():
    raise _NeedsTwoArguments("reader", "broke")


@pytest.mark.parametrize(
    ("failure", "message"),
    [
        (lambda: os.kill(os.getpid(), signal.SIGKILL), r"ended without finishing \(exit code -9\)"),
        (_raise, "_NeedsTwoArguments.*reader: broke"),
    ],
)
def test_a_dying_or_oddly_failing_child_is_reported_clearly(failure, message):
    with pytest.raises(RuntimeError, match=message):
        import_file(source=_Source(failure), reader_process=True)
    assert not multiprocessing.active_children()


def test_the_pipe_holds_a_whole_batch():
    import fcntl

    receiving, sending = multiprocessing.get_context("fork").Pipe(duplex=False)
    try:
        reader_process._widen(sending)
        # A batch of 2,000 plain rows pickles to ~400 KB.
        assert fcntl.fcntl(sending.fileno(), fcntl.F_GETPIPE_SZ) >= 1 << 20
    finally:
        receiving.close()
        sending.close()
