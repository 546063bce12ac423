from tests.mail.smtpserver import smtp  # noqa: F401 (a fixture)
