"""Figures the admin index shows next to the staff queue."""

from django import template
from django.conf import settings

from askfirst.lifecycle.reports import failed_mail_count, queue_overdue_count, restricted_count

register = template.Library()


@register.simple_tag
def askfirst_attention() -> dict[str, int]:
    """What needs a human: contacts waiting too long for a mail language,
    restricted contacts to review, mails that failed."""
    return {
        "queue_overdue": queue_overdue_count(),
        "queue_warn_days": settings.ASKFIRST_QUEUE_WARN_AFTER.days,
        "restricted": restricted_count(),
        "failed": failed_mail_count(),
    }
