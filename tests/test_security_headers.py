"""Issue 10, items 8 and 11: a strict Content-Security-Policy on every page (nothing inline left in our
templates), `Cache-Control: no-store` on everything a signed-in user receives (static files keep their
caching), and a refused request logged as one line without a traceback."""

from __future__ import annotations

import logging
import re
from pathlib import Path

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.http import HttpResponse
from django.test import RequestFactory
from django.urls import reverse

from accountability.security import NoStoreForSignedInMiddleware
from cases import actions as case_actions
from cases.models import Attachment
from tests.case_factories import draft_case
from tests.conftest import login
from tests.personas import Personas

ROOT = Path(__file__).resolve().parent.parent


def directives(response: HttpResponse) -> dict[str, list[str]]:
    header = response["Content-Security-Policy"]
    parsed: dict[str, list[str]] = {}
    for part in header.split(";"):
        name, *values = part.split()
        parsed[name] = values
    return parsed


class TestContentSecurityPolicy:
    def test_the_policy_of_a_page(self, client, personas: Personas) -> None:
        login(client, personas.officer)
        response = client.get(reverse("home"))
        policy = directives(response)
        assert policy["default-src"] == ["'self'"]
        assert policy["object-src"] == ["'none'"]
        assert policy["base-uri"] == ["'none'"]
        assert policy["frame-ancestors"] == ["'none'"]
        assert policy["form-action"] == ["'self'"]
        for directive in ("script-src", "style-src"):
            assert "'unsafe-inline'" not in policy[directive]
            assert "'unsafe-eval'" not in policy[directive]
        nonce = re.search(r'<script src="[^"]*htmx.min.js" nonce="([^"]+)"', response.content.decode())
        assert nonce is not None
        assert policy["script-src"] == ["'self'", f"'nonce-{nonce.group(1)}'"]

    def test_each_response_has_its_own_nonce(self, client, personas: Personas) -> None:
        login(client, personas.officer)
        first, second = (directives(client.get(reverse("home")))["script-src"] for _ in range(2))
        assert first != second

    def test_the_login_page_and_errors_have_the_policy_too(self, client, db) -> None:
        assert "script-src" in directives(client.get(reverse("login")))
        assert "default-src" in directives(client.get("/no-such-page/"))

    def test_the_admin_may_style_inline_but_runs_no_inline_script(self, client, personas: Personas) -> None:
        login(client, personas.admin)
        policy = directives(client.get(reverse("admin:auth_user_changelist")))
        assert policy["script-src"] == ["'self'"]
        assert "'unsafe-inline'" in policy["style-src"]

    def test_no_template_of_ours_has_inline_script_handlers_or_styles(self) -> None:
        """What the policy would block: inline scripts, on…= handlers, javascript: links, style attributes
        and <style> blocks. (JSON data blocks, <script type="application/json">, never run.)"""
        offending = []
        patterns = [
            re.compile(r"<script(?![^>]*\bsrc=)(?![^>]*application/json)[^>]*>", re.I),
            re.compile(r"\son[a-z]+\s*=", re.I),
            re.compile(r"javascript:", re.I),
            re.compile(r"\sstyle\s*=", re.I),
            re.compile(r"<style", re.I),
        ]
        templates = [
            path
            for folder in ("templates", "accountability", "registry", "cases", "inspections", "petitions")
            for path in (ROOT / folder).rglob("*.html")
        ]
        assert len(templates) > 40
        for path in templates:
            text = path.read_text(encoding="utf-8")
            offending += [
                f"{path.relative_to(ROOT)}: {m.group(0)}" for p in patterns for m in p.finditer(text)
            ]
        assert offending == []

    def test_every_script_tag_of_ours_carries_the_nonce(self) -> None:
        missing = []
        for folder in ("templates", "accountability", "registry", "cases", "inspections", "petitions"):
            for path in (ROOT / folder).rglob("*.html"):
                for tag in re.findall(r"<script\b[^>]*\bsrc=[^>]*>", path.read_text(encoding="utf-8")):
                    if 'nonce="{{ request.csp_nonce }}"' not in tag:
                        missing.append(f"{path.relative_to(ROOT)}: {tag}")
        assert missing == []


class TestNoStore:
    @pytest.fixture
    def case(self, personas: Personas):
        case = draft_case(personas)
        upload = SimpleUploadedFile("线索.pdf", b"%PDF-1.4 test", content_type="application/pdf")
        case_actions.add_attachment(case, by=personas.officer, kind=Attachment.Kind.values[0], upload=upload)
        return case

    def test_signed_in_pages_and_downloads_are_never_stored(self, client, personas: Personas, case) -> None:
        login(client, personas.officer)
        attachment = case.attachments.get()
        urls = [
            reverse("home"),
            reverse("cases:list"),
            reverse("cases:detail", args=[case.pk]),
            reverse("cases:export"),
            reverse("cases:attachment", args=[case.pk, attachment.pk]),
            reverse("statistics"),
            reverse("registry:person_list"),
            reverse("notifications"),
        ]
        for url in urls:
            response = client.get(url)
            assert response.status_code == 200, url
            assert "no-store" in response["Cache-Control"], url
            assert "private" in response["Cache-Control"], url

    def test_a_refused_page_is_not_stored_either(self, client, personas: Personas) -> None:
        login(client, personas.outsider)
        response = client.get(reverse("accounts:lockout_list"))
        assert response.status_code == 403
        assert "no-store" in response["Cache-Control"]

    def test_static_files_keep_their_caching(self, client, personas: Personas, settings) -> None:
        settings.WHITENOISE_USE_FINDERS = True
        login(client, personas.officer)
        response = client.get("/static/css/app.css")
        assert response.status_code == 200
        assert "no-store" not in response.get("Cache-Control", "")
        assert "max-age" in response["Cache-Control"]

    def test_a_view_that_chose_its_cache_policy_keeps_it(self, personas: Personas) -> None:
        request = RequestFactory().get("/")
        request.user = personas.officer

        def view(request):
            response = HttpResponse("ok")
            response["Cache-Control"] = "private, max-age=60"
            return response

        assert NoStoreForSignedInMiddleware(view)(request)["Cache-Control"] == "private, max-age=60"


class TestQuietForbidden:
    def test_a_403_is_one_line_without_a_traceback(self, client, personas: Personas, caplog) -> None:
        officer = personas.officer
        login(client, officer)
        with caplog.at_level(logging.WARNING, logger="django.request"):
            assert client.get(reverse("accounts:lockout_list")).status_code == 403
        records = [record for record in caplog.records if record.name == "django.request"]
        assert len(records) == 1
        record = records[0]
        assert record.exc_info is None
        assert record.getMessage() == f"Forbidden: GET /accounts/lockouts/ (user {officer.pk})"
        assert "Traceback" not in caplog.text
        assert "\n" not in caplog.text.strip()

    def test_a_forged_path_cannot_add_log_lines(self) -> None:
        from django.contrib.auth.models import AnonymousUser

        from accountability.security import OneLineForbidden

        request = RequestFactory().get("/")
        request.path = "/cases/1/\nINFO forged entry"
        request.user = AnonymousUser()
        record = logging.LogRecord(
            "django.request", logging.WARNING, __file__, 1, "Forbidden: %s", ("x",), None
        )
        record.status_code = 403
        record.request = request
        assert OneLineForbidden().filter(record)
        assert record.getMessage() == "Forbidden: GET /cases/1/\\nINFO forged entry (user anonymous)"

    def test_other_errors_keep_their_details(self, caplog) -> None:
        from accountability.security import OneLineForbidden

        record = logging.LogRecord("django.request", logging.ERROR, __file__, 1, "boom %s", ("x",), None)
        record.status_code = 500
        assert OneLineForbidden().filter(record)
        assert record.getMessage() == "boom x"
