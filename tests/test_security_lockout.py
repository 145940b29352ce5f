"""Issue 10, item 8: five wrong passwords lock that username from that address for 30 minutes — never the
real user signing in from elsewhere; the lockout page says when the lock ends; administrators see the
current locks and lift one (recorded in the account's history); nobody else may."""

from __future__ import annotations

import datetime as dt
from zoneinfo import ZoneInfo

import pytest
import time_machine
from axes.models import AccessAttempt
from django.conf import settings
from django.contrib.admin.models import LogEntry
from django.test import RequestFactory
from django.urls import reverse

from accountability.lockout import client_ip_address, current_lockouts
from tests.conftest import login
from tests.personas import PASSWORD, Personas, make_user

ATTACKER = "10.1.1.66"
OFFICE = "10.2.2.20"
SHANGHAI = ZoneInfo("Asia/Shanghai")


def sign_in(client, username: str, password: str, address: str):
    return client.post(reverse("login"), {"username": username, "password": password}, REMOTE_ADDR=address)


def fail_until_locked(client, username: str, address: str = ATTACKER):
    response = None
    for _attempt in range(settings.AXES_FAILURE_LIMIT):
        response = sign_in(client, username, "wrong-password", address)
    return response


def test_five_failures_lock_that_address_only(client, personas: Personas) -> None:
    personas.officer  # noqa: B018
    assert settings.AXES_FAILURE_LIMIT == 5
    locked = fail_until_locked(client, "officer")
    assert locked is not None and locked.status_code == 429
    # Even the right password is refused from the guessing address...
    assert sign_in(client, "officer", PASSWORD, ATTACKER).status_code == 429
    # ...while the real user signs in from their own.
    client.cookies.clear()
    assert sign_in(client, "officer", PASSWORD, OFFICE).status_code == 302


def test_four_failures_do_not_lock(client, personas: Personas) -> None:
    personas.officer  # noqa: B018
    for _attempt in range(settings.AXES_FAILURE_LIMIT - 1):
        sign_in(client, "officer", "wrong-password", ATTACKER)
    assert sign_in(client, "officer", PASSWORD, ATTACKER).status_code == 302


def test_the_lockout_page_says_when_the_lock_ends(client, personas: Personas) -> None:
    personas.officer  # noqa: B018
    locked = fail_until_locked(client, "officer")
    assert locked is not None
    page = locked.content.decode()
    last_failure = AccessAttempt.objects.get(username="officer").attempt_time
    ends = (last_failure + dt.timedelta(minutes=30)).astimezone(SHANGHAI)
    assert "账号已锁定" in page
    assert "密码连续输错 5 次" in page
    assert f"锁定将于 {ends.year}年{ends.month}月{ends.day}日 {ends:%H:%M} 结束" in page
    # Trying again during the lock does not move its end.
    with time_machine.travel(dt.datetime(2026, 11, 30, 10, 20, tzinfo=SHANGHAI), tick=True):
        again = sign_in(client, "officer", PASSWORD, ATTACKER)
    assert again.status_code == 429
    assert f"{ends:%H:%M} 结束" in again.content.decode()


def test_the_lock_ends_by_itself_after_thirty_minutes(client, personas: Personas) -> None:
    personas.officer  # noqa: B018
    fail_until_locked(client, "officer")
    with time_machine.travel(dt.datetime(2026, 11, 30, 10, 25, tzinfo=SHANGHAI), tick=True):
        assert sign_in(client, "officer", PASSWORD, ATTACKER).status_code == 429
    with time_machine.travel(dt.datetime(2026, 11, 30, 10, 31, tzinfo=SHANGHAI), tick=True):
        assert sign_in(client, "officer", PASSWORD, ATTACKER).status_code == 302


class TestTheUnlockPage:
    def test_an_admin_sees_the_lock_and_lifts_it(self, client, personas: Personas) -> None:
        personas.officer  # noqa: B018
        fail_until_locked(client, "officer")
        login(client, personas.admin)
        page = client.get(reverse("accounts:lockout_list"))
        assert page.status_code == 200
        text = page.content.decode()
        assert "登录锁定" in text and "officer" in text and ATTACKER in text and "周纪检" in text
        assert [(lock.username, lock.ip_address, lock.failures) for lock in current_lockouts()] == [
            ("officer", ATTACKER, 5)
        ]

        response = client.post(
            reverse("accounts:lockout_unlock"), {"username": "officer", "ip_address": ATTACKER}, follow=True
        )
        assert "“officer”已可从 10.1.1.66 重新登录。" in response.content.decode()
        assert current_lockouts() == []
        entry = LogEntry.objects.get(user=personas.admin, object_id=str(personas.officer.pk))
        assert entry.change_message == "已解除“officer”在地址 10.1.1.66 的登录锁定。"
        client.logout()
        assert sign_in(client, "officer", PASSWORD, ATTACKER).status_code == 302

    def test_the_page_is_in_the_admins_navigation(self, client, personas: Personas) -> None:
        login(client, personas.admin)
        assert reverse("accounts:lockout_list") in client.get(reverse("home")).content.decode()
        login(client, personas.officer)
        assert reverse("accounts:lockout_list") not in client.get(reverse("home")).content.decode()

    @pytest.mark.parametrize("persona", ["officer", "approver", "petition_officer", "outsider"])
    def test_anyone_else_is_refused(self, client, personas: Personas, persona: str) -> None:
        personas.unit_contact  # noqa: B018
        fail_until_locked(client, "unit_contact")
        login(client, getattr(personas, persona))
        assert client.get(reverse("accounts:lockout_list")).status_code == 403
        response = client.post(
            reverse("accounts:lockout_unlock"), {"username": "unit_contact", "ip_address": ATTACKER}
        )
        assert response.status_code == 403
        assert len(current_lockouts()) == 1
        assert not LogEntry.objects.exists()

    def test_signed_out_visitors_are_sent_to_sign_in(self, client, db) -> None:
        assert client.get(reverse("accounts:lockout_list")).status_code == 302

    def test_an_admin_cannot_unlock_a_superuser(self, client, personas: Personas) -> None:
        make_user("root", unit=personas.county, is_superuser=True, is_staff=True)
        fail_until_locked(client, "root")
        login(client, personas.admin)
        assert "此账号由超级用户解除锁定。" in client.get(reverse("accounts:lockout_list")).content.decode()
        response = client.post(
            reverse("accounts:lockout_unlock"), {"username": "root", "ip_address": ATTACKER}, follow=True
        )
        assert "只有超级用户可以解除此账号的登录锁定。" in response.content.decode()
        assert len(current_lockouts()) == 1
        assert not LogEntry.objects.exists()

    def test_a_bad_unlock_request_is_explained(self, client, personas: Personas) -> None:
        login(client, personas.admin)
        response = client.post(
            reverse("accounts:lockout_unlock"), {"username": "", "ip_address": "not-an-address"}, follow=True
        )
        assert "未能识别要解除的锁定，未作任何更改。" in response.content.decode()
        assert not LogEntry.objects.exists()


def test_the_client_address_behind_a_trusted_proxy(settings) -> None:
    factory = RequestFactory()
    request = factory.get("/", REMOTE_ADDR="172.18.0.2", HTTP_X_FORWARDED_FOR="1.2.3.4, 10.1.1.66")
    assert client_ip_address(request) == "172.18.0.2"
    settings.TRUSTED_PROXY_COUNT = 1
    # The proxy appended the address it saw; whatever the client wrote before it is ignored.
    assert client_ip_address(request) == "10.1.1.66"
    assert client_ip_address(factory.get("/", REMOTE_ADDR="172.18.0.2")) == "172.18.0.2"


def test_the_unlock_page_reads_a_fixed_number_of_queries(
    client, personas: Personas, django_assert_num_queries
) -> None:
    personas.officer, personas.approver, personas.unit_contact  # noqa: B018
    make_user("root", unit=personas.county, is_superuser=True, is_staff=True)
    for index, username in enumerate(["officer", "approver", "unit_contact", "root", "nobody"]):
        fail_until_locked(client, username, f"10.9.0.{index}")
    login(client, personas.admin)
    # The session, the user, the admin's role groups, the unread-notifications badge, the grouped locks,
    # their accounts, and which of those are privileged: one query each, whatever the number of locks.
    with django_assert_num_queries(7):
        page = client.get(reverse("accounts:lockout_list"))
    assert page.content.decode().count('data-testid="lockout"') == 5
