"""Shared fixtures."""

from pathlib import Path

import pytest
from django.contrib.auth.models import Group

from catalogue.permissions import ACCOUNT_MANAGERS_GROUP, EDITORS_GROUP, REVIEWERS_GROUP

REPO_DIR = Path(__file__).resolve().parent.parent
SHARED_DIR = REPO_DIR.parent / "shared"
SHARED_DATA = SHARED_DIR / "data"
SAMPLE_SHEET = SHARED_DIR / "seeds" / "MET.8063.md"
TEST_DATA = Path(__file__).resolve().parent / "data"


@pytest.fixture(autouse=True)
def _test_settings(settings):
    """Pages without collectstatic (plain storage) and fast password hashing."""
    settings.STORAGES = {
        **settings.STORAGES,
        "staticfiles": {"BACKEND": "django.contrib.staticfiles.storage.StaticFilesStorage"},
    }
    settings.PASSWORD_HASHERS = ["django.contrib.auth.hashers.MD5PasswordHasher"]


@pytest.fixture
def sample_sheet() -> Path:
    if not SAMPLE_SHEET.exists():
        pytest.skip("../shared/seeds is not present")
    return SAMPLE_SHEET


@pytest.fixture
def shared_data() -> Path:
    if not SHARED_DATA.exists():
        pytest.skip("../shared/data is not present")
    return SHARED_DATA


def staff_member(django_user_model, username: str, group: str):
    user = django_user_model.objects.create_user(username, password="mot-de-passe-solide-42", is_staff=True)
    user.groups.add(Group.objects.get(name=group))
    return user


@pytest.fixture
def counsellor(django_user_model):
    """A Validateur: a staff member with every catalogue permission (not a superuser)."""
    return staff_member(django_user_model, "conseiller", REVIEWERS_GROUP)


@pytest.fixture
def editor(django_user_model):
    """A Rédacteur: edits and submits for review, cannot publish or import."""
    return staff_member(django_user_model, "redactrice", EDITORS_GROUP)


@pytest.fixture
def editor_client(client, editor):
    client.force_login(editor)
    return client


@pytest.fixture
def account_manager(django_user_model):
    """An Administrateur: manages counsellors' accounts, not the catalogue."""
    return staff_member(django_user_model, "administratrice", ACCOUNT_MANAGERS_GROUP)


@pytest.fixture
def counsellor_client(client, counsellor):
    client.force_login(counsellor)
    return client
