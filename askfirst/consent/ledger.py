"""Verification of the consent ledger's hash chains (one chain per contact)."""

from collections.abc import Iterator
from dataclasses import dataclass

from askfirst.consent.models import ConsentEvent
from askfirst.consent.services import GENESIS
from askfirst.contacts.models import Contact


@dataclass(frozen=True)
class LedgerProblem:
    contact_id: int
    event_id: int | None
    seq: int | None
    message: str

    def __str__(self) -> str:
        where = f"event #{self.event_id} (seq {self.seq})" if self.event_id else "chain end"
        return f"contact {self.contact_id}, {where}: {self.message}"


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


def ledger_verify() -> Iterator[LedgerProblem]:
    """Yield every problem found; an empty result means every chain holds.

    Contacts and events are read as two streams sorted by contact, so memory
    stays flat whatever the size of the ledger. Erased contacts took their
    whole chain with them and are simply absent.
    """
    contacts = (
        Contact.objects.filter(ledger_length__gt=0)
        .order_by("pk")
        .values_list("pk", "ledger_head", "ledger_length")
        .iterator(chunk_size=2000)
    )
    events = ConsentEvent.objects.order_by("contact_id", "seq", "pk").iterator(chunk_size=2000)
    pending = next(events, None)
    for contact_id, head, length in contacts:
        while pending is not None and pending.contact_id < contact_id:
            yield LedgerProblem(
                pending.contact_id, pending.pk, pending.seq, "belongs to no recorded chain"
            )
            pending = next(events, None)
        chain = []
        while pending is not None and pending.contact_id == contact_id:
            chain.append(pending)
            pending = next(events, None)
        yield from _check_chain(contact_id, head, length, chain)
    while pending is not None:
        yield LedgerProblem(
            pending.contact_id, pending.pk, pending.seq, "belongs to no recorded chain"
        )
        pending = next(events, None)
