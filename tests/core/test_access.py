"""Access, round two (issue 19): the deploy check wants NUM_PROXIES behind a proxy,
trainer-only notes stay with those entitled to them when a module is opened or copied by
its public link, a withdrawn link stays dead, password reset is throttled and its link
comes from SITE_URL (and works for accounts made without a password), and signed-in
pages are never stored by the browser, with sessions that end when idle or, on a shared
computer, when the browser closes."""

from __future__ import annotations

import re
import time

import pytest
from django.contrib.auth.models import User
from django.contrib.sessions.models import Session
from django.core import mail
from django.test import Client
from django.utils import timezone

from guides.core import accounts
from guides.training.models import ItemKind, Module, ModuleVisibility
from tests.factories import PASSWORD, PRODUCTION, add_item, csrf_client, make_user, manage, post

pytestmark = pytest.mark.django_db


# Sign-in lockout behind a proxy ----------------------------------------------------------


def test_deploy_check_fails_behind_https_without_num_proxies():
    env = {k: v for k, v in PRODUCTION.items() if k != "NUM_PROXIES"}
    result = manage("check", "--deploy", "--fail-level", "WARNING", **env)
    assert result.returncode != 0
    assert "NUM_PROXIES" in result.stdout + result.stderr
    assert "ilg.E001" in result.stdout + result.stderr


def test_the_readme_recipe_sets_num_proxies_and_site_url():
    from tests.factories import ROOT

    readme = (ROOT / "README.md").read_text()
    recipe = readme[readme.index("## Running on PostgreSQL behind gunicorn") :]
    recipe = recipe[: recipe.index("```", recipe.index("```") + 3)]
    assert "NUM_PROXIES=1" in recipe and "SITE_URL=https://" in recipe


# Trainer-only notes and public links -----------------------------------------------------


@pytest.fixture
def public_module():
    owner = make_user("owner", "trainer")
    module = Module.objects.create(
        owner=owner,
        title="Flow",
        trainer_notes="Secret trainer notes.",
        visibility=ModuleVisibility.LINK,
    )
    add_item(module, ItemKind.NOTE, title="Prompt", text="Trainer-only prompt.",
             for_participants=False)  # fmt: skip
    add_item(module, ItemKind.NOTE, title="Exercise", text="Everyone's exercise.")
    return module


def test_a_signed_in_stranger_with_the_link_sees_the_participants_edition(public_module):
    stranger = Client()
    stranger.force_login(make_user("stranger", "trainer"))
    link = public_module.get_share_url()
    for url in (link, link.replace("/?", "/handout/?") + "&edition=trainer"):
        page = stranger.get(url).content.decode()
        assert "Everyone's exercise." in page
        assert "Trainer-only prompt." not in page and "Secret trainer notes." not in page
    owner = Client()
    owner.force_login(public_module.owner)
    page = owner.get(public_module.get_absolute_url()).content.decode()
    assert "Trainer-only prompt." in page and "Secret trainer notes." in page


def test_a_copy_made_through_the_link_has_only_the_participants_edition(public_module):
    copier = make_user("copier", "trainer")
    client = csrf_client(copier)
    key = public_module.share_token
    response = post(client, f"/modules/{public_module.pk}/duplicate/?key={key}")
    assert response.status_code == 302
    copy = Module.objects.get(owner=copier)
    assert copy.trainer_notes == ""
    assert [i.title for i in copy.items.order_by("order")] == ["Exercise"]
    # The owner's own copy keeps everything.
    post(csrf_client(public_module.owner), f"/modules/{public_module.pk}/duplicate/")
    own = Module.objects.filter(owner=public_module.owner).exclude(pk=public_module.pk).get()
    assert own.trainer_notes == "Secret trainer notes." and own.items.count() == 2


def test_restoring_a_modules_sharing_never_brings_back_an_old_link(public_module):
    client = csrf_client(public_module.owner)
    old = public_module.get_share_url()
    assert Client().get(old).status_code == 200
    post(client, f"/modules/{public_module.pk}/share/",
         {"visibility": "private", "version": public_module.version})  # fmt: skip
    public_module.refresh_from_db()
    post(client, f"/modules/{public_module.pk}/share/",
         {"visibility": "link", "version": public_module.version})  # fmt: skip
    public_module.refresh_from_db()
    assert public_module.visibility == ModuleVisibility.LINK
    assert Client().get(old).status_code == 404
    assert Client().get(public_module.get_share_url()).status_code == 200


# Password reset ----------------------------------------------------------------------------


def ask_for_reset(email: str, address: str = "10.0.0.1"):
    return post(csrf_client(), "/accounts/password_reset/", {"email": email}, REMOTE_ADDR=address)


@pytest.fixture(autouse=True)
def _empty_throttles():
    from django.core.cache import cache

    cache.clear()
    yield
    cache.clear()


def test_reset_emails_to_one_account_are_throttled():
    make_user("fac", "facilitator")
    for n in range(accounts.RESETS_PER_ACCOUNT + 3):
        response = ask_for_reset("fac@nhs.example", address=f"10.0.1.{n}")
        # The same answer every time: nothing says whether the account exists.
        assert response["Location"] == "/accounts/password_reset/done/"
    assert len(mail.outbox) == accounts.RESETS_PER_ACCOUNT


def test_reset_requests_from_one_address_are_throttled_with_the_address_kept():
    for n in range(accounts.RESETS_PER_ADDRESS):
        assert ask_for_reset(f"person{n}@nhs.example").status_code == 302
    response = ask_for_reset("typed.this@nhs.example")
    assert response.status_code == 429
    assert response["Retry-After"] == str(accounts.RESET_WINDOW)
    page = response.content.decode()
    assert "Too many requests for a new password" in page
    assert 'value="typed.this@nhs.example"' in page
    assert ask_for_reset("someone@nhs.example", address="10.0.0.2").status_code == 302


def test_the_reset_link_comes_from_site_url_not_the_host_header(settings):
    settings.SITE_URL = "https://ilg.example.nhs.uk"
    settings.ALLOWED_HOSTS = ["testserver", "evil.example"]
    make_user("fac", "facilitator")
    post(csrf_client(), "/accounts/password_reset/", {"email": "fac@nhs.example"},
         HTTP_HOST="evil.example")  # fmt: skip
    body = mail.outbox[0].body
    assert "https://ilg.example.nhs.uk/accounts/reset/" in body
    assert "evil.example" not in body


def test_an_account_made_without_a_password_can_set_one_by_the_reset_email():
    user = User.objects.create_user("newbie", email="newbie@nhs.example")
    user.set_unusable_password()
    user.save()
    assert ask_for_reset("newbie@nhs.example")["Location"] == "/accounts/password_reset/done/"
    assert len(mail.outbox) == 1
    link = re.search(r"http://testserver(/accounts/reset/\S+/)", mail.outbox[0].body).group(1)
    client = csrf_client()
    page = client.get(link, follow=True)
    response = post(
        client,
        page.redirect_chain[-1][0],
        {"new_password1": "First-password-2026!", "new_password2": "First-password-2026!"},
    )
    assert response["Location"] == "/accounts/reset/done/"
    user.refresh_from_db()
    assert user.check_password("First-password-2026!")


# Shared ward computers ---------------------------------------------------------------------


def sign_in(client: Client, **extra) -> None:
    response = post(client, "/accounts/login/", {"username": "fac", "password": PASSWORD, **extra})
    assert response.status_code == 302


def test_signed_in_pages_are_never_stored_by_the_browser():
    make_user("fac", "facilitator")
    client = csrf_client()
    sign_in(client)
    for url in ("/", "/guides/process-mapping/", "/examples/mine/", "/glossary/pdsa/"):
        control = client.get(url)["Cache-Control"]
        assert "no-store" in control and "private" in control, url


def test_a_session_lasts_eight_idle_hours_by_default_and_moves_on_with_use(settings):
    assert settings.SESSION_COOKIE_AGE == 8 * 60 * 60
    make_user("fac", "facilitator")
    client = csrf_client()
    sign_in(client)
    cookie = client.cookies[settings.SESSION_COOKIE_NAME]
    assert int(cookie["max-age"]) == 8 * 60 * 60
    # Seven hours and fifty minutes later (as the database sees it), the user comes back:
    session = Session.objects.get()
    session.expire_date = timezone.now() + timezone.timedelta(minutes=10)
    data = session.get_decoded()
    data["seen"] = int(time.time()) - 7 * 3600
    session.session_data = Session.objects.encode(data)
    session.save()
    assert client.get("/examples/mine/").status_code == 200
    renewed = Session.objects.get().expire_date - timezone.now()
    assert renewed > timezone.timedelta(hours=7, minutes=55)


def test_an_idle_session_has_ended():
    make_user("fac", "facilitator")
    client = csrf_client()
    sign_in(client)
    Session.objects.update(expire_date=timezone.now() - timezone.timedelta(seconds=1))
    response = client.get("/examples/mine/")
    assert response.status_code == 302 and "/accounts/login/" in response["Location"]


def test_a_shared_computer_session_ends_when_the_browser_closes(settings):
    make_user("fac", "facilitator")
    client = csrf_client()
    page = client.get("/accounts/login/").content.decode()
    assert 'name="shared_computer"' in page and "This is a shared computer" in page
    sign_in(client, shared_computer="1")
    cookie = client.cookies[settings.SESSION_COOKIE_NAME]
    assert not cookie["max-age"] and not cookie["expires"]  # a browser-session cookie
    assert client.session.get_expire_at_browser_close()
    assert client.get("/examples/mine/").status_code == 200
    other = csrf_client()
    sign_in(other)
    assert int(other.cookies[settings.SESSION_COOKIE_NAME]["max-age"]) > 0


def labels(html: str) -> list[str]:
    """The form's labels (not the header's search box)."""
    found = re.findall(r"<label[^>]*>(.*?)</label>", html, re.S)
    return [
        t for t in (re.sub(r"<[^>]+>", "", m).strip() for m in found) if t != "Search the guides"
    ]


def test_the_password_forms_are_labelled_like_every_other_form():
    """No Django "Email:" or "Old password:": labels without colons, as on every form."""
    pages = {"reset": Client().get("/accounts/password_reset/").content.decode()}
    make_user("fac", "facilitator")
    client = csrf_client()
    sign_in(client)
    pages["change"] = client.get("/accounts/password_change/").content.decode()
    User.objects.create_user("newbie", email="newbie@nhs.example")
    assert ask_for_reset("newbie@nhs.example").status_code == 302
    link = re.search(r"http://testserver(/accounts/reset/\S+/)", mail.outbox[-1].body).group(1)
    pages["new"] = Client().get(link, follow=True).content.decode()
    assert labels(pages["reset"]) == ["Email address"]
    assert labels(pages["change"])[:2] == ["Old password", "New password"], labels(pages["change"])
    assert labels(pages["new"])[:1] == ["New password"], labels(pages["new"])
    for name, html in pages.items():
        assert labels(html) and not any(label.endswith(":") for label in labels(html)), name
