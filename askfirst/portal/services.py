"""The portal's workflows. Views parse the request and call one of these."""

import secrets
import time
from datetime import datetime
from functools import cache

from django.conf import settings
from django.contrib.auth.hashers import check_password, make_password
from django.contrib.auth.password_validation import validate_password
from django.db import transaction
from django.db.models import F
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext as _

from askfirst.consent.models import Channel, ConsentEvent, Purpose
from askfirst.consent.services import ConsentError, Proof, consent_record, contact_deactivate
from askfirst.contacts.emails import InvalidEmail, email_key, normalise_email
from askfirst.contacts.models import PERSONAL_FIELDS, Contact, ErasureReason, Status, Topic
from askfirst.contacts.services import contact_erase
from askfirst.lifecycle.models import LinkToken
from askfirst.lifecycle.services import format_moment, portal_link_send, token_hash
from askfirst.mail.models import MailName, Outbox
from askfirst.portal import conf
from askfirst.portal.access import PortalAccess, sessions_delete
from askfirst.portal.mails import EMAIL_CHANGED, EMAIL_CONFIRM, PASSWORD_CHANGED, portal_mail_write
from askfirst.portal.models import EmailChange, PortalLogin
from askfirst.portal.throttle import (
    LoginThrottle,
    throttle_hit,
    throttle_tidy,
)


class Throttled(Exception):
    """Too many requests from this address or network; try again later."""


class LoginFailed(Exception):
    pass


class PortalError(ValueError):
    """A refusal with a message for the person (already translated)."""


def _address_key(raw: str) -> str:
    """What throttles count for a typed address: valid or not, known or not."""
    try:
        return email_key(normalise_email(raw))
    except InvalidEmail:
        return (raw or "").strip().lower()[:254]


def _known_contact(key: str) -> Contact | None:
    return Contact.objects.filter(email_key=key).first()


def portal_link_request(*, email: str, ip_address: str | None, now: datetime | None = None) -> None:
    """Mail a fresh portal link if the address is ours; raise Throttled when over the limits.

    The caller answers the same whatever happened here, and this takes the
    same time either way: the work is padded to a fixed floor, so neither the
    page nor the clock tells whether the address is known.
    """
    started = time.monotonic()
    now = now or timezone.now()
    try:
        key = _address_key(email)
        ip_count = throttle_hit(
            scope="link-ip", value=ip_address or "-", window=conf.link_limit_ip()[1], now=now
        )
        address_count = throttle_hit(
            scope="link-address", value=key, window=conf.link_limit_address()[1], now=now
        )
        if ip_count > conf.link_limit_ip()[0] or address_count > conf.link_limit_address()[0]:
            raise Throttled
        contact = _known_contact(key)
        # A deactivated person is never mailed again, not even on request.
        if contact is not None and contact.status != Status.DEACTIVATED:
            portal_link_send(contact=contact, now=now)
    finally:
        remaining = conf.link_request_floor() - (time.monotonic() - started)
        if remaining > 0:
            time.sleep(remaining)


def portal_fresh_link_send(*, contact: Contact, now: datetime | None = None) -> None:
    """From inside the portal (fresh proof needed): a new link to the person's own address.

    A deactivated person gets it too: deleting themselves needs fresh proof and
    their password is gone, so this link is their only way. It is a mail they
    asked for from their own session, not contact they told us to stop. The
    mail worker holds back every mail tied to a deactivated contact, so this
    one is tied to none, like a deletion confirmation: the worker keeps no
    address in it once sent, and portal_forget deletes it if the person is
    erased before then.
    """
    now = now or timezone.now()
    count = throttle_hit(
        scope="link-address", value=contact.email_key, window=conf.link_limit_address()[1], now=now
    )
    if count > conf.link_limit_address()[0]:
        raise Throttled
    with transaction.atomic():
        row = portal_link_send(contact=contact, now=now)
        if contact.status == Status.DEACTIVATED:
            Outbox.objects.filter(pk=row.pk).update(contact=None)


@cache
def _dummy_hash(hasher_names: tuple[str, ...]) -> str:
    return make_password(secrets.token_urlsafe(16))


PASSWORD_LOGIN = LoginThrottle(
    account_scope="login-address",
    ip_scope="login-ip",
    account_limit=conf.login_limit_address,
    ip_limit=conf.login_limit_ip,
)


def portal_password_check(
    *, email: str, password: str, ip_address: str | None, now: datetime | None = None
) -> Contact:
    """The contact whose address and password these are; LoginFailed or Throttled otherwise.

    An unknown address costs one password hash too, so timing does not tell.
    """
    now = now or timezone.now()
    key = _address_key(email)
    ip = ip_address or "-"
    if PASSWORD_LOGIN.blocked(account=key, ip=ip, now=now):
        raise Throttled
    login = (
        PortalLogin.objects.select_related("contact")
        .filter(contact__email_key=key)
        .exclude(password_hash="")
        .first()
    )
    if login is None:
        check_password(password, _dummy_hash(tuple(settings.PASSWORD_HASHERS)))
        ok = False
    else:

        def upgrade(raw: str) -> None:
            PortalLogin.objects.filter(pk=login.pk).update(password_hash=make_password(raw))

        ok = check_password(password, login.password_hash, setter=upgrade)
    if not ok or login is None:
        PASSWORD_LOGIN.failed(account=key, ip=ip, now=now)
        raise LoginFailed
    PASSWORD_LOGIN.succeeded(account=key)
    return login.contact


def portal_password_set(
    *, contact: Contact, password: str, language: str, now: datetime | None = None
) -> PortalLogin:
    """Set or change the password (Argon2id); every other session ends; the person is told.

    Raises django.core.exceptions.ValidationError from the password validators.
    """
    now = now or timezone.now()
    # The contact stands in for a user: the similarity check compares its
    # names and address with the password.
    validate_password(password, user=contact)  # type: ignore[arg-type]
    with transaction.atomic():
        PortalLogin.objects.get_or_create(contact=contact)
        login = PortalLogin.objects.select_for_update().get(contact=contact)
        login.password_hash = make_password(password)
        login.password_set_at = now
        login.generation = F("generation") + 1
        login.save(update_fields=["password_hash", "password_set_at", "generation"])
        portal_mail_write(
            name=PASSWORD_CHANGED,
            contact=contact,
            recipient=contact.email,
            language=language,
            now=now,
        )
    login.refresh_from_db()
    return login


def portal_language_set(*, contact: Contact, language: str) -> None:
    if language in {"de", "en"} and contact.portal_language != language:
        contact.portal_language = language
        contact.save(update_fields=["portal_language", "updated_at"])


def portal_data_update(
    *, contact: Contact, values: dict[str, str], extranet_fields: list[str]
) -> Contact:
    """Personal fields (already validated) and the fields shared in the extranet."""
    for name in PERSONAL_FIELDS:
        if name in values:
            setattr(contact, name, values[name])
    contact.extranet_fields = [name for name in PERSONAL_FIELDS if name in set(extranet_fields)]
    contact.save(update_fields=[*PERSONAL_FIELDS, "extranet_fields", "updated_at"])
    return contact


def portal_topics_set(*, contact: Contact, topic_ids: list[int]) -> None:
    contact.topics.set(Topic.objects.filter(pk__in=topic_ids))


def portal_consent_set(
    *,
    access: PortalAccess,
    purpose_key: str,
    granted: bool,
    language: str,
    ip_address: str | None,
) -> list[ConsentEvent]:
    """One decision from the portal, recorded with the text version the page showed."""
    proof = Proof(
        channel=Channel.PORTAL,
        language=language,
        token_hash=access.token_hash,
        ip_address=ip_address,
    )
    try:
        return consent_record(
            contact=access.contact, purpose_key=purpose_key, granted=granted, proof=proof
        )
    except ConsentError as exc:
        raise PortalError(
            _consent_refusal(contact=access.contact, purpose_key=purpose_key, language=language)
            or str(exc)
        ) from exc


def _consent_refusal(*, contact: Contact, purpose_key: str, language: str) -> str:
    """consent_record's refusal in the page's language: it names purposes in English
    (it serves staff and the API too), the person reads them as the page shows them."""
    purpose = Purpose.objects.select_related("requires").filter(key=purpose_key).first()
    if purpose is None or purpose.requires is None:
        return ""
    if contact.consent_states.filter(purpose=purpose.requires, granted=True).exists():
        return ""
    return _("%(purpose)s needs consent to %(base)s first.") % {
        "purpose": purpose.name(language),
        "base": purpose.requires.name(language),
    }


def _mask(address: str) -> str:
    """j…@example.org: enough for the owner of the old address to recognise it."""
    local, _, domain = address.rpartition("@")
    return f"{local[:1]}…@{domain}"


def portal_email_change_request(
    *, contact: Contact, new_email: str, language: str, now: datetime | None = None
) -> EmailChange:
    """Send a confirmation link to the new address; nothing changes until it is used.

    The answer is the same whether or not the address belongs to another
    contact: refusing it here would let anyone with a session test addresses
    one after another. The confirmation refuses it instead, and only the owner
    of that mailbox sees the refusal.
    """
    now = now or timezone.now()
    try:
        normalised = normalise_email(new_email)
    except InvalidEmail:
        raise PortalError(_("Enter a valid email address.")) from None
    key = email_key(normalised)
    if key == contact.email_key:
        raise PortalError(_("This is already your address."))
    most, window = conf.email_change_limit()
    if throttle_hit(scope="email-change", value=str(contact.pk), window=window, now=now) > most:
        raise Throttled
    # A deactivated address is never written to, least of all at someone else's
    # request; the answer and the pending change look the same all the same.
    do_not_contact = Contact.objects.filter(email_key=key, status=Status.DEACTIVATED).exists()
    token = secrets.token_urlsafe(32)
    expires = now + conf.email_change_age()
    with transaction.atomic():
        EmailChange.objects.filter(contact=contact).delete()
        change = EmailChange.objects.create(
            contact=contact,
            new_email=normalised,
            token_hash=token_hash(token),
            created_at=now,
            expires_at=expires,
        )
        if not do_not_contact:
            portal_mail_write(
                name=EMAIL_CONFIRM,
                contact=contact,
                recipient=normalised,
                language=language,
                now=now,
                extra={
                    "confirm_url": settings.SITE_URL
                    + reverse("portal:email-confirm", args=[token]),
                    "link_expiry": format_moment(expires, language=language, with_time=True),
                },
            )
    return change


class ChangeUnknown(LookupError):
    pass


def email_change_find(*, token: str, now: datetime | None = None) -> EmailChange:
    now = now or timezone.now()
    if not token or len(token) > 100:
        raise ChangeUnknown
    change = (
        EmailChange.objects.select_related("contact")
        .filter(token_hash=token_hash(token), expires_at__gt=now)
        .first()
    )
    if change is None:
        raise ChangeUnknown
    return change


def portal_email_change_confirm(
    *, change: EmailChange, language: str, now: datetime | None = None
) -> Contact:
    """The new address is proven: switch to it, tell the old one, end old links and sessions.

    A refused change is deleted (and stays deleted: the refusal is raised after
    the transaction), so its link cannot be tried again.
    """
    now = now or timezone.now()
    with transaction.atomic():
        contact = Contact.objects.select_for_update().get(pk=change.contact_id)
        key = email_key(change.new_email)
        refusal = ""
        if contact.status == Status.DEACTIVATED:
            # The old address is the do-not-contact record: replacing it would
            # let mail to it through again.
            refusal = _("This profile is deactivated, so its address cannot change.")
        elif Contact.objects.filter(email_key=key).exclude(pk=contact.pk).exists():
            refusal = _("This address cannot be used for your profile. Please choose another.")
        if refusal:
            EmailChange.objects.filter(pk=change.pk).delete()
        else:
            old_email = contact.email
            contact.email = change.new_email
            contact.email_key = key
            contact.save(update_fields=["email", "email_key", "updated_at"])
            EmailChange.objects.filter(contact=contact).delete()
            # Links mailed to the old address must stop working: it may be the
            # reason for the change (a mailbox someone else can read).
            LinkToken.objects.filter(contact=contact).delete()
            PortalLogin.objects.get_or_create(contact=contact)
            PortalLogin.objects.filter(contact=contact).update(generation=F("generation") + 1)
            portal_mail_write(
                name=EMAIL_CHANGED,
                contact=contact,
                recipient=old_email,
                language=language,
                now=now,
                extra={"new_email_masked": _mask(contact.email)},
            )
    if refusal:
        raise PortalError(refusal)
    return contact


def portal_deactivate(*, access: PortalAccess, language: str, ip_address: str | None) -> Contact:
    """Keep only the address as a do-not-contact record; the login goes too (portal_close)."""
    proof = Proof(
        channel=Channel.PORTAL,
        language=language,
        token_hash=access.token_hash,
        ip_address=ip_address,
    )
    return contact_deactivate(contact=access.contact, proof=proof)


def portal_close(*, contact: Contact) -> None:
    """Part of every deactivation (ASKFIRST_DEACTIVATION_STEPS), whichever way it happens.

    A pending new address would replace the do-not-contact one once confirmed;
    the password and the sessions would keep a door open to a profile that
    holds nothing but the address. What remains is the way to delete it: a
    fresh link to that address (portal_fresh_link_send).
    """
    EmailChange.objects.filter(contact=contact).delete()
    # A new generation also ends a session opened meanwhile (its row is written
    # after sessions_delete has looked).
    PortalLogin.objects.filter(contact=contact).update(
        password_hash="", password_set_at=None, generation=F("generation") + 1
    )
    sessions_delete(contact=contact)


def portal_erase(*, contact: Contact) -> None:
    """Forget the person (what the portal holds goes by ASKFIRST_ERASURE_STEPS)."""
    contact_erase(contact=contact, reason=ErasureReason.PERSON)


def portal_forget(*, contact: Contact) -> None:
    """Part of every erasure (ASKFIRST_ERASURE_STEPS): what does not go by CASCADE.

    That is the fresh links mailed while the person was deactivated (tied to no
    contact, see portal_fresh_link_send). The sessions would go by CASCADE too; they
    are deleted first so that no request can use one while the erasure runs.
    """
    sessions_delete(contact=contact)
    if contact.status == Status.DEACTIVATED:
        Outbox.objects.filter(
            contact__isnull=True, name=MailName.PORTAL, recipient=contact.email
        ).delete()


def portal_tidy(*, now: datetime | None = None) -> int:
    """Drop what has expired: old throttle windows and unconfirmed address changes.

    A pending change holds an address the person may never confirm; it must
    not outlive its link.
    """
    now = now or timezone.now()
    expired, _ = EmailChange.objects.filter(expires_at__lte=now).delete()
    return expired + throttle_tidy(now=now)
