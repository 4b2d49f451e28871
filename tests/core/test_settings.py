"""Configuration from the environment, and the production security check."""

from pathlib import Path

import pytest

from tests.factories import PRODUCTION, manage

ROOT = Path(__file__).resolve().parents[2]


def test_deploy_check_is_clean_in_production_settings():
    result = manage("check", "--deploy", "--fail-level", "WARNING", **PRODUCTION)
    assert result.returncode == 0, result.stdout + result.stderr
    assert "no issues" in result.stdout


def test_deploy_check_would_fail_without_https_settings():
    # The check can fail: without HTTPS=true the secure-cookie warnings appear.
    result = manage(
        "check", "--deploy", "--fail-level", "WARNING", **{**PRODUCTION, "HTTPS": "false"}
    )
    assert result.returncode != 0
    assert "SESSION_COOKIE_SECURE" in result.stdout + result.stderr


def test_secret_key_is_required_in_production():
    env = {k: v for k, v in PRODUCTION.items() if k != "SECRET_KEY"}
    result = manage("check", **env)
    assert result.returncode != 0
    assert "SECRET_KEY must be set" in result.stderr


def test_site_url_is_required_in_production():
    env = {k: v for k, v in PRODUCTION.items() if k != "SITE_URL"}
    result = manage("check", **env)
    assert result.returncode != 0
    assert "SITE_URL must be set when HTTPS=true" in result.stderr


@pytest.mark.parametrize(
    "value", ["ilg.example.org", "https://ilg.example.org/library", "ftp://ilg.example.org"]
)
def test_a_site_url_that_is_not_a_scheme_and_host_is_refused(value):
    result = manage("check", **{**PRODUCTION, "SITE_URL": value})
    assert result.returncode != 0
    assert "SITE_URL must" in result.stderr


def test_bad_boolean_is_refused():
    result = manage("check", DEBUG="maybe")
    assert result.returncode != 0
    assert "DEBUG must be true or false" in result.stderr


@pytest.mark.django_db
def test_https_settings_turn_on_redirect_hsts_and_secure_cookies(client, settings):
    settings.SECURE_PROXY_SSL_HEADER = ("HTTP_X_FORWARDED_PROTO", "https")
    settings.SECURE_SSL_REDIRECT = True
    settings.SECURE_HSTS_SECONDS = 31536000
    response = client.get("/healthz")
    assert response.status_code == 301 and response["Location"].startswith("https://")
    response = client.get("/healthz", HTTP_X_FORWARDED_PROTO="https")
    assert response.status_code == 200
    assert response["Strict-Transport-Security"].startswith("max-age=31536000")


@pytest.mark.django_db
def test_security_headers_on_every_page(client):
    response = client.get("/")
    assert response["X-Content-Type-Options"] == "nosniff"
    assert response["Referrer-Policy"] == "same-origin"
    assert response["Cross-Origin-Opener-Policy"] == "same-origin"
    assert response["X-Frame-Options"] == "DENY"


@pytest.mark.django_db
def test_unknown_host_is_refused(client):
    assert client.get("/", HTTP_HOST="evil.example").status_code == 400
