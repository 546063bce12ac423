"""Email address validation and normalisation (email-validator, IDN included)."""

from email_validator import EmailNotValidError, validate_email


class InvalidEmail(ValueError):
    pass


def normalise_email(raw: str) -> str:
    """Return the normalised address, or raise InvalidEmail with a readable reason.

    Domains are stored in Unicode (bücher.de, not xn--bcher-kva.de) so both
    spellings of one address meet on one contact.
    """
    value = (raw or "").strip()
    if not value:
        raise InvalidEmail("The email address is missing.")
    if len(value) > 254:
        raise InvalidEmail("The email address is longer than 254 characters.")
    try:
        result = validate_email(value, check_deliverability=False)
    except EmailNotValidError as exc:
        raise InvalidEmail(str(exc)) from None
    return result.normalized


def email_key(normalised: str) -> str:
    """The case-insensitive identity of an address."""
    return normalised.lower()
