"""Security hardening: headers on every kind of response, the production HTTPS settings,
open redirects, path traversal, and malformed or oversized requests."""

from __future__ import annotations

import json
from pathlib import Path

import pytest
from django.core.management import call_command
from django.test import Client

from guides.examples.models import ExampleStatus
from guides.training.models import Module, ModuleVisibility
from tests.factories import (
    PASSWORD,
    PRODUCTION,
    assert_hardened,
    csrf_client,
    form_data,
    make_example,
    make_user,
    manage,
    post,
)

pytestmark = pytest.mark.django_db

ONE_YEAR = 31536000


# Headers on pages, error pages and static files --------------------------------------


@pytest.mark.parametrize(
    "url",
    ["/", "/guides/process-mapping/", "/search/?q=pdsa", "/api/guides/", "/examples/",
     "/accounts/login/", "/run-chart/", "/healthz"],
)  # fmt: skip
def test_every_page_carries_the_security_headers(client, url):
    response = client.get(url)
    assert response.status_code == 200
    assert_hardened(response)


def test_a_cached_page_carries_the_security_headers(page_cache):
    Client().get("/guides/process-mapping/")
    response = Client().get("/guides/process-mapping/")
    assert "ETag" in response
    assert_hardened(response)


def test_a_signed_in_page_carries_the_security_headers():
    client = Client()
    client.force_login(make_user("ed", "editor"))
    response = client.get("/examples/review/")
    assert response.status_code == 200
    assert_hardened(response)


def test_not_found_page_carries_the_security_headers(client):
    response = client.get("/guides/no-such-guide/")
    assert response.status_code == 404
    assert "Page not found" in response.content.decode()
    assert_hardened(response)


def test_unknown_host_is_refused_with_the_security_headers(client):
    response = client.get("/", HTTP_HOST="evil.example")
    assert response.status_code == 400
    assert "could not understand that request" in response.content.decode()
    assert_hardened(response)


def test_server_error_page_carries_the_security_headers(client, monkeypatch):
    from guides.library.views import browse

    def broken(*args, **kwargs):
        raise RuntimeError("a bug")

    monkeypatch.setattr(browse, "render", broken)
    client.raise_request_exception = False
    response = client.get("/")
    assert response.status_code == 500
    assert "Sorry, something went wrong" in response.content.decode()
    assert_hardened(response)


def test_csrf_failure_page_is_friendly_and_carries_the_security_headers():
    response = Client(enforce_csrf_checks=True).post(
        "/accounts/login/", {"username": "x", "password": "y"}
    )
    assert response.status_code == 403
    assert "Your form could not be sent" in response.content.decode()
    assert_hardened(response)


def test_forbidden_page_carries_the_security_headers():
    client = Client()
    client.force_login(make_user("fac", "facilitator"))
    response = client.get("/examples/review/")
    assert response.status_code == 403
    assert_hardened(response)


@pytest.fixture
def static_client(settings, tmp_path: Path) -> Client:
    """A client whose whitenoise serves collected static files, as in production."""
    settings.STATIC_ROOT = tmp_path / "static"
    call_command("collectstatic", interactive=False, verbosity=0)
    (tmp_path / "secret.txt").write_text("SECRET_KEY = 'outside the static root'")
    return Client()


def test_static_files_carry_the_security_headers(static_client):
    response = static_client.get("/static/css/site.css")
    assert response.status_code == 200
    assert b"".join(response.streaming_content)
    assert response["Content-Type"].startswith("text/css")
    assert_hardened(response)
    script = static_client.get("/static/js/site.js")
    assert script.status_code == 200
    assert_hardened(script)


def test_whitenoise_adds_the_policy_to_static_files_itself(settings, tmp_path):
    # Without the middleware that adds them to pages, static files still carry them
    # (WHITENOISE_ADD_HEADERS_FUNCTION), as when whitenoise serves them on its own.
    settings.MIDDLEWARE = [
        m
        for m in settings.MIDDLEWARE
        if m.rsplit(".", 1)[-1] not in ("CSPMiddleware", "XFrameOptionsMiddleware")
    ]
    settings.STATIC_ROOT = tmp_path / "static"
    call_command("collectstatic", interactive=False, verbosity=0)
    response = Client().get("/static/css/site.css")
    assert response.status_code == 200
    assert_hardened(response)
    assert "Content-Security-Policy" not in Client().get("/")


@pytest.mark.parametrize(
    "path",
    [
        "/static/../secret.txt",
        "/static/%2e%2e/secret.txt",
        "/static/css/../../secret.txt",
        "/static/css/..%2f..%2fsecret.txt",
        "/static/..%5csecret.txt",
        "/static/..\\secret.txt",
        "/static//etc/passwd",
        "/static/%2fetc%2fpasswd",
        "/static/../../ilg/settings.py",
        "/static/css/site.css/../../../ilg/settings.py",
        "/static/css/site.css%00.js",
    ],
)
def test_static_paths_cannot_leave_the_static_root(static_client, path):
    response = static_client.get(path)
    assert response.status_code in (400, 404), path
    body = b"".join(response.streaming_content) if response.streaming else response.content
    assert b"SECRET_KEY" not in body and b"root:" not in body


@pytest.mark.parametrize(
    "path",
    [
        "/guides/../../etc/passwd/",
        "/guides/..%2f..%2fetc%2fpasswd/",
        "/guides/%2e%2e/",
        "/tools/..%5c..%5cilg%5csettings.py/",
        "/glossary/....//....//etc/passwd/",
        "/api/guides/..%2f..%2f/",
        "/api/tools/%2e%2e%2fsettings/",
        "/guides/process-mapping/handout/../../../ilg/settings.py",
        "/examples/..%2f1/",
        "/modules/1/..%2f..%2f/",
    ],
)
def test_path_traversal_in_slugs_finds_nothing(client, path):
    response = client.get(path)
    assert response.status_code in (400, 404), path
    assert b"SECRET_KEY" not in response.content and b"root:" not in response.content


# Production settings: HTTPS, HSTS, cookies --------------------------------------------


@pytest.fixture(scope="module")
def production_settings() -> dict:
    code = (
        "import json; from django.conf import settings as s; print(json.dumps({k: getattr(s, k)"
        " for k in ['SECURE_HSTS_SECONDS', 'SECURE_HSTS_INCLUDE_SUBDOMAINS', 'SECURE_SSL_REDIRECT',"
        " 'SESSION_COOKIE_SECURE', 'SESSION_COOKIE_HTTPONLY', 'CSRF_COOKIE_SECURE',"
        " 'CSRF_COOKIE_HTTPONLY',"
        " 'SECURE_PROXY_SSL_HEADER', 'DEBUG', 'ALLOWED_HOSTS', 'SECURE_CONTENT_TYPE_NOSNIFF',"
        " 'SECURE_REFERRER_POLICY', 'SECURE_CROSS_ORIGIN_OPENER_POLICY', 'X_FRAME_OPTIONS']}))"
    )
    result = manage("shell", "-c", code, **PRODUCTION)
    assert result.returncode == 0, result.stderr
    return json.loads(result.stdout.strip().splitlines()[-1])


def test_production_settings_turn_on_hsts_for_a_year_and_secure_cookies(production_settings):
    assert production_settings["DEBUG"] is False
    assert production_settings["SECURE_HSTS_SECONDS"] >= ONE_YEAR
    assert production_settings["SECURE_SSL_REDIRECT"] is True
    assert production_settings["SESSION_COOKIE_SECURE"] is True
    assert production_settings["SESSION_COOKIE_HTTPONLY"] is True
    assert production_settings["CSRF_COOKIE_SECURE"] is True
    assert production_settings["CSRF_COOKIE_HTTPONLY"] is True
    assert production_settings["ALLOWED_HOSTS"] == ["ilg.example.org"]


def test_production_responses_have_hsts_and_secure_httponly_cookies(settings, production_settings):
    for name, value in production_settings.items():
        setattr(settings, name, tuple(value) if name == "SECURE_PROXY_SSL_HEADER" else value)
    host = {"HTTP_HOST": "ilg.example.org"}
    insecure = Client().get("/", **host)
    assert insecure.status_code == 301
    assert insecure["Location"] == "https://ilg.example.org/"

    make_user("fac", "facilitator")
    client = Client(
        enforce_csrf_checks=True,
        HTTP_X_FORWARDED_PROTO="https",
        HTTP_REFERER="https://ilg.example.org/accounts/login/",
        **host,
    )
    page = client.get("/accounts/login/")
    assert page["Strict-Transport-Security"].startswith(f"max-age={ONE_YEAR}")
    assert "includeSubDomains" in page["Strict-Transport-Security"]
    assert_hardened(page)
    assert page.cookies["csrftoken"]["secure"] is True
    assert page.cookies["csrftoken"]["httponly"] is True
    response = client.post(
        "/accounts/login/",
        {
            "username": "fac",
            "password": PASSWORD,
            "csrfmiddlewaretoken": client.cookies["csrftoken"].value,
        },
    )
    assert response.status_code == 302
    session = response.cookies["sessionid"]
    assert session["secure"] is True and session["httponly"] is True
    assert session["samesite"] == "Lax"


# Open redirects: the URLs Django's own tests refuse (tests/utils_tests/test_http.py) ----

UNSAFE_NEXT = [
    "http://example.com",
    "http:///example.com",
    "https://example.com",
    "ftp://example.com",
    r"\\example.com",
    r"\\\example.com",
    r"/\\/example.com",
    r"\\//example.com",
    r"/\/example.com",
    r"\/example.com",
    r"/\example.com",
    r"http:/\//example.com",
    r"http:\/example.com",
    r"http:/\example.com",
    'javascript:alert("XSS")',
    "\njavascript:alert(x)",
    "java\nscript:alert(x)",
    "\x08//example.com",
    r"http://otherserver\@example.com",
    r"http:\\testserver\@example.com",
    r"http://testserver\me:pass@example.com",
    r"http://testserver\@example.com",
    r"http:\\testserver\confirm\me@example.com",
    "http:999999999",
    "ftp:9999999999",
    "\n",
    "http://[2001:cdba:0000:0000:0000:0000:3257:9652/",
    "http://2001:cdba:0000:0000:0000:0000:3257:9652]/",
    "//example.com",
    "///example.com",
    "https:///example.com",
    "/\t/example.com",
    "data:text/html,<script>alert(1)</script>",
]


def assert_stays_here(response) -> None:
    location = response.get("Location", "")
    if response.status_code in (301, 302, 303, 307, 308):
        assert location.startswith("/") and not location.startswith(("//", "/\\")), location
        assert "example.com" not in location and "javascript" not in location.lower()
    else:
        assert response.status_code == 200


@pytest.mark.parametrize("target", UNSAFE_NEXT)
def test_signing_in_never_redirects_off_the_site(target):
    make_user("fac", "facilitator")
    client = csrf_client()
    response = post(
        client, "/accounts/login/", {"username": "fac", "password": PASSWORD, "next": target}
    )
    assert response.status_code == 302
    assert response["Location"] == "/"
    assert_stays_here(response)


@pytest.mark.parametrize("target", UNSAFE_NEXT)
def test_signing_out_never_redirects_off_the_site(target):
    client = csrf_client(make_user("fac", "facilitator"))
    response = post(client, "/accounts/logout/", {"next": target})
    assert_stays_here(response)
    response = client.get(f"/accounts/logout/?next={target}")
    assert response.status_code == 405  # sign-out is a POST only


@pytest.mark.parametrize("target", UNSAFE_NEXT)
def test_adding_to_a_module_never_redirects_off_the_site(target):
    client = csrf_client(make_user("trainer", "trainer"))
    response = post(client, "/modules/add/", {"next": target, "item": "guide:process-mapping"})
    assert response.status_code == 302
    assert_stays_here(response)


def test_safe_next_is_still_followed():
    make_user("fac", "facilitator")
    response = post(
        csrf_client(),
        "/accounts/login/",
        {"username": "fac", "password": PASSWORD, "next": "/examples/mine/"},
    )
    assert response["Location"] == "/examples/mine/"


# Malformed and oversized requests: 4xx, never 500 -----------------------------------


@pytest.mark.parametrize(
    "url",
    ["/search/?q=%00", "/search/?q=plan%00do", "/api/search/?q=%00", "/examples/?tag=%00",
     "/examples/?guide=process%00mapping", "/guides/process%00mapping/", "/%00",
     "/run-chart/?data=1%002", "/modules/1/?key=%00", "/glossary/pdsa/?x=%00"],
)  # fmt: skip
def test_nul_bytes_in_the_address_are_a_400(client, url):
    response = client.get(url)
    assert response.status_code == 400
    assert "could not understand that request" in response.content.decode()
    assert_hardened(response)


def test_nul_bytes_in_a_sign_in_form_are_a_form_error_not_a_500():
    make_user("fac", "facilitator")
    response = post(
        csrf_client(), "/accounts/login/", {"username": "fa\x00c", "password": "x\x00y"}
    )
    assert response.status_code in (200, 400)
    assert "sessionid" not in response.cookies


def test_nul_bytes_in_an_example_form_are_a_form_error_not_a_500():
    author = make_user("fac", "facilitator")
    response = post(
        csrf_client(author),
        "/examples/new/",
        form_data(title="Bad\x00title", problem="a\x00b", tags="x\x00y"),
    )
    assert response.status_code in (200, 400)
    assert "Null characters are not allowed" in response.content.decode()


def test_a_body_far_over_the_limit_is_refused_unread(client, settings):
    settings.DATA_UPLOAD_MAX_MEMORY_SIZE = 1024
    body = b"x" * (1024 * 9)
    response = client.post("/accounts/login/", data=body, content_type="application/octet-stream")
    assert response.status_code == 413
    assert "too large" in response.content.decode()
    assert_hardened(response)


def test_a_form_over_the_limit_gets_a_4xx(settings):
    settings.DATA_UPLOAD_MAX_MEMORY_SIZE = 1024
    response = post(csrf_client(), "/accounts/login/", {"username": "x" * 2000, "password": "y"})
    assert response.status_code in (400, 413)


def test_a_long_address_and_odd_parameters_never_give_a_500(client):
    odd = [
        "/search/?q=" + "capacity%20" * 5000,
        "/api/search/?q=" + "a" * 50_000,
        "/api/search/?q=pdsa&limit=-1",
        "/api/search/?q=pdsa&limit=99999999999999999999999",
        "/api/search/?q=pdsa&offset=1e99",
        "/api/search/?q=pdsa&type=<script>",
        "/examples/?page=99999999999999999999999",
        "/examples/?guide=../../etc&tool=%ff%fe",
        "/search/?q=%ff%fe%fd",
        "/search/?" + "&".join(f"a{i}=1" for i in range(1500)),
        "/run-chart/?data=" + "1%0A" * 20_000,
        "/modules/1/?key=" + "k" * 10_000,
    ]
    for url in odd:
        response = client.get(url)
        assert response.status_code < 500, (url[:80], response.status_code)


def test_a_published_example_with_hostile_text_is_served_safely(client):
    author = make_user("fac", "facilitator")
    example = make_example(
        author,
        status=ExampleStatus.PUBLISHED,
        title="<script>alert(1)</script>",
        problem="<img src=x onerror=alert(1)> [x](javascript:alert(1))",
    )
    html = client.get(example.get_absolute_url()).content.decode()
    assert "<script>alert(1)</script>" not in html
    assert "onerror" not in html and "javascript:" not in html


def test_a_private_module_is_not_found_by_guessing(client):
    trainer = make_user("trainer", "trainer")
    module = Module.objects.create(owner=trainer, title="Mine", visibility=ModuleVisibility.LINK)
    assert client.get(f"/modules/{module.pk}/").status_code == 404
    assert client.get(f"/modules/{module.pk}/?key=wrong").status_code == 404
    assert client.get(module.get_share_url()).status_code == 200


def test_error_pages_still_answer_when_their_template_cannot_render(rf, monkeypatch):
    """Say the static files were never collected: {% static %} raises, and the error
    page must fall back to plain HTML instead of raising an error of its own."""
    from django.db import OperationalError

    from guides.core import views as errors

    def broken(name):
        raise ValueError("Missing staticfiles manifest entry")

    monkeypatch.setattr(errors.loader, "get_template", broken)
    response = errors.server_error(rf.get("/"))
    assert response.status_code == 500 and b"Sorry, something went wrong" in response.content
    try:
        raise OperationalError("database is away")
    except OperationalError:
        response = errors.server_error(rf.get("/"))
    assert response.status_code == 503 and b"Back in a moment" in response.content
