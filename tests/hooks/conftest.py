from tests.hooks.receiver import receiver  # noqa: F401 (a fixture)
