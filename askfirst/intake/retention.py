"""How long rejected import rows (personal data that never became a contact) stay."""

from django.conf import settings
from django.utils import timezone

from askfirst.intake.models import ImportRun


def rejects_expire() -> int:
    """Blank the rejected rows of imports older than the retention; return how many."""
    cutoff = timezone.now() - settings.ASKFIRST_IMPORT_REJECTS_RETENTION
    return ImportRun.objects.filter(created_at__lt=cutoff).exclude(rejects="").update(rejects="")
