"""Staff accounts: signing in and out, password change and reset, rate-limited failed
sign-ins, safe redirects after sign-in, and a new session key at sign-in."""

from __future__ import annotations

import os
import re
import subprocess
import sys
from pathlib import Path

import pytest
from django.contrib.sessions.models import Session
from django.core import mail
from django.test import RequestFactory

from guides.core.accounts import client_ip
from tests.factories import (
    PASSWORD,
    csrf_client,
    csrf_token,
    make_user,
    post,
)

pytestmark = pytest.mark.django_db


@pytest.fixture
def facilitator():
    return make_user("fac_a", "facilitator")


def sign_in(client, username: str, password: str, next_url: str | None = None, **extra):
    data = {"username": username, "password": password}
    if next_url is not None:
        data["next"] = next_url
    return post(client, "/accounts/login/", data, **extra)


def test_the_sign_in_page_is_in_the_sites_style():
    response = csrf_client().get("/accounts/login/?next=/examples/new/")
    html = response.content.decode()
    assert response.status_code == 200
    assert "<h1>Sign in</h1>" in html
    assert "Improvement Leaders&#x27; Guides library<span" in html  # the site's header
    assert 'class="nhsuk-header__service-name site-name"' in html
    assert "testserver" not in html  # not Django's default site name
    assert 'name="next" value="/examples/new/"' in html
    assert 'href="/accounts/password_reset/"' in html
    assert 'for="id_username"' in html and 'for="id_password"' in html


def test_signing_in_goes_to_next_and_shows_who_is_signed_in(facilitator):
    client = csrf_client()
    response = sign_in(client, "fac_a", PASSWORD, "/examples/new/")
    assert response.status_code == 302 and response["Location"] == "/examples/new/"
    html = client.get("/").content.decode()
    assert "My examples" in html and "Sign out" in html


def test_a_wrong_password_is_an_error_on_the_form(facilitator):
    response = sign_in(csrf_client(), "fac_a", "wrong-password")
    assert response.status_code == 200
    html = response.content.decode()
    assert "There is a problem" in html and "enter a correct username and password" in html


def test_the_session_key_changes_at_sign_in(facilitator):
    client = csrf_client()
    session = client.session
    session["seen_home"] = True
    session.save()
    client.cookies["sessionid"] = session.session_key
    before = session.session_key
    sign_in(client, "fac_a", PASSWORD)
    after = client.cookies["sessionid"].value
    assert after and after != before
    assert not Session.objects.filter(session_key=before).exists()  # the old one is gone
    assert Session.objects.filter(session_key=after).exists()


@pytest.mark.parametrize(
    "next_url",
    [
        "https://evil.example/",
        "//evil.example/",
        "/\\evil.example/",
        "\\\\evil.example",
        "https:evil.example",
        "http://testserver@evil.example/",
        "javascript:alert(1)",
        " https://evil.example/",
        "http:///evil.example/",
    ],
)
def test_an_unsafe_next_never_leaves_the_site(facilitator, next_url):
    response = sign_in(csrf_client(), "fac_a", PASSWORD, next_url)
    assert response.status_code == 302
    assert response["Location"] == "/"


def test_next_on_the_sign_in_link_brings_you_back():
    html = csrf_client().get("/examples/?tag=cardiac").content.decode()
    assert 'href="/accounts/login/?next=/examples/%3Ftag%3Dcardiac"' in html


def test_signing_out_needs_a_post_and_ends_the_session(facilitator):
    client = csrf_client(facilitator)
    assert client.get("/accounts/logout/").status_code == 405
    response = post(client, "/accounts/logout/")
    assert response.status_code == 200
    assert "You have signed out" in response.content.decode()
    assert client.get("/examples/mine/").status_code == 302


def test_password_change(facilitator):
    client = csrf_client(facilitator)
    assert csrf_client().get("/accounts/password_change/").status_code == 302
    response = post(
        client,
        "/accounts/password_change/",
        {
            "old_password": PASSWORD,
            "new_password1": "A-brand-new-pass-77",
            "new_password2": "A-brand-new-pass-77",
        },
    )
    assert response["Location"] == "/accounts/password_change/done/"
    assert "Your password has been changed" in client.get(response["Location"]).content.decode()
    facilitator.refresh_from_db()
    assert facilitator.check_password("A-brand-new-pass-77")
    assert client.get("/examples/mine/").status_code == 200  # still signed in


def test_password_reset_by_email(facilitator):
    client = csrf_client()
    response = post(client, "/accounts/password_reset/", {"email": "fac_a@nhs.example"})
    assert response["Location"] == "/accounts/password_reset/done/"
    assert len(mail.outbox) == 1
    message = mail.outbox[0]
    assert message.to == ["fac_a@nhs.example"]
    assert "Improvement Leaders' Guides library" in message.subject
    link = re.search(r"http://testserver(/accounts/reset/\S+/)", message.body).group(1)
    page = client.get(link, follow=True)
    assert "Set a new password" in page.content.decode()
    response = post(
        client,
        page.redirect_chain[-1][0],
        {"new_password1": "Reset-password-2025!", "new_password2": "Reset-password-2025!"},
    )
    assert response["Location"] == "/accounts/reset/done/"
    facilitator.refresh_from_db()
    assert facilitator.check_password("Reset-password-2025!")


def test_password_reset_for_an_unknown_address_says_the_same_and_sends_nothing():
    response = post(csrf_client(), "/accounts/password_reset/", {"email": "nobody@nhs.example"})
    assert response["Location"] == "/accounts/password_reset/done/"
    assert mail.outbox == []


# Rate limiting (django-axes) -------------------------------------------------------------


def test_failed_sign_ins_lock_that_user_name_from_that_address(facilitator, settings):
    for i in range(settings.AXES_FAILURE_LIMIT):
        response = sign_in(csrf_client(), "fac_a", f"wrong-{i}", REMOTE_ADDR="10.0.0.1")
        # The failure that reaches the limit is the first to get the lockout page.
        assert response.status_code == (429 if i + 1 == settings.AXES_FAILURE_LIMIT else 200)
    # Now even the right password, from that address, is refused.
    response = sign_in(csrf_client(), "fac_a", PASSWORD, REMOTE_ADDR="10.0.0.1")
    assert response.status_code == 429
    assert "Signing in is paused" in response.content.decode()
    assert "_auth_user_id" not in response.client.session


def test_a_strangers_bad_guesses_never_lock_a_real_user_out(facilitator, settings):
    # Someone elsewhere guesses fac_a's password until that pair is locked...
    for i in range(settings.AXES_FAILURE_LIMIT + 2):
        sign_in(csrf_client(), "fac_a", f"wrong-{i}", REMOTE_ADDR="198.51.100.7")
    # ...and fac_a, at their own computer, signs in as usual.
    response = sign_in(csrf_client(), "fac_a", PASSWORD, REMOTE_ADDR="10.0.0.1")
    assert response.status_code == 302


def test_staff_behind_one_address_do_not_lock_each_other_out(facilitator, settings):
    # One trust's proxy address: a colleague mistypes their own password many times.
    make_user("fac_b", "facilitator")
    for i in range(settings.AXES_FAILURE_LIMIT + 2):
        sign_in(csrf_client(), "fac_b", f"wrong-{i}", REMOTE_ADDR="10.9.9.9")
    response = sign_in(csrf_client(), "fac_a", PASSWORD, REMOTE_ADDR="10.9.9.9")
    assert response.status_code == 302
    assert sign_in(csrf_client(), "fac_b", PASSWORD, REMOTE_ADDR="10.9.9.9").status_code == 429


def test_fewer_failures_than_the_limit_do_not_lock(facilitator, settings):
    for i in range(settings.AXES_FAILURE_LIMIT - 1):
        sign_in(csrf_client(), "fac_a", f"wrong-{i}")
    assert sign_in(csrf_client(), "fac_a", PASSWORD).status_code == 302


def test_the_client_address_behind_proxies(settings):
    request = RequestFactory().get(
        "/", REMOTE_ADDR="10.0.0.1", HTTP_X_FORWARDED_FOR="6.6.6.6, 203.0.113.9"
    )
    settings.NUM_PROXIES = 0
    assert client_ip(request) == "10.0.0.1"  # the header is ignored without proxies
    settings.NUM_PROXIES = 1
    assert client_ip(request) == "203.0.113.9"  # the address our proxy saw
    settings.NUM_PROXIES = 2
    assert client_ip(request) == "6.6.6.6"
    settings.NUM_PROXIES = 3
    assert client_ip(request) == "10.0.0.1"  # too few entries: not trusted


def test_csrf_is_enforced_at_sign_in(facilitator):
    client = csrf_client()
    csrf_token(client)
    response = client.post("/accounts/login/", {"username": "fac_a", "password": PASSWORD})
    assert response.status_code == 403


# Email settings ---------------------------------------------------------------------------


def setting(name: str, **env: str) -> str:
    environment = {k: v for k, v in os.environ.items() if not k.startswith("EMAIL_")}
    environment.update(env, DJANGO_SETTINGS_MODULE="ilg.settings")
    result = subprocess.run(
        [sys.executable, "-c", f"from django.conf import settings; print(settings.{name})"],
        cwd=Path(__file__).resolve().parents[2],
        env=environment,
        capture_output=True,
        text=True,
        timeout=60,
    )
    assert result.returncode == 0, result.stderr
    return result.stdout.strip()


def test_email_goes_to_the_console_in_development_and_to_smtp_when_configured():
    assert setting("EMAIL_BACKEND") == "django.core.mail.backends.console.EmailBackend"
    smtp = {"EMAIL_HOST": "smtp.nhs.example", "EMAIL_HOST_USER": "ilg"}
    assert setting("EMAIL_BACKEND", **smtp) == "django.core.mail.backends.smtp.EmailBackend"
    assert setting("EMAIL_HOST", **smtp) == "smtp.nhs.example"
    assert setting("EMAIL_PORT", **smtp) == "587"
    assert setting("EMAIL_USE_TLS", **smtp) == "True"
    assert setting("EMAIL_PORT", **smtp, EMAIL_USE_SSL="true") == "465"
    assert setting("EMAIL_USE_TLS", **smtp, EMAIL_USE_SSL="true") == "False"
