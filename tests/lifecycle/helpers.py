"""Starting consent requests and reading the mails they produce."""

import re

from askfirst.contacts.services import contact_choose_language
from askfirst.lifecycle.links import link_text_current
from tests.factories import make_contact, make_staff

LINK = re.compile(r"https?://[^/\s]+(/l/[A-Za-z0-9_-]+/(yes/|deactivate/)?)")


def asking_contact(*, language: str = "de", **fields):
    contact = make_contact(**fields)
    return contact_choose_language(contact=contact, language=language, user=make_staff())


def mail_text(message) -> str:
    return message.get_body(("plain",)).get_content().replace("\r\n", "\n")


def links(message) -> dict[str, str]:
    """ "yes", "deactivate", "portal" → the path of that link in the mail."""
    return {
        action.rstrip("/") or "portal": path for path, action in LINK.findall(mail_text(message))
    }


def yes_form(language: str = "de") -> dict[str, str]:
    """What the yes page's form posts: the id of the consent text it shows now."""
    text = link_text_current(language=language)
    return {"text": str(text.pk) if text else ""}


def yes_form_shown(client, path: str) -> dict[str, str]:
    """What the yes page at `path` posts, read from the page (its language decides)."""
    (value,) = re.findall(r'name="text" value="(\d*)"', client.get(path).content.decode())
    return {"text": value}


def token_of(path: str) -> str:
    """The personal token in a link's path."""
    return path.split("/")[2]
