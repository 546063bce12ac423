"""Verification of the consent ledger: the hash chains (one per contact) and the
current state materialised from them."""

from collections.abc import Callable, Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from itertools import chain
from typing import Generic, TypeVar

from django.db import connection, transaction

from askfirst.consent.models import Action, ConsentEvent, ConsentState, Purpose
from askfirst.consent.services import GENESIS
from askfirst.contacts.models import Contact

Row = TypeVar("Row")


@dataclass(frozen=True)
class LedgerProblem:
    contact_id: int
    event_id: int | None
    seq: int | None
    message: str

    def __str__(self) -> str:
        if self.event_id is None:
            where = "chain end"
        elif self.seq is None:
            where = f"event #{self.event_id}"
        else:
            where = f"event #{self.event_id} (seq {self.seq})"
        return f"contact {self.contact_id}, {where}: {self.message}"


class _ByContact(Generic[Row]):
    """A stream of rows sorted by contact, taken one contact at a time."""

    def __init__(self, rows: Iterator[Row], contact_of: Callable[[Row], int]):
        self._rows = rows
        self._contact_of = contact_of
        self._pending = next(rows, None)

    def before(self, contact_id: int | None) -> Iterator[Row]:
        """Rows of contacts before contact_id (all that are left for None)."""
        while self._pending is not None and (
            contact_id is None or self._contact_of(self._pending) < contact_id
        ):
            yield self._pending
            self._pending = next(self._rows, None)

    def of(self, contact_id: int) -> list[Row]:
        """The rows of this contact (after before(contact_id) took those ahead of it)."""
        rows = []
        while self._pending is not None and self._contact_of(self._pending) == contact_id:
            rows.append(self._pending)
            self._pending = next(self._rows, None)
        return rows


# A state row as read: contact id, purpose id, granted, event id.
_State = tuple[int, int, bool, int]


def _check_chain(contact_id: int, head: str, length: int, events: list) -> Iterator[LedgerProblem]:
    prev = GENESIS
    expected_seq = 1
    for event in events:
        if event.seq != expected_seq:
            yield LedgerProblem(
                contact_id,
                event.pk,
                event.seq,
                f"expected seq {expected_seq}: an event before it was deleted or inserted",
            )
        if event.prev_hash != prev:
            yield LedgerProblem(
                contact_id,
                event.pk,
                event.seq,
                "does not follow the event before it (deleted, inserted or reordered)",
            )
        if event.compute_hash() != event.hash:
            yield LedgerProblem(contact_id, event.pk, event.seq, "content was edited")
        prev = event.hash
        expected_seq = event.seq + 1
    if len(events) != length or prev != (head or GENESIS):
        last = events[-1] if events else None
        yield LedgerProblem(
            contact_id,
            last.pk if last else None,
            last.seq if last else None,
            f"chain has {len(events)} events but should end at event {length}: "
            "events at the end were deleted or added",
        )


def _decision(granted: bool) -> str:
    return Action.GRANTED.value if granted else Action.WITHDRAWN.value


def _orphan_state(state: _State, purposes: dict[int, str]) -> LedgerProblem:
    contact_id, purpose_id, granted, event_id = state
    return LedgerProblem(
        contact_id,
        event_id,
        None,
        f"the current state of {purposes.get(purpose_id, purpose_id)} says "
        f"{_decision(granted)}, but this contact has no event for that purpose",
    )


def _check_states(
    contact_id: int, events: list, states: list[_State], purposes: dict[int, str]
) -> Iterator[LedgerProblem]:
    """The API, the portal and the mails read the state rows, not the chain: each
    must be exactly what the newest event for its purpose decided."""
    newest = {event.purpose_id: event for event in events}  # events come in seq order
    for state in states:
        _contact, purpose_id, granted, event_id = state
        event = newest.pop(purpose_id, None)
        if event is None:
            yield _orphan_state(state, purposes)
        elif event.pk != event_id:
            yield LedgerProblem(
                contact_id,
                event.pk,
                event.seq,
                f"the current state of {purposes.get(purpose_id, purpose_id)} rests on "
                f"event #{event_id} ({_decision(granted)}), but the newest event for that "
                f"purpose is this one ({event.action})",
            )
        elif granted != (event.action == Action.GRANTED):
            yield LedgerProblem(
                contact_id,
                event.pk,
                event.seq,
                f"the current state of {purposes.get(purpose_id, purpose_id)} says "
                f"{_decision(granted)}, but this newest event for it says {event.action}",
            )
    for purpose_id, event in newest.items():
        yield LedgerProblem(
            contact_id,
            event.pk,
            event.seq,
            f"{purposes.get(purpose_id, purpose_id)} has no current state, but this newest "
            f"event for it says {event.action}",
        )


def ledger_verify() -> Iterator[LedgerProblem]:
    """Yield every problem found; an empty result means every chain holds and every
    current state is the one its chain decided.

    Contacts, events and states are read as three streams sorted by contact, so
    memory stays flat whatever the size of the ledger. Erased contacts took their
    whole chain and their states with them and are simply absent.

    All of it is read from one snapshot (_snapshot): an answer committed while the
    streams are read must not show as an event without its chain or state.
    """
    with _snapshot():
        yield from _verify()


@contextmanager
def _snapshot() -> Iterator[None]:
    """One consistent view of the database for the reads inside.

    PostgreSQL: a read-only REPEATABLE READ transaction (its first statement sets
    the level; the iterators' server-side cursors live inside it). SQLite: a
    deferred BEGIN, so the first read takes a WAL snapshot held until COMMIT
    without the write lock that the configured BEGIN IMMEDIATE of atomic() takes.
    Inside a caller's transaction its view is used as it is.
    """
    if connection.in_atomic_block:
        yield
        return
    if connection.vendor == "postgresql":
        with transaction.atomic():
            with connection.cursor() as cursor:
                cursor.execute("SET TRANSACTION ISOLATION LEVEL REPEATABLE READ READ ONLY")
            yield
        return
    if connection.vendor == "sqlite":
        connection.ensure_connection()
        with connection.cursor() as cursor:
            cursor.execute("BEGIN DEFERRED")
        try:
            yield
        finally:
            with connection.cursor() as cursor:
                cursor.execute("COMMIT")
        return
    yield


def _verify() -> Iterator[LedgerProblem]:
    purposes = dict(Purpose.objects.values_list("pk", "key"))
    contacts = (
        Contact.objects.filter(ledger_length__gt=0)
        .order_by("pk")
        .values_list("pk", "ledger_head", "ledger_length")
        .iterator(chunk_size=2000)
    )
    events = _ByContact(
        ConsentEvent.objects.order_by("contact_id", "seq", "pk").iterator(chunk_size=2000),
        lambda event: event.contact_id,
    )
    states: _ByContact[_State] = _ByContact(
        ConsentState.objects.order_by("contact_id", "purpose_id")
        .values_list("contact_id", "purpose_id", "granted", "event_id")
        .iterator(chunk_size=2000),
        lambda state: state[0],
    )
    # A last round with no contact reports the rows of contacts after the last chain.
    for contact_id, head, length in chain(contacts, [(None, "", 0)]):
        for event in events.before(contact_id):
            yield LedgerProblem(
                event.contact_id, event.pk, event.seq, "belongs to no recorded chain"
            )
        for state in states.before(contact_id):
            yield _orphan_state(state, purposes)
        if contact_id is None:
            break
        own = events.of(contact_id)
        yield from _check_chain(contact_id, head, length, own)
        yield from _check_states(contact_id, own, states.of(contact_id), purposes)
