"""Read-only queries for staff: one contact's timeline and the campaign counts.

Nothing here writes. Every figure comes from a fixed number of queries
(GROUP BY / conditional aggregates), never from a loop over rows, so the
pages cost the same with ten contacts as with a million (docs/lifecycle.md,
"What staff see").
"""

from dataclasses import dataclass, field
from datetime import date, datetime, timedelta

from django.conf import settings
from django.db.models import Count, Q, Sum
from django.db.models.functions import TruncDate
from django.utils import formats, timezone
from django.utils.translation import get_language
from django.utils.translation import gettext as _

from askfirst.consent.models import ConsentEvent, ConsentState, Purpose
from askfirst.contacts.models import Contact, ErasureCount, ErasureReason, Status
from askfirst.mail.models import Bounce, MailName, Outbox, OutboxState

# How far back the "last 30 days" figures and the funnel look.
WINDOW = timedelta(days=30)
FUNNEL_DAYS = 30


# -- one contact's timeline ---------------------------------------------------


@dataclass(frozen=True)
class TimelineEntry:
    when: datetime
    kind: str  # "milestone", "mail" or "answer"
    title: str
    details: tuple[tuple[str, str], ...] = ()
    state: str = ""  # the outbox state key (mails) or the action (answers)
    state_label: str = ""
    url: str = ""  # the outbox row's admin page (mails)
    error: str = ""
    order: int = 0
    key: int = 0


def mail_title(name: str, step: int) -> str:
    if name == MailName.REMINDER:
        return _("Reminder %(number)d") % {"number": step}
    return str(MailName(name).label) if name in MailName.values else name


def step_label(step: int) -> str:
    """What `lifecycle_step` means: the mails sent so far."""
    if step <= 0:
        return _("request not sent yet")
    if step == 1:
        return _("request sent")
    return _("reminder %(number)d sent") % {"number": step - 1}


def next_action_label(step: int) -> str:
    """What the worker does when `next_action_at` comes."""
    last_mail_step = len(settings.ASKFIRST_SCHEDULE) - 2
    if step <= 0:
        return _("send the consent request")
    if step <= last_mail_step:
        return _("send reminder %(number)d") % {"number": step}
    return _("expire the request (no answer)")


def _when(value: datetime | None) -> str:
    return formats.localize(timezone.localtime(value)) if value else "\u2014"


def _purpose_name(purpose: Purpose) -> str:
    return purpose.name(get_language() or "en")


def contact_timeline(contact: Contact, *, outbox_url=None) -> list[TimelineEntry]:
    """Milestones, mails and answers of one contact, oldest first.

    Two queries (the contact's outbox rows without their bodies, and its ledger
    events with purpose, text and staff user), whatever their number.
    `outbox_url(pk)` makes the link to a mail's admin page.
    """
    entries: list[TimelineEntry] = [
        TimelineEntry(
            when=contact.created_at,
            kind="milestone",
            title=_("Contact created"),
            details=((_("source"), str(contact.get_source_display())),),
        )
    ]
    if contact.language_chosen_at:
        chooser = contact.language_chosen_by
        if contact.language_chosen_automatically:
            by = _("automatically, from the suggestion")
        elif chooser:
            by = chooser.get_username()
        else:
            by = _("a staff account deleted since")
        entries.append(
            TimelineEntry(
                when=contact.language_chosen_at,
                kind="milestone",
                title=_("Mail language chosen: %(language)s")
                % {"language": contact.get_mail_language_display()},
                details=((_("by"), by),),
            )
        )
    if contact.asking_since and contact.asking_since != contact.language_chosen_at:
        entries.append(
            TimelineEntry(
                when=contact.asking_since,
                kind="milestone",
                title=_("Consent request started"),
            )
        )
    mails = (
        Outbox.objects.filter(contact_id=contact.pk)
        .only(
            "pk",
            "name",
            "step",
            "language",
            "text_version",
            "state",
            "attempts",
            "created_at",
            "sent_at",
            "last_error",
        )
        .order_by("created_at", "pk")
    )
    for mail in mails:
        details = [
            (_("language"), mail.language),
            (_("text version"), mail.text_version or "\u2014"),
            (_("sent"), _when(mail.sent_at)),
        ]
        if mail.attempts:
            details.append((_("attempts"), str(mail.attempts)))
        entries.append(
            TimelineEntry(
                when=mail.created_at,
                kind="mail",
                title=mail_title(mail.name, mail.step),
                details=tuple(details),
                state=mail.state,
                state_label=str(mail.get_state_display()),
                url=outbox_url(mail.pk) if outbox_url else "",
                error=mail.last_error,
                order=1,
                key=mail.pk,
            )
        )
    events = (
        ConsentEvent.objects.filter(contact_id=contact.pk)
        .select_related("purpose", "text", "staff_user")
        .order_by("seq")
    )
    for event in events:
        details = [
            (_("channel"), str(event.get_channel_display())),
            (_("language"), event.language or "\u2014"),
            (_("text version"), f"v{event.text.version}" if event.text else "\u2014"),
        ]
        if event.staff_user:
            details.append((_("staff user"), event.staff_user.get_username()))
        if event.evidence:
            details.append((_("note"), event.evidence))
        entries.append(
            TimelineEntry(
                when=event.occurred_at,
                kind="answer",
                title=f"{_purpose_name(event.purpose)}: {event.get_action_display()}",
                details=tuple(details),
                state=event.action,
                state_label=str(event.get_action_display()),
                order=2,
                key=event.seq,
            )
        )
    if contact.next_action_at and contact.status == Status.ASKING:
        entries.append(
            TimelineEntry(
                when=contact.next_action_at,
                kind="milestone",
                title=_("Next action due: %(action)s")
                % {"action": next_action_label(contact.lifecycle_step)},
                order=3,
            )
        )
    entries.sort(key=lambda entry: (entry.when, entry.order, entry.key))
    return entries


def contact_bounce(contact: Contact) -> Bounce | None:
    """The permanent rejection recorded for the contact's address, if any."""
    return Bounce.objects.filter(email_key=contact.email_key).first()


# -- the campaign -------------------------------------------------------------


@dataclass
class PurposeRate:
    key: str
    name: str
    granted: int
    withdrawn: int
    answered: int

    @property
    def rate(self) -> float | None:
        return self.granted / self.answered if self.answered else None


@dataclass
class FunnelDay:
    day: int  # days from the start of the request to the first answer
    answered: int
    cumulative: int
    share: float | None  # cumulative share of the contacts asked


@dataclass
class Campaign:
    since: datetime
    statuses: dict[str, int] = field(default_factory=dict)
    # lifecycle_step → number of contacts asking at that step
    asking_steps: dict[int, int] = field(default_factory=dict)
    erasures: int = 0  # in the window
    erasures_by_reason: dict[str, int] = field(default_factory=dict)  # in the window
    # Ever: people asked who never answered. They are erased, yet they were asked.
    expired: int = 0
    mails: dict[str, int] = field(default_factory=dict)
    purposes: list[PurposeRate] = field(default_factory=list)
    funnel: list[FunnelDay] = field(default_factory=list)
    funnel_later: int = 0

    def count(self, status: str) -> int:
        return self.statuses.get(status, 0)

    @property
    def total(self) -> int:
        return sum(self.statuses.values())

    @property
    def asked(self) -> int:
        """Contacts whose request started (or who answered without one): those still
        held, and those erased because they never answered."""
        return self.total - self.count(Status.QUEUED) + self.expired

    @property
    def answered(self) -> int:
        """An answer is a consent decision or a deactivation."""
        return self.count(Status.ANSWERED) + self.count(Status.DEACTIVATED)

    @property
    def answer_rate(self) -> float | None:
        return self.answered / self.asked if self.asked else None


# Open mails count whatever their age (they still need a worker or a human);
# finished ones count for the window.
OPEN_MAIL_STATES = (
    OutboxState.PENDING,
    OutboxState.SENDING,
    OutboxState.RETRY,
    OutboxState.FAILED,
)


def campaign_counts(*, now: datetime | None = None) -> Campaign:
    """The staff dashboard's figures: six aggregate queries, whatever the size."""
    now = now or timezone.now()
    since = now - WINDOW
    campaign = Campaign(since=since)

    for row in (
        Contact.objects.order_by()
        .values("status", "lifecycle_step")
        .annotate(n=Count("pk"))
        .values_list("status", "lifecycle_step", "n")
    ):
        status, step, n = row
        campaign.statuses[status] = campaign.statuses.get(status, 0) + n
        if status == Status.ASKING:
            campaign.asking_steps[step] = campaign.asking_steps.get(step, 0) + n

    first_day: date = timezone.localdate(now) - timedelta(days=WINDOW.days - 1)
    for reason, in_window, ever in (
        ErasureCount.objects.order_by()
        .values("reason")
        .annotate(in_window=Sum("count", filter=Q(day__gte=first_day)), ever=Sum("count"))
        .values_list("reason", "in_window", "ever")
    ):
        if in_window:
            campaign.erasures += in_window
            campaign.erasures_by_reason[reason] = in_window
        if reason == ErasureReason.EXPIRED:
            campaign.expired = ever

    mail_counts = {state: Count("pk", filter=Q(state=state)) for state in OPEN_MAIL_STATES} | {
        OutboxState.SENT: Count("pk", filter=Q(state=OutboxState.SENT, sent_at__gte=since)),
        OutboxState.SUPPRESSED: Count(
            "pk", filter=Q(state=OutboxState.SUPPRESSED, finished_at__gte=since)
        ),
    }
    campaign.mails = {
        str(state): n
        for state, n in Outbox.objects.filter(
            Q(state__in=OPEN_MAIL_STATES) | Q(sent_at__gte=since) | Q(finished_at__gte=since)
        )
        .order_by()
        .aggregate(**{str(state): count for state, count in mail_counts.items()})
        .items()
    }

    states = {
        purpose_id: (granted, total)
        for purpose_id, granted, total in ConsentState.objects.order_by()
        .values("purpose_id")
        .annotate(granted=Count("pk", filter=Q(granted=True)), total=Count("pk"))
        .values_list("purpose_id", "granted", "total")
    }
    for purpose in Purpose.objects.order_by("position"):
        granted, total = states.get(purpose.pk, (0, 0))
        campaign.purposes.append(
            PurposeRate(
                key=purpose.key,
                name=_purpose_name(purpose),
                granted=granted,
                withdrawn=total - granted,
                answered=campaign.answered,
            )
        )

    _funnel(campaign)
    return campaign


def _funnel(campaign: Campaign) -> None:
    """First answers by day since the request started, for contacts still held.

    Grouped by (day asked, day answered) in the database: the rows returned
    are bounded by days × days, not by contacts.
    """
    tz = timezone.get_current_timezone()
    rows = (
        ConsentEvent.objects.filter(seq=1, contact__asking_since__isnull=False)
        .order_by()
        .values(
            asked=TruncDate("contact__asking_since", tzinfo=tz),
            answered=TruncDate("occurred_at", tzinfo=tz),
        )
        .annotate(n=Count("pk"))
        .values_list("asked", "answered", "n")
    )
    per_day = [0] * (FUNNEL_DAYS + 1)
    for asked, answered, n in rows:
        days = max((answered - asked).days, 0)
        if days > FUNNEL_DAYS:
            campaign.funnel_later += n
        else:
            per_day[days] += n
    cumulative = 0
    for day, n in enumerate(per_day):
        cumulative += n
        campaign.funnel.append(
            FunnelDay(
                day=day,
                answered=n,
                cumulative=cumulative,
                share=cumulative / campaign.asked if campaign.asked else None,
            )
        )


def restricted_count() -> int:
    """Customers kept under another legal basis after expiry, not yet reviewed."""
    return Contact.objects.filter(status=Status.RESTRICTED, restriction_review__isnull=True).count()


def queue_overdue_since(*, now: datetime | None = None) -> datetime:
    """Contacts queued before this have waited too long for a mail language."""
    return (now or timezone.now()) - settings.ASKFIRST_QUEUE_WARN_AFTER


def queue_overdue_count(*, now: datetime | None = None) -> int:
    """Contacts not yet told we hold their data, for too long (contact_queue_idx)."""
    return Contact.objects.filter(
        status=Status.QUEUED, created_at__lt=queue_overdue_since(now=now)
    ).count()


def failed_mail_count() -> int:
    return Outbox.objects.filter(state=OutboxState.FAILED).count()
