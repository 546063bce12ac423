import signal

from django.core.management.base import BaseCommand

from askfirst.lifecycle.worker import Worker


class Command(BaseCommand):
    help = "Send consent requests, reminders and expiries, and deliver the outbox."

    def add_arguments(self, parser):
        parser.add_argument(
            "--once", action="store_true", help="Do what is due now, then exit (tests, cron)."
        )
        parser.add_argument(
            "--demo-smtp",
            action="store_true",
            help="Run the demo mailbox in this process and send all mail to it (make run).",
        )

    def handle(self, *args, once: bool, demo_smtp: bool, **options):
        smtp = None
        if demo_smtp:
            from django.conf import settings

            from askfirst.mail.delivery import SmtpTarget
            from askfirst.mail.demo import demo_smtp_start

            port = settings.ASKFIRST_DEMO_SMTP_PORT
            demo_smtp_start(host="127.0.0.1", port=port)
            smtp = SmtpTarget(host="127.0.0.1", port=port, timeout=10)
            self.stdout.write(f"demo mailbox on 127.0.0.1:{port}: read it in the admin")
        worker = Worker(smtp=smtp)

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
