"""Scale out: two gunicorn servers on one PostgreSQL database share their state (bench/two_servers.py)."""

import os
import subprocess
import sys
from pathlib import Path
from urllib.parse import quote

import pytest
from axes.models import AccessLog
from django.contrib.auth import get_user_model
from django.contrib.sessions.models import Session
from django.db import connection
from reversion.models import Revision

from catalogue.models import Job
from catalogue.models.search import SearchWord

REPO_DIR = Path(__file__).resolve().parent.parent

pytestmark = pytest.mark.skipif(connection.vendor != "postgresql", reason="needs PostgreSQL (CI)")


def database_url(settings_dict: dict) -> str:
    """A DATABASE_URL for the test database, readable by dj-database-url (socket paths included)."""
    credentials = quote(settings_dict["USER"] or "", safe="")
    if settings_dict["PASSWORD"]:
        credentials += ":" + quote(settings_dict["PASSWORD"], safe="")
    host = quote(settings_dict["HOST"] or "", safe="")
    port = f":{settings_dict['PORT']}" if settings_dict["PORT"] else ""
    return f"postgres://{credentials}@{host}{port}/{quote(settings_dict['NAME'], safe='')}"


def row_counts() -> list[int]:
    return [model.objects.count() for model in (Job, get_user_model(), Session, AccessLog, SearchWord, Revision)]


@pytest.mark.django_db
def test_an_edit_through_one_server_is_served_by_the_other():
    """The script and its servers write through their own connections and commit; this test only
    reads (its transaction sees their commits), so the test database needs no flush afterwards."""
    before = row_counts()
    env = {**os.environ, "DATABASE_URL": database_url(connection.settings_dict)}
    result = subprocess.run(
        [sys.executable, "bench/two_servers.py"], cwd=REPO_DIR, env=env, capture_output=True, text=True, timeout=120
    )
    assert result.returncode == 0, result.stdout + result.stderr
    assert "A: job" in result.stdout
    assert "B: the job page shows the new name" in result.stdout
    assert "B: the session opened on A is valid here too" in result.stdout
    # The run deletes what it created.
    assert row_counts() == before
