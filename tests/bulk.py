"""Many contacts at once, for concurrency tests and benchmarks."""

from datetime import datetime

from django.utils import timezone

from askfirst.contacts.models import Contact, Status


def due_contacts(count: int, *, prefix: str = "due", at: datetime | None = None) -> list[str]:
    """`count` contacts asking since `at` (now), due for their request mail."""
    at = at or timezone.now()
    contacts = [
        Contact(
            email=f"{prefix}{n}@example.org",
            email_key=f"{prefix}{n}@example.org",
            first_name="Jörg",
            last_name=f"Bühler{n}",
            source="import",
            mail_language=("de", "en", "de+en")[n % 3],
            status=Status.ASKING,
            lifecycle_step=0,
            asking_since=at,
            next_action_at=at,
        )
        for n in range(count)
    ]
    Contact.objects.bulk_create(contacts, batch_size=2000)
    return [c.email for c in contacts]
