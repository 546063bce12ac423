from django.core.management.base import BaseCommand
from django.db import connection

from askfirst.contacts.services import database_scrub
from askfirst.intake.retention import rejects_expire

# Tables whose dead rows may hold an erased person's data. Other apps' tables
# that hold personal data belong here too.
PERSONAL_TABLES = [
    "contacts_contact",
    "contacts_contact_topics",
    "consent_consentevent",
    "consent_consentstate",
    "django_admin_log",
    "django_session",
    "intake_importrun",
]


class Command(BaseCommand):
    help = (
        "Remove what erased people left in the database files: a WAL checkpoint on "
        "SQLite; VACUUM FULL of the tables holding personal data on PostgreSQL "
        "(plain VACUUM only marks dead rows reusable, their bytes stay). Run daily."
    )

    def add_arguments(self, parser):
        parser.add_argument(
            "--light",
            action="store_true",
            help="PostgreSQL: plain VACUUM (no exclusive lock; bytes of dead rows may stay).",
        )

    def handle(self, *args, light: bool = False, **options):
        blanked = rejects_expire()
        self.stdout.write(f"Rejected import rows past retention blanked in {blanked} import(s).")
        if connection.vendor != "postgresql":
            database_scrub()
            self.stdout.write("SQLite: write-ahead log checkpointed and truncated.")
            return
        if connection.in_atomic_block:
            self.stdout.write("PostgreSQL: inside a transaction, VACUUM skipped.")
            return
        existing = set(connection.introspection.table_names())
        command = "VACUUM" if light else "VACUUM FULL"
        with connection.cursor() as cursor:
            for table in PERSONAL_TABLES:
                if table in existing:
                    cursor.execute(f"{command} {connection.ops.quote_name(table)}")
            cursor.execute("CHECKPOINT")
        self.stdout.write(f"PostgreSQL: {command} of {len(PERSONAL_TABLES)} tables done.")
