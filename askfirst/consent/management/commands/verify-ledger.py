from django.core.management.base import BaseCommand, CommandError

from askfirst.consent.ledger import ledger_verify


class Command(BaseCommand):
    help = (
        "Check every consent-event hash chain and every current consent state; name each "
        "edited, missing or moved event and each state its newest event does not back."
    )

    def handle(self, *args, **options):
        problems = 0
        for problem in ledger_verify():
            problems += 1
            self.stderr.write(str(problem))
        if problems:
            raise CommandError(f"The ledger does not verify: {problems} problem(s).")
        self.stdout.write(
            self.style.SUCCESS(
                "The ledger verifies: every chain is intact and every current state matches it."
            )
        )
