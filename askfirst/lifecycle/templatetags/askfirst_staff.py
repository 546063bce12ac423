"""Figures the admin index shows next to the staff queue."""

from django import template

from askfirst.lifecycle.reports import failed_mail_count, restricted_count

register = template.Library()


@register.simple_tag
def askfirst_attention() -> dict[str, int]:
    """What needs a human: restricted contacts to review, mails that failed."""
    return {"restricted": restricted_count(), "failed": failed_mail_count()}
