import secrets
from pathlib import Path

from django.conf import settings
from django.contrib.auth import get_user_model
from django.core.management.base import BaseCommand
from django.db import transaction

from askfirst.contacts.inputs import parse_contact
from askfirst.contacts.models import Contact, Topic
from askfirst.contacts.services import contact_upsert

DEMO_CONTACTS = [
    {"email": "anna.schmidt@example.de", "first_name": "Anna", "last_name": "Schmidt",
     "company": "Schmidt & Söhne GmbH", "city": "München", "country": "Deutschland",
     "source": "business_card"},
    {"email": "jonas.mueller@example.at", "first_name": "Jonas", "last_name": "Müller",
     "company": "Alpenblick KG", "source": "form"},
    {"email": "lea.weber@example.ch", "first_name": "Lea", "last_name": "Weber",
     "source": "chat", "source_language": "de"},
    {"email": "emma.jones@example.co.uk", "first_name": "Emma", "last_name": "Jones",
     "company": "Jones Ltd", "country": "United Kingdom", "source": "email"},
    {"email": "liam.smith@example.com", "first_name": "Liam", "last_name": "Smith",
     "source": "phone"},
    {"email": "sofia.rossi@example.it", "first_name": "Sofia", "last_name": "Rossi",
     "source": "import", "source_language": "en"},
    {"email": "max.fischer@example.com", "first_name": "Max", "last_name": "Fischer",
     "source": "connector", "source_ref": "highrise-1001", "source_language": "German"},
    {"email": "info@bücher-beispiel.de", "company": "Bücher Beispiel", "source": "form"},
]  # fmt: skip

DEMO_TOPICS = [
    ("events", "Veranstaltungen", "Events"),
    ("products", "Produktneuheiten", "Product news"),
    ("research", "Forschung", "Research"),
]


class Command(BaseCommand):
    help = "Create the demo staff login and demo contacts (kept on later runs)."

    def handle(self, *args, **options):
        password_file = Path(settings.VAR_DIR) / "demo-staff-password"
        User = get_user_model()
        with transaction.atomic():
            user = User.objects.filter(username="demo").first()
            if user is None or not password_file.exists():
                password = secrets.token_urlsafe(12)
                if user is None:
                    user = User.objects.create_superuser("demo", "demo@example.com", password)
                else:
                    user.set_password(password)
                    user.save()
                password_file.parent.mkdir(parents=True, exist_ok=True)
                password_file.write_text(password)
                password_file.chmod(0o600)
            password = password_file.read_text().strip()
            for key, label_de, label_en in DEMO_TOPICS:
                Topic.objects.get_or_create(
                    key=key, defaults={"label_de": label_de, "label_en": label_en}
                )
            if not Contact.objects.exists():
                for row in DEMO_CONTACTS:
                    contact_upsert(data=parse_contact(row, default_source="import"))
        self.stdout.write(
            self.style.SUCCESS(
                f"Staff login: {settings.SITE_URL}/admin/  user: demo  password: {password}"
            )
        )
