"""Shared fixtures."""

from pathlib import Path

import pytest
from django.contrib.auth.models import Group

from catalogue.permissions import COUNSELLOR_GROUP

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


@pytest.fixture
def counsellor(django_user_model):
    """A staff member in the counsellors' group (not a superuser)."""
    user = django_user_model.objects.create_user("conseiller", password="mot-de-passe-solide-42", is_staff=True)
    user.groups.add(Group.objects.get(name=COUNSELLOR_GROUP))
    return user


@pytest.fixture
def counsellor_client(client, counsellor):
    client.force_login(counsellor)
    return client
