"""Signing in and out, in Chinese, and the lockout after repeated failures (django-axes)."""

import pytest
from axes.models import AccessAttempt
from django.conf import settings
from django.urls import reverse

from tests.personas import PASSWORD, Personas


def test_the_login_page_is_in_chinese(client, db) -> None:
    page = client.get(reverse("login")).content.decode()
    assert "<h1>登录</h1>" in page
    assert "用户名" in page and "密码" in page


def test_signing_in_shows_the_home_page_with_name_and_role(client, personas: Personas) -> None:
    personas.approver  # noqa: B018 - create the persona
    response = client.post(reverse("login"), {"username": "approver", "password": PASSWORD}, follow=True)
    page = response.content.decode()
    assert response.status_code == 200
    assert "欢迎您，陈审批" in page
    assert "审批领导" in page


def test_a_wrong_password_gets_a_chinese_error(client, personas: Personas) -> None:
    personas.officer  # noqa: B018
    response = client.post(reverse("login"), {"username": "officer", "password": "wrong"})
    assert response.status_code == 200
    assert "请输入一个正确的" in response.content.decode()


def test_the_account_is_locked_after_repeated_failures(client, personas: Personas) -> None:
    personas.officer  # noqa: B018
    for _attempt in range(settings.AXES_FAILURE_LIMIT):
        client.post(reverse("login"), {"username": "officer", "password": "wrong"})
    locked = client.post(reverse("login"), {"username": "officer", "password": PASSWORD})
    assert locked.status_code == 429
    assert "账号已锁定" in locked.content.decode()
    assert AccessAttempt.objects.filter(username="officer").exists()
    # The lock is on the username from this address, not on this browser session.
    client.cookies.clear()
    assert client.post(reverse("login"), {"username": "officer", "password": PASSWORD}).status_code == 429


def test_other_accounts_are_not_locked_by_someone_elses_failures(client, personas: Personas) -> None:
    personas.officer, personas.approver  # noqa: B018
    for _attempt in range(settings.AXES_FAILURE_LIMIT):
        client.post(reverse("login"), {"username": "officer", "password": "wrong"})
    response = client.post(reverse("login"), {"username": "approver", "password": PASSWORD})
    assert response.status_code == 302


def test_logout_is_a_post_and_ends_the_session(client, personas: Personas) -> None:
    client.post(reverse("login"), {"username": personas.officer.username, "password": PASSWORD})
    assert client.get(reverse("home")).status_code == 200
    client.post(reverse("logout"))
    assert client.get(reverse("home")).status_code == 302


@pytest.mark.parametrize("language,expected", [("zh-hant", "歡迎您"), ("en", "Welcome")])
def test_the_language_switcher(client, personas: Personas, language: str, expected: str) -> None:
    client.force_login(personas.officer, backend="django.contrib.auth.backends.ModelBackend")
    client.post(reverse("set_language"), {"language": language, "next": "/"})
    assert expected in client.get(reverse("home")).content.decode()
