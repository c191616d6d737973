"""manage.py create_counsellor: staff accounts in the counsellors' group."""

from io import StringIO

import pytest
from django.contrib.auth.models import User
from django.core.management import CommandError, call_command

from catalogue.management.commands import create_counsellor
from catalogue.permissions import EDITORS_GROUP, REVIEWERS_GROUP

pytestmark = pytest.mark.django_db

PASSWORD_ENV = "DJANGO_COUNSELLOR_PASSWORD"


@pytest.fixture(autouse=True)
def no_password_in_environment(monkeypatch):
    monkeypatch.delenv(PASSWORD_ENV, raising=False)


def run(*args: str) -> str:
    out = StringIO()
    call_command("create_counsellor", *args, stdout=out, stderr=StringIO())
    return out.getvalue()


def is_counsellor(user: User) -> bool:
    return user.is_staff and not user.is_superuser and user.groups.filter(name=EDITORS_GROUP).exists()


def test_creates_a_staff_user_in_the_group_with_the_password_from_the_environment(monkeypatch):
    monkeypatch.setenv(PASSWORD_ENV, "orientation-demo")

    output = run("conseillere", "--email", "conseillere@example.org", "--no-input")

    user = User.objects.get(username="conseillere")
    assert is_counsellor(user)
    assert user.check_password("orientation-demo")
    assert user.email == "conseillere@example.org"
    assert "Conseiller « conseillere » créé" in output


def test_the_demo_invocation_can_run_twice(monkeypatch):
    # `make demo`: DJANGO_COUNSELLOR_PASSWORD='orientation-demo' create_counsellor conseillere --no-input --update
    monkeypatch.setenv(PASSWORD_ENV, "orientation-demo")

    run("conseillere", "--no-input", "--update")
    output = run("conseillere", "--no-input", "--update")

    assert User.objects.filter(username="conseillere").count() == 1
    assert is_counsellor(User.objects.get(username="conseillere"))
    assert "mis à jour" in output


def test_update_resets_the_password_and_the_group_of_an_existing_user(monkeypatch):
    user = User.objects.create_user("conseillere", password="ancien-mot-de-passe-42", is_active=False)
    monkeypatch.setenv(PASSWORD_ENV, "nouveau-mot-de-passe-42")

    run("conseillere", "--no-input", "--update")

    user.refresh_from_db()
    assert is_counsellor(user)
    assert user.is_active
    assert user.check_password("nouveau-mot-de-passe-42")


def test_an_existing_user_is_left_alone_without_update(monkeypatch):
    User.objects.create_user("conseillere", password="ancien-mot-de-passe-42")
    monkeypatch.setenv(PASSWORD_ENV, "nouveau-mot-de-passe-42")

    with pytest.raises(CommandError, match="existe déjà : ajoutez --update"):
        run("conseillere", "--no-input")

    assert User.objects.get(username="conseillere").check_password("ancien-mot-de-passe-42")


def test_a_weak_password_is_refused_with_a_french_message(monkeypatch):
    monkeypatch.setenv(PASSWORD_ENV, "1234")

    with pytest.raises(CommandError) as error:
        run("conseillere", "--no-input")

    assert "Mot de passe refusé" in str(error.value)
    assert "trop court" in str(error.value)
    assert not User.objects.filter(username="conseillere").exists()


def test_a_password_like_the_user_name_is_refused(monkeypatch):
    monkeypatch.setenv(PASSWORD_ENV, "conseillere1")

    with pytest.raises(CommandError, match="trop semblable"):
        run("conseillere", "--no-input")


def test_no_input_without_the_environment_variable_fails_clearly():
    with pytest.raises(CommandError, match=f"variable d’environnement {PASSWORD_ENV}"):
        run("conseillere", "--no-input")

    assert not User.objects.exists()


def test_an_invalid_user_name_is_refused():
    with pytest.raises(CommandError, match="nom d’utilisateur valide"):
        run("conseil lère!", "--no-input")


def test_an_invalid_email_is_refused(monkeypatch):
    monkeypatch.setenv(PASSWORD_ENV, "orientation-demo")

    with pytest.raises(CommandError, match="Adresse électronique invalide"):
        run("conseillere", "--email", "pas-une-adresse", "--no-input")


def test_asks_the_password_twice_and_again_when_entries_differ(monkeypatch):
    answers = iter(["orientation-demo", "autre-chose", "orientation-demo", "orientation-demo"])
    monkeypatch.setattr(create_counsellor.getpass, "getpass", lambda prompt: next(answers))

    run("conseillere")

    assert User.objects.get(username="conseillere").check_password("orientation-demo")
    assert next(answers, None) is None


def test_asks_again_when_the_password_is_too_weak(monkeypatch):
    answers = iter(["1234", "1234", "orientation-demo", "orientation-demo"])
    monkeypatch.setattr(create_counsellor.getpass, "getpass", lambda prompt: next(answers))
    err = StringIO()

    call_command("create_counsellor", "conseillere", stdout=StringIO(), stderr=err)

    assert "trop court" in err.getvalue()
    assert User.objects.get(username="conseillere").check_password("orientation-demo")


def test_interrupting_the_prompt_creates_nothing(monkeypatch):
    def interrupt(prompt):
        raise KeyboardInterrupt

    monkeypatch.setattr(create_counsellor.getpass, "getpass", interrupt)

    with pytest.raises(CommandError, match="annulée"):
        run("conseillere")

    assert not User.objects.exists()


def test_role_validateur_puts_the_account_in_that_group_only(monkeypatch):
    monkeypatch.setenv(PASSWORD_ENV, "orientation-demo")

    output = run("valerie", "--role", "validateur", "--no-input")

    user = User.objects.get(username="valerie")
    assert list(user.groups.values_list("name", flat=True)) == [REVIEWERS_GROUP]
    assert user.has_perm("catalogue.publish_job")
    assert "Validateurs" in output


def test_updating_with_another_role_replaces_the_editorial_role(monkeypatch):
    monkeypatch.setenv(PASSWORD_ENV, "orientation-demo")
    run("valerie", "--no-input")

    run("valerie", "--role", "validateur", "--role", "administrateur", "--update", "--no-input")

    user = User.objects.get(username="valerie")
    assert sorted(user.groups.values_list("name", flat=True)) == ["Administrateurs", REVIEWERS_GROUP]


def test_refuses_editor_and_reviewer_at_once(monkeypatch):
    monkeypatch.setenv(PASSWORD_ENV, "orientation-demo")

    with pytest.raises(CommandError, match="Rédacteur ou Validateur"):
        run("valerie", "--role", "redacteur", "--role", "validateur", "--no-input")

    assert not User.objects.filter(username="valerie").exists()
