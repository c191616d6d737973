"""Admin brute force: 5 failed logins lock one user name from one address for 15 minutes (django-axes)."""

from datetime import timedelta

import pytest
from axes.models import AccessAttempt
from django.test import Client
from django.utils import timezone

pytestmark = pytest.mark.django_db

LOGIN = "/admin/login/?next=/admin/"
PASSWORD = "mot-de-passe-solide-42"  # the `counsellor` fixture's


def login(client: Client, password: str, username: str = "conseiller", **headers):
    return client.post(LOGIN, {"username": username, "password": password}, headers=headers)


def fail(client: Client, times: int, **headers) -> list[int]:
    return [login(client, "mauvais-mot-de-passe", **headers).status_code for _ in range(times)]


def test_four_failed_logins_still_show_the_login_form(client, counsellor):
    assert fail(client, 4) == [200] * 4
    assert login(client, PASSWORD).status_code == 302


def test_the_fifth_failed_login_locks_the_account_with_a_french_page(client, counsellor):
    statuses = fail(client, 5)
    assert statuses[:4] == [200] * 4
    assert statuses[4] == 429
    response = login(client, "mauvais-mot-de-passe")
    assert response.status_code == 429
    html = response.content.decode()
    assert '<html lang="fr">' in html
    assert "Connexion temporairement bloquée" in html
    assert "bloquée pendant 15 minutes" in html
    assert "(5 essais)" in html
    assert response.headers["Retry-After"] == "900"


def test_a_locked_account_refuses_even_the_right_password(client, counsellor):
    fail(client, 5)
    response = login(client, PASSWORD)
    assert response.status_code == 429
    assert "_auth_user_id" not in client.session


def test_the_lock_ends_after_15_minutes(client, counsellor):
    fail(client, 5)
    AccessAttempt.objects.update(attempt_time=timezone.now() - timedelta(minutes=15, seconds=1))
    response = login(client, PASSWORD)
    assert response.status_code == 302
    assert client.session["_auth_user_id"] == str(counsellor.pk)


def test_the_lock_still_holds_before_15_minutes(client, counsellor):
    fail(client, 5)
    AccessAttempt.objects.update(attempt_time=timezone.now() - timedelta(minutes=14))
    assert login(client, PASSWORD).status_code == 429


def test_the_lock_is_for_that_user_name_from_that_address_only(client, counsellor, django_user_model):
    django_user_model.objects.create_user("autre", password=PASSWORD, is_staff=True)
    fail(client, 5)
    # Another account from the same address.
    assert login(Client(), PASSWORD, username="autre").status_code == 302
    # The same account from another address.
    assert login(Client(REMOTE_ADDR="198.51.100.7"), PASSWORD).status_code == 302


def test_behind_the_proxy_the_forwarded_client_address_is_locked(client, counsellor, settings):
    settings.TRUSTED_PROXY_COUNT = 1
    proxy = {"REMOTE_ADDR": "10.0.0.2"}  # every request reaches us from the proxy
    attacker = Client(**proxy)
    assert fail(attacker, 5, x_forwarded_for="203.0.113.9")[-1] == 429
    assert AccessAttempt.objects.get().ip_address == "203.0.113.9"
    # Another client behind the same proxy is not locked out.
    assert login(Client(**proxy), PASSWORD, x_forwarded_for="198.51.100.7").status_code == 302


def test_a_forged_forwarded_header_does_not_escape_the_lock(client, counsellor, settings):
    """The client may write X-Forwarded-For itself: only the entry our proxy appended counts."""
    settings.TRUSTED_PROXY_COUNT = 1
    attacker = Client(REMOTE_ADDR="10.0.0.2")
    for number in range(5):
        login(attacker, "mauvais-mot-de-passe", x_forwarded_for=f"192.0.2.{number}, 203.0.113.9")
    assert login(attacker, PASSWORD, x_forwarded_for="192.0.2.99, 203.0.113.9").status_code == 429


def test_without_a_trusted_proxy_the_forwarded_header_is_ignored(client, counsellor, settings):
    settings.TRUSTED_PROXY_COUNT = 0
    attacker = Client(REMOTE_ADDR="203.0.113.9")
    for number in range(5):
        login(attacker, "mauvais-mot-de-passe", x_forwarded_for=f"192.0.2.{number}")
    assert AccessAttempt.objects.get().ip_address == "203.0.113.9"
    assert login(attacker, PASSWORD, x_forwarded_for="192.0.2.200").status_code == 429


def test_a_successful_login_resets_the_failure_count(client, counsellor):
    fail(client, 4)
    assert login(client, PASSWORD).status_code == 302
    client.logout()
    assert fail(client, 4) == [200] * 4
