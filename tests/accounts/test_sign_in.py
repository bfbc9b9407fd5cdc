import pytest
from django.urls import reverse

from audit_app.models import Role
from tests import factories

pytestmark = pytest.mark.django_db


def test_anonymous_users_are_sent_to_sign_in(client):
    response = client.get(reverse("home"))
    assert response.status_code == 302
    assert response["Location"].startswith(reverse("login"))


def test_wrong_password_shows_an_error_summary_without_saying_which_part(client):
    user = factories.UserFactory()
    response = client.post(reverse("login"), {"username": user.username, "password": "wrong"})
    assert response.status_code == 200
    content = response.content.decode()
    assert "govuk-error-summary" in content
    assert "Enter a correct username and password" in content
    assert "<title>Error: Sign in" in content
    unknown = client.post(reverse("login"), {"username": "nobody", "password": "wrong"})
    assert "Enter a correct username and password" in unknown.content.decode()
    assert "_auth_user_id" not in client.session


def test_empty_fields_are_named_in_the_summary(client):
    response = client.post(reverse("login"), {"username": "", "password": ""})
    content = response.content.decode()
    assert 'href="#id_username">Enter your username' in content
    assert 'href="#id_password">Enter your password' in content


def test_signing_in_rotates_the_session_key(client):
    user = factories.UserFactory()
    client.get(reverse("login"))
    client.cookies["sessionid"] = "attacker-fixed-session-key"
    response = client.post(
        reverse("login"), {"username": user.username, "password": factories.TEST_PASSWORD}
    )
    assert response.status_code == 302
    assert response["Location"] == reverse("home")
    assert client.cookies["sessionid"].value != "attacker-fixed-session-key"


def test_sign_out_is_a_post(client):
    area = factories.AreaFactory()
    user = factories.user_with_role(Role.MODERATOR, area)
    client.force_login(user)
    assert client.get(reverse("logout")).status_code == 405
    response = client.post(reverse("logout"))
    assert response.status_code == 302
    assert client.get(reverse("home")).status_code == 302


def test_healthz_answers_without_signing_in(client):
    response = client.get(reverse("healthz"))
    assert response.status_code == 200
    assert response.json() == {"status": "ok"}
