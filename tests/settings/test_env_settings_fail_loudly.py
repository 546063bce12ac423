"""Settings from the environment: parsed by type, and a bad value stops the start."""

import os
import subprocess
import sys

import pytest
from django.core.exceptions import ImproperlyConfigured

from askfirst.env import database_from_url, env_bool, env_choices, env_int, env_list


def test_booleans_parse_and_reject(monkeypatch):
    monkeypatch.setenv("X_FLAG", "yes")
    assert env_bool("X_FLAG", False) is True
    monkeypatch.setenv("X_FLAG", "0")
    assert env_bool("X_FLAG", True) is False
    monkeypatch.setenv("X_FLAG", "maybe")
    with pytest.raises(ImproperlyConfigured, match="X_FLAG"):
        env_bool("X_FLAG", False)


def test_integers_parse_and_reject(monkeypatch):
    monkeypatch.setenv("X_NUM", "12")
    assert env_int("X_NUM", 1) == 12
    monkeypatch.setenv("X_NUM", "twelve")
    with pytest.raises(ImproperlyConfigured, match="X_NUM"):
        env_int("X_NUM", 1)
    monkeypatch.setenv("X_NUM", "0")
    with pytest.raises(ImproperlyConfigured, match="at least 1"):
        env_int("X_NUM", 5, minimum=1)


def test_lists_split_on_commas(monkeypatch):
    monkeypatch.setenv("X_LIST", " a, b ,,c")
    assert env_list("X_LIST", []) == ["a", "b", "c"]


def test_database_urls():
    pg = database_from_url("postgresql://user:p%40ss@db.example:6543/askfirst")
    assert (pg["NAME"], pg["USER"], pg["PASSWORD"], pg["HOST"], pg["PORT"]) == (
        "askfirst",
        "user",
        "p@ss",
        "db.example",
        "6543",
    )
    assert database_from_url("sqlite:////tmp/x.sqlite3")["NAME"] == "/tmp/x.sqlite3"
    with pytest.raises(ImproperlyConfigured, match="scheme"):
        database_from_url("mysql://root@localhost/x")
    with pytest.raises(ImproperlyConfigured, match="database name"):
        database_from_url("postgresql://postgres@localhost")


def test_a_bad_value_stops_the_command_with_a_message(tmp_path):
    env = {**os.environ, "ASKFIRST_DEBUG": "perhaps", "ASKFIRST_VAR_DIR": str(tmp_path)}
    result = subprocess.run(
        [sys.executable, "-m", "askfirst.cli", "check"],
        env=env,
        capture_output=True,
        text=True,
        check=False,
    )
    assert result.returncode != 0
    assert "ASKFIRST_DEBUG='perhaps' is not a boolean" in result.stderr


def test_choice_lists_name_the_unknown_item(monkeypatch):
    monkeypatch.setenv("X_CHOICES", "country, domian")
    with pytest.raises(ImproperlyConfigured, match="'domian'"):
        env_choices("X_CHOICES", [], {"country", "domain"})
    monkeypatch.setenv("X_CHOICES", "country,domain")
    assert env_choices("X_CHOICES", [], {"country", "domain"}) == ["country", "domain"]
