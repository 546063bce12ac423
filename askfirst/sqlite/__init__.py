"""Django's SQLite backend with writers queued in order (see base.py)."""
