from django.core.management.base import BaseCommand, CommandError

from askfirst.api.models import ApiKey


class Command(BaseCommand):
    help = "Issue, list or revoke API keys for client systems."

    def add_arguments(self, parser):
        actions = parser.add_subparsers(dest="action", required=True)
        create = actions.add_parser("create", help="Issue a key; it is printed once.")
        create.add_argument("name", help="The client system, e.g. 'CRM'.")
        revoke = actions.add_parser("revoke", help="Revoke the active key with this prefix.")
        revoke.add_argument("prefix", help="The start of the key as the admin lists it.")
        actions.add_parser("list", help="List keys (never their secrets).")

    def handle(self, *args, **options):
        action = options["action"]
        if action == "create":
            name = options["name"].strip()
            if not name or len(name) > ApiKey._meta.get_field("name").max_length:  # type: ignore[operator]
                raise CommandError("Give the client system a name of at most 100 characters.")
            key, raw = ApiKey.issue(name=name)
            self.stderr.write(f"API key for {key.name} (shown only now, store it safely):")
            self.stdout.write(raw)
        elif action == "revoke":
            # A full key may be pasted too: its first characters are the prefix.
            prefix = options["prefix"].rstrip("…")[:10]
            if len(prefix) < 6:
                raise CommandError("Give at least the first 6 characters of the key.")
            active = ApiKey.objects.filter(prefix__startswith=prefix, revoked_at__isnull=True)
            count = active.count()
            if count == 0:
                raise CommandError(f"No active key starts with {prefix!r}.")
            if count > 1:
                raise CommandError(
                    f"{count} active keys start with {prefix!r}; revoke in the admin."
                )
            key = active.get()
            ApiKey.revoke_many(active)
            self.stdout.write(self.style.SUCCESS(f"Revoked {key}."))
        else:
            for key in ApiKey.objects.order_by("created_at"):
                state = f"revoked {key.revoked_at:%Y-%m-%d}" if key.revoked_at else "active"
                used = f"{key.last_used_at:%Y-%m-%d %H:%M}" if key.last_used_at else "never"
                self.stdout.write(f"{key.prefix}…  {state:<18} last used {used:<16}  {key.name}")
