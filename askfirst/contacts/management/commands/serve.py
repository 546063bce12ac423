from django.core.management.base import BaseCommand


class Command(BaseCommand):
    help = "Serve askfirst with granian (WSGI) on the given address."

    def add_arguments(self, parser):
        parser.add_argument("--host", default="127.0.0.1")
        parser.add_argument("--port", type=int, default=8000)
        parser.add_argument("--workers", type=int, default=1)

    def handle(self, *args, host: str, port: int, workers: int, **options):
        from granian import Granian
        from granian.constants import Interfaces

        self.stdout.write(f"askfirst on http://{host}:{port}/ (Ctrl+C stops)")
        Granian(
            "askfirst.wsgi:application",
            address=host,
            port=port,
            interface=Interfaces.WSGI,
            workers=workers,
        ).serve()
