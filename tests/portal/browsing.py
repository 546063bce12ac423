"""Helpers for the browser walks: screenshots at two widths, saved HTML, mail links."""

import re
from pathlib import Path

from askfirst.mail.models import Outbox

ROOT = Path(__file__).resolve().parents[2]
SHOTS = ROOT / "test-artifacts" / "screenshots" / "portal"
HTML = ROOT / "test-artifacts" / "html" / "portal"
WIDTHS = (1280, 360)
MAIL_LINK = re.compile(
    r"https?://[^\s/]+(/(?:l|portal/enter|portal/email/confirm)/[A-Za-z0-9_-]+/)"
)


def shoot(page, name: str) -> None:
    """Full-page screenshots at desktop and phone width; the phone one must not scroll sideways."""
    SHOTS.mkdir(parents=True, exist_ok=True)
    for width in WIDTHS:
        page.set_viewport_size({"width": width, "height": 900})
        page.screenshot(path=str(SHOTS / f"{name}-{width}.png"), full_page=True)
        if width == 360:
            overflow = page.evaluate("document.documentElement.scrollWidth")
            assert overflow <= 360, f"{name} is {overflow}px wide at 360px"
    page.set_viewport_size({"width": WIDTHS[0], "height": 900})


def mail_body(row: Outbox) -> str:
    import email
    import email.policy

    message = email.message_from_string(row.message, policy=email.policy.default)
    return message.get_body(("plain",)).get_content()


def last_mail_path(name: str, recipient: str) -> str:
    """The path of the first personal link in the newest such mail."""
    row = Outbox.objects.filter(name=name, recipient=recipient).order_by("-pk").first()
    assert row is not None, f"no {name} mail to {recipient}"
    match = MAIL_LINK.search(mail_body(row))
    assert match, mail_body(row)
    return match.group(1)
