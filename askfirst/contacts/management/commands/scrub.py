from django.core.management.base import BaseCommand
from django.db import connection

from askfirst.contacts.services import database_scrub

# Tables whose dead rows may hold an erased person's data.
PERSONAL_TABLES = [
    "contacts_contact",
    "contacts_contact_topics",
    "consent_consentevent",
    "consent_consentstate",
    "django_admin_log",
    "django_session",
]


class Command(BaseCommand):
    help = (
        "Remove what erased people left in the database files: a WAL checkpoint on "
        "SQLite, VACUUM of the personal tables on PostgreSQL. Run at least daily."
    )

    def add_arguments(self, parser):
        parser.add_argument(
            "--full",
            action="store_true",
            help="PostgreSQL: VACUUM FULL (rewrites the tables; takes an exclusive lock).",
        )

    def handle(self, *args, full: bool = False, **options):
        if connection.vendor != "postgresql":
            database_scrub()
            self.stdout.write("SQLite: write-ahead log checkpointed and truncated.")
            return
        existing = set(connection.introspection.table_names())
        with connection.cursor() as cursor:
            for table in PERSONAL_TABLES:
                if table in existing:
                    cursor.execute(
                        f"VACUUM {'FULL ' if full else ''}{connection.ops.quote_name(table)}"
                    )
        self.stdout.write(f"PostgreSQL: {'VACUUM FULL' if full else 'VACUUM'} done.")
