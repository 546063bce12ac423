"""askfirst settings: everything an operator may change comes from the environment.

`.env.example` lists every variable with its default.
"""

from pathlib import Path

from askfirst.env import (
    database_from_url,
    env_bool,
    env_choice,
    env_choices,
    env_duration,
    env_int,
    env_list,
    env_str,
    parse_schedule,
    refuse_example,
    refuse_example_address,
    require_public_https_url,
    require_smtp_tls_for_login,
    sqlite_database,
)

BASE_DIR = Path(__file__).resolve().parent.parent
VAR_DIR = Path(env_str("ASKFIRST_VAR_DIR", str(BASE_DIR / "var")))

DEBUG = env_bool("ASKFIRST_DEBUG", False)
SECRET_KEY = env_str("ASKFIRST_SECRET_KEY", "")
if not SECRET_KEY:
    if not DEBUG and env_bool("ASKFIRST_PRODUCTION", False):
        from django.core.exceptions import ImproperlyConfigured

        raise ImproperlyConfigured("ASKFIRST_SECRET_KEY must be set in production.")
    SECRET_KEY = "insecure-development-key-change-me-" + "x" * 20
ALLOWED_HOSTS = env_list("ASKFIRST_ALLOWED_HOSTS", ["127.0.0.1", "localhost", "testserver"])
CSRF_TRUSTED_ORIGINS = env_list("ASKFIRST_CSRF_TRUSTED_ORIGINS", [])
SITE_URL = env_str("ASKFIRST_SITE_URL", "http://127.0.0.1:8000").rstrip("/")

INSTALLED_APPS = [
    "django.contrib.admin",
    "django.contrib.auth",
    "django.contrib.contenttypes",
    "django.contrib.sessions",
    "django.contrib.messages",
    "django.contrib.staticfiles",
    "askfirst.contacts",
    "askfirst.consent",
    "askfirst.intake",
    "askfirst.api",
    "askfirst.mail",
    "askfirst.lifecycle",
    "askfirst.portal",
    "askfirst.hooks",
]

MIDDLEWARE = [
    "django.middleware.security.SecurityMiddleware",
    "whitenoise.middleware.WhiteNoiseMiddleware",
    "django.contrib.sessions.middleware.SessionMiddleware",
    "django.middleware.locale.LocaleMiddleware",
    "django.middleware.common.CommonMiddleware",
    "django.middleware.csrf.CsrfViewMiddleware",
    "django.contrib.auth.middleware.AuthenticationMiddleware",
    "django.contrib.messages.middleware.MessageMiddleware",
    "django.middleware.clickjacking.XFrameOptionsMiddleware",
    "askfirst.portal.middleware.PortalSecurityHeadersMiddleware",
]

ROOT_URLCONF = "askfirst.urls"
WSGI_APPLICATION = "askfirst.wsgi.application"

TEMPLATES = [
    {
        "BACKEND": "django.template.backends.django.DjangoTemplates",
        "DIRS": [BASE_DIR / "askfirst" / "templates"],
        "APP_DIRS": True,
        "OPTIONS": {
            "context_processors": [
                "django.template.context_processors.request",
                "django.contrib.auth.context_processors.auth",
                "django.contrib.messages.context_processors.messages",
            ],
        },
    },
]

_database_url = env_str("DATABASE_URL", "")
if _database_url:
    DATABASES = {"default": database_from_url(_database_url)}
else:
    # The embedded default must work on a fresh checkout: make its folder.
    VAR_DIR.mkdir(parents=True, exist_ok=True)
    DATABASES = {"default": sqlite_database(str(VAR_DIR / "askfirst.sqlite3"))}
DEFAULT_AUTO_FIELD = "django.db.models.BigAutoField"
# PostgreSQL: the portal's per-request reads are prepared once per connection
# (askfirst/hotread.py). Off behind a pooler that cannot keep prepared statements
# (PgBouncer in transaction mode before 1.21).
ASKFIRST_DB_PREPARED_READS = env_bool("ASKFIRST_DB_PREPARED_READS", True)

PASSWORD_HASHERS = [
    "django.contrib.auth.hashers.Argon2PasswordHasher",
    "django.contrib.auth.hashers.PBKDF2PasswordHasher",
]
AUTH_PASSWORD_VALIDATORS = [
    {
        "NAME": "django.contrib.auth.password_validation.MinimumLengthValidator",
        "OPTIONS": {"min_length": 15},
    },
    {"NAME": "django.contrib.auth.password_validation.CommonPasswordValidator"},
    {"NAME": "django.contrib.auth.password_validation.UserAttributeSimilarityValidator"},
]

LANGUAGE_CODE = env_choice("ASKFIRST_LANGUAGE", "en", {"de", "en"})
LANGUAGES = [("de", "Deutsch"), ("en", "English")]
LOCALE_PATHS = [BASE_DIR / "askfirst" / "locale"]
TIME_ZONE = env_str("ASKFIRST_TIME_ZONE", "Europe/Berlin")
USE_I18N = True
USE_TZ = True

STATIC_URL = "/static/"
STATIC_ROOT = VAR_DIR / "static"
STORAGES = {
    "default": {"BACKEND": "django.core.files.storage.FileSystemStorage"},
    "staticfiles": {"BACKEND": "whitenoise.storage.CompressedStaticFilesStorage"},
}

# Proof: store a truncated client IP address (IPv4 /24, IPv6 /48) with consent
# events only when the operator asks for it.
ASKFIRST_LEDGER_STORE_IP = env_bool("ASKFIRST_LEDGER_STORE_IP", False)

# Domains whose addresses suggest a German mail (country code top-level domains).
ASKFIRST_GERMAN_TLDS = env_list("ASKFIRST_GERMAN_TLDS", ["de", "at", "ch", "li"])
# Suggestions the operator trusts enough to start the consent request without
# staff: by the sign they come from (empty: staff choose every language).
ASKFIRST_AUTO_LANGUAGE = env_choices(
    "ASKFIRST_AUTO_LANGUAGE", [], {"source_language", "country", "domain"}
)

# Rows per database round trip during imports.
ASKFIRST_IMPORT_BATCH = env_int("ASKFIRST_IMPORT_BATCH", 2000, minimum=1)
# The import commands read and validate a file of at least this many bytes in
# a second process while the first writes (two cores busy); the admin upload
# never forks the web process.
ASKFIRST_IMPORT_READER_PROCESS_FROM = env_int(
    "ASKFIRST_IMPORT_READER_PROCESS_FROM", 1_000_000, minimum=0
)
# Rejected import rows are personal data that never became a contact, so an
# erasure cannot find them: staff may download them this long, then
# `askfirst scrub` blanks them.
ASKFIRST_IMPORT_REJECTS_RETENTION = env_duration("ASKFIRST_IMPORT_REJECTS_RETENTION", "24h")
# Called with contact= inside every erasure, before the contact row goes: what
# other apps hold about the person without a foreign key to the contact.
ASKFIRST_ERASURE_STEPS = [
    "askfirst.mail.erasure.mail_forget",
    "askfirst.portal.throttle.throttle_forget",
    "askfirst.hooks.services.deliveries_forget",
    "askfirst.portal.services.portal_forget",
    "askfirst.intake.erasure.imports_forget",
]
# Called with contact= inside every deactivation (portal, mail link, staff, API,
# the worker after ASKFIRST_WITHDRAWN_GRACE), before the personal fields are
# wiped (a step may need the names to find the person's rows): what other apps
# hold that a do-not-contact record must not keep.
ASKFIRST_DEACTIVATION_STEPS = [
    "askfirst.portal.services.portal_close",
    "askfirst.mail.deactivation.mail_deactivate",
    # The person's rejected import rows hold their names, company and phone: they
    # go as at erasure (the steps run while the contact still holds its names).
    "askfirst.intake.erasure.imports_forget",
    "askfirst.hooks.services.deliveries_deactivate",
]
# Called without arguments by the worker every few minutes: each app drops what
# has expired (the worker names none of them, so it imports no interface).
ASKFIRST_TIDY_STEPS = [
    "askfirst.lifecycle.services.lifecycle_tidy",
    "askfirst.mail.services.outbox_purge",
    "askfirst.hooks.services.deliveries_purge",
    "askfirst.portal.services.portal_tidy",
    "askfirst.portal.access.sessions_tidy",
]
# A contact who withdrew storage consent (portal, staff, API) and chose neither
# deactivation nor deletion is deactivated by the worker this long afterwards;
# consenting to storage again within it stops that.
ASKFIRST_WITHDRAWN_GRACE = env_duration("ASKFIRST_WITHDRAWN_GRACE", "7d")
# A worker runs `askfirst scrub` this long after an erasure or deactivation
# (erasures in between share it), so freed bytes leave the files within a day.
ASKFIRST_SCRUB_DELAY = env_duration("ASKFIRST_SCRUB_DELAY", "1h")

# --- The consent request (docs/lifecycle.md) ---
# Offsets from the start: request, reminders, expiry (any unit: s, m, h, d, w).
ASKFIRST_SCHEDULE = parse_schedule(env_str("ASKFIRST_SCHEDULE", "0d,7d,14d,21d,28d,30d"))
# What expiry does to a customer who never answered: erase like a prospect, or
# keep under another legal basis with no marketing purposes (status restricted).
ASKFIRST_CUSTOMER_EXPIRY = env_choice("ASKFIRST_CUSTOMER_EXPIRY", "erase", {"erase", "restrict"})
# The admin index warns of contacts waiting longer than this for a mail language:
# GDPR Art. 14(3) allows at most a month to tell people we hold their data.
ASKFIRST_QUEUE_WARN_AFTER = env_duration("ASKFIRST_QUEUE_WARN_AFTER", "14d")
# Mail links stay valid for the whole campaign plus this margin.
ASKFIRST_TOKEN_MARGIN = env_duration("ASKFIRST_TOKEN_MARGIN", "14d")
# Contacts advanced / mails delivered per worker transaction.
ASKFIRST_WORKER_BATCH = env_int("ASKFIRST_WORKER_BATCH", 500, minimum=1)
# How long an idle worker sleeps before looking again.
ASKFIRST_WORKER_IDLE = env_duration("ASKFIRST_WORKER_IDLE", "5s")

# --- Mail (docs/mail.md) ---
# Who we are: the shipped values are examples, which production refuses (below).
_EXAMPLES = {
    "ASKFIRST_COMPANY_NAME": "Beispiel GmbH",
    "ASKFIRST_COMPANY_ADDRESS": "Musterstraße 1, 10115 Berlin, Deutschland",
    "ASKFIRST_PRIVACY_CONTACT": "datenschutz@example.com",
    "ASKFIRST_MAIL_FROM": "Beispiel GmbH <datenschutz@example.com>",
    "ASKFIRST_MAIL_REPLY_TO": "datenschutz@example.com",
}
ASKFIRST_COMPANY_NAME = env_str("ASKFIRST_COMPANY_NAME", _EXAMPLES["ASKFIRST_COMPANY_NAME"])
ASKFIRST_COMPANY_ADDRESS = env_str(
    "ASKFIRST_COMPANY_ADDRESS", _EXAMPLES["ASKFIRST_COMPANY_ADDRESS"]
)
ASKFIRST_PRIVACY_CONTACT = env_str(
    "ASKFIRST_PRIVACY_CONTACT", _EXAMPLES["ASKFIRST_PRIVACY_CONTACT"]
)
ASKFIRST_MAIL_FROM = env_str("ASKFIRST_MAIL_FROM", _EXAMPLES["ASKFIRST_MAIL_FROM"])
ASKFIRST_MAIL_REPLY_TO = env_str("ASKFIRST_MAIL_REPLY_TO", _EXAMPLES["ASKFIRST_MAIL_REPLY_TO"])
# Envelope sender (where bounces go); empty = the From address.
ASKFIRST_MAIL_ENVELOPE_FROM = env_str("ASKFIRST_MAIL_ENVELOPE_FROM", "")
# Domain of our Message-IDs and List-Id; empty = the host of ASKFIRST_SITE_URL.
ASKFIRST_MAIL_DOMAIN = env_str("ASKFIRST_MAIL_DOMAIN", "")
ASKFIRST_SMTP_HOST = env_str("ASKFIRST_SMTP_HOST", "127.0.0.1")
ASKFIRST_SMTP_PORT = env_int("ASKFIRST_SMTP_PORT", 25, minimum=1)
ASKFIRST_SMTP_USER = env_str("ASKFIRST_SMTP_USER", "")
ASKFIRST_SMTP_PASSWORD = env_str("ASKFIRST_SMTP_PASSWORD", "")
ASKFIRST_SMTP_STARTTLS = env_bool("ASKFIRST_SMTP_STARTTLS", False)
# TLS from the first byte (SMTPS, usually port 465) instead of STARTTLS.
ASKFIRST_SMTP_IMPLICIT_TLS = env_bool("ASKFIRST_SMTP_IMPLICIT_TLS", False)
# The server's certificate is always verified (host name included): against the
# system's CAs, or only against the CAs in this PEM file (a private CA).
ASKFIRST_SMTP_CA_FILE = env_str("ASKFIRST_SMTP_CA_FILE", "")
ASKFIRST_SMTP_TIMEOUT = env_int("ASKFIRST_SMTP_TIMEOUT", 30, minimum=1)
# A user and password go only over TLS, or to this machine.
require_smtp_tls_for_login(
    host=ASKFIRST_SMTP_HOST,
    user=ASKFIRST_SMTP_USER,
    starttls=ASKFIRST_SMTP_STARTTLS,
    implicit_tls=ASKFIRST_SMTP_IMPLICIT_TLS,
    ca_file=ASKFIRST_SMTP_CA_FILE,
)
# Delivery attempts before a mail is marked failed; the wait doubles each time.
ASKFIRST_MAIL_MAX_ATTEMPTS = env_int("ASKFIRST_MAIL_MAX_ATTEMPTS", 8, minimum=1)
ASKFIRST_MAIL_RETRY_BASE = env_duration("ASKFIRST_MAIL_RETRY_BASE", "1m")
# A mail claimed ("sending") longer than this is taken up again by any worker.
ASKFIRST_MAIL_SENDING_TIMEOUT = env_duration("ASKFIRST_MAIL_SENDING_TIMEOUT", "10m")
# Sent mails keep their recipient and body this long, then only metadata.
ASKFIRST_MAIL_RETENTION = env_duration("ASKFIRST_MAIL_RETENTION", "7d")
# `askfirst serve --demo-smtp`: the in-process mailbox listens here.
ASKFIRST_DEMO_SMTP_PORT = env_int("ASKFIRST_DEMO_SMTP_PORT", 8025, minimum=1)

# --- Webhooks to connected systems (docs/hooks.md) ---
# Seconds a receiver has to answer one POST.
ASKFIRST_HOOK_TIMEOUT = env_int("ASKFIRST_HOOK_TIMEOUT", 10, minimum=1)
# Attempts before a webhook is marked failed; the wait doubles from the base, at most a day.
ASKFIRST_HOOK_MAX_ATTEMPTS = env_int("ASKFIRST_HOOK_MAX_ATTEMPTS", 8, minimum=1)
ASKFIRST_HOOK_RETRY_BASE = env_duration("ASKFIRST_HOOK_RETRY_BASE", "1m")
# Finished webhooks keep their body (personal data) this long, then only metadata.
ASKFIRST_HOOK_RETENTION = env_duration("ASKFIRST_HOOK_RETENTION", "7d")
# After "Rotate signing secret", the old secret still signs (a second v1=) this long.
ASKFIRST_HOOK_SECRET_OVERLAP = env_duration("ASKFIRST_HOOK_SECRET_OVERLAP", "24h")

SESSION_COOKIE_HTTPONLY = True
SESSION_COOKIE_SAMESITE = "Lax"
CSRF_COOKIE_SAMESITE = "Lax"
SECURE_CONTENT_TYPE_NOSNIFF = True
X_FRAME_OPTIONS = "DENY"
if env_bool("ASKFIRST_PRODUCTION", False):
    SESSION_COOKIE_SECURE = True
    CSRF_COOKIE_SECURE = True
    # __Host- cookies: the browser accepts them only over HTTPS, for this host
    # alone (no Domain), on every path; a sibling subdomain cannot plant one.
    SESSION_COOKIE_NAME = "__Host-askfirst-session"
    CSRF_COOKIE_NAME = "__Host-askfirst-csrf"
    SECURE_SSL_REDIRECT = env_bool("ASKFIRST_SSL_REDIRECT", True)
    SECURE_HSTS_SECONDS = env_int("ASKFIRST_HSTS_SECONDS", 31536000, minimum=0)
    SECURE_HSTS_INCLUDE_SUBDOMAINS = True
    SECURE_HSTS_PRELOAD = True
    SECURE_PROXY_SSL_HEADER = ("HTTP_X_FORWARDED_PROTO", "https")

# --- Production refuses to start with the example values (docs/operations.md) ---
# Every request mail links to SITE_URL and names the company and its privacy
# contact; left at the examples, people could not answer, and 30 days later
# expiry would erase them all.
if env_bool("ASKFIRST_PRODUCTION", False):
    require_public_https_url("ASKFIRST_SITE_URL", SITE_URL, allowed_hosts=ALLOWED_HOSTS)
    for _name, _value in (
        ("ASKFIRST_COMPANY_NAME", ASKFIRST_COMPANY_NAME),
        ("ASKFIRST_COMPANY_ADDRESS", ASKFIRST_COMPANY_ADDRESS),
    ):
        refuse_example(_name, _value, shipped=_EXAMPLES[_name])
    for _name, _value in (
        ("ASKFIRST_PRIVACY_CONTACT", ASKFIRST_PRIVACY_CONTACT),
        ("ASKFIRST_MAIL_FROM", ASKFIRST_MAIL_FROM),
        ("ASKFIRST_MAIL_REPLY_TO", ASKFIRST_MAIL_REPLY_TO),
    ):
        refuse_example_address(_name, _value, shipped=_EXAMPLES[_name])

LOGGING = {
    "version": 1,
    "disable_existing_loggers": False,
    "handlers": {"console": {"class": "logging.StreamHandler"}},
    "root": {"handlers": ["console"], "level": env_str("ASKFIRST_LOG_LEVEL", "INFO")},
}

# Database-backed sessions (revocable in every process), read in plain SQL.
SESSION_ENGINE = "askfirst.portal.session_store"
