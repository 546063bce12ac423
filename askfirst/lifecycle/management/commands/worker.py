import signal

from django.core.management.base import BaseCommand

from askfirst.lifecycle.worker import Worker


class Command(BaseCommand):
    help = "Send consent requests, reminders and expiries, and deliver the outbox."

    def add_arguments(self, parser):
        parser.add_argument(
            "--once", action="store_true", help="Do what is due now, then exit (tests, cron)."
        )

    def handle(self, *args, once: bool, **options):
        worker = Worker()

        def stop(signum, frame):
            # Finish the batch in hand (its transaction or its SMTP session), then exit.
            worker.stop.set()

        signal.signal(signal.SIGTERM, stop)
        signal.signal(signal.SIGINT, stop)
        if once:
            result = worker.run_once()
            self.stdout.write(
                f"advanced {result.advanced}, wrote {result.mails_written} mails, "
                f"sent {result.sent}"
            )
        else:
            worker.run_forever()
