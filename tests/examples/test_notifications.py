"""Email notifications about local examples, through a real SMTP server started by the
test (aiosmtpd): editors hear of a submission, authors of a return (with the comment)
or publication, each email links to the page, anyone can opt out on their account page,
and a server that refuses never breaks the action."""

from __future__ import annotations

import logging
import re

import pytest
from django.contrib.auth.models import Permission

from guides.core.models import AccountSettings
from guides.examples import notify
from guides.examples.models import ExampleStatus, LocalExample
from tests.factories import csrf_client, form_data, make_example, make_user, post

pytestmark = pytest.mark.django_db


@pytest.fixture
def people():
    return {
        "author": make_user("fac", "facilitator", first_name="Asha"),
        "other_facilitator": make_user("fac2", "facilitator"),
        "editor": make_user("ed", "editor", first_name="Eve"),
        "second_editor": make_user("ed2", "editor"),
        "trainer": make_user("tr", "trainer"),
    }


def links(body: str) -> list[str]:
    return re.findall(r"https?://\S+", body)


def act(callbacks, client, url, data=None):
    """Post as a browser would and run what waits for the commit (the hand-over to the
    sending thread), then wait for the sending thread."""
    with callbacks(execute=True):
        response = post(client, url, data)
    notify.flush()
    return response


def test_a_submission_emails_every_editor_with_a_link_to_the_example(
    people, smtp_inbox, django_capture_on_commit_callbacks
):
    client = csrf_client(people["author"])
    response = act(
        django_capture_on_commit_callbacks,
        client,
        "/examples/new/",
        form_data(submit_for_review="1", section_anchor="how-to-do-it"),
    )
    assert response.status_code == 302
    example = LocalExample.objects.get()
    assert example.status == ExampleStatus.SUBMITTED
    assert sorted(m["To"] for m in smtp_inbox.messages) == [
        "ed2@nhs.example",
        "ed@nhs.example",
    ]
    message = smtp_inbox.to("ed@nhs.example")[0]
    assert message["Subject"].strip().startswith("To review: “Same-day discharge letters”")
    assert message["X-Envelope-To"] == "ed@nhs.example"  # nobody sees the others' address
    body = smtp_inbox.body(message)
    assert body.startswith("Hello Eve,")
    assert f"http://testserver/examples/{example.pk}/" in links(body)
    assert "http://testserver/examples/review/" in links(body)
    assert "http://testserver/accounts/profile/" in links(body)


def test_sending_for_review_later_and_superusers_and_single_permissions(
    people, smtp_inbox, django_capture_on_commit_callbacks
):
    boss = make_user("boss", is_superuser=True)
    single = make_user("single")
    single.user_permissions.add(Permission.objects.get(codename="review_localexample"))
    make_user("gone", "editor", is_active=False)
    make_user("noemail", "editor").__class__.objects.filter(username="noemail").update(email="")
    example = make_example(people["author"])
    client = csrf_client(people["author"])
    act(
        django_capture_on_commit_callbacks,
        client,
        f"/examples/{example.pk}/submit/",
        {"version": example.version},
    )
    assert sorted(m["To"] for m in smtp_inbox.messages) == sorted(
        [boss.email, single.email, "ed@nhs.example", "ed2@nhs.example"]
    )


def test_publishing_emails_the_author_with_the_link(
    people, smtp_inbox, django_capture_on_commit_callbacks
):
    example = make_example(people["author"], status=ExampleStatus.SUBMITTED)
    client = csrf_client(people["editor"])
    response = act(
        django_capture_on_commit_callbacks,
        client,
        f"/examples/{example.pk}/publish/",
        {"version": example.version},
    )
    assert response.status_code == 302
    assert [m["To"] for m in smtp_inbox.messages] == ["fac@nhs.example"]
    message = smtp_inbox.messages[0]
    assert message["Subject"].strip().startswith("Published: “Cutting waits for echo”")
    body = smtp_inbox.body(message)
    assert body.startswith("Hello Asha,")
    assert f"http://testserver/examples/{example.pk}/" in links(body)


def test_returning_emails_the_author_the_comment_and_the_edit_link(
    people, smtp_inbox, django_capture_on_commit_callbacks
):
    example = make_example(people["author"], status=ExampleStatus.SUBMITTED)
    client = csrf_client(people["editor"])
    comment = "Please add the run chart figures <and> the dates."
    act(
        django_capture_on_commit_callbacks,
        client,
        f"/examples/{example.pk}/return/",
        {"return-version": example.version, "return-comment": comment},
    )
    assert LocalExample.objects.get().status == ExampleStatus.RETURNED
    [message] = smtp_inbox.messages
    assert message["To"] == "fac@nhs.example"
    assert message["Subject"].strip().startswith("Returned with a comment")
    body = smtp_inbox.body(message)
    assert comment in body  # plain text: not HTML-escaped
    assert f"http://testserver/examples/{example.pk}/edit/" in links(body)


def test_unpublishing_tells_the_author(people, smtp_inbox, django_capture_on_commit_callbacks):
    example = make_example(people["author"], status=ExampleStatus.PUBLISHED)
    client = csrf_client(people["editor"])
    act(
        django_capture_on_commit_callbacks,
        client,
        f"/examples/{example.pk}/unpublish/",
        {"unpublish-version": example.version, "unpublish-comment": "Out of date."},
    )
    [message] = smtp_inbox.messages
    assert message["To"] == "fac@nhs.example" and "Out of date." in smtp_inbox.body(message)


def test_nobody_is_emailed_about_their_own_action(smtp_inbox, django_capture_on_commit_callbacks):
    editor = make_user("ed", "editor")
    example = make_example(editor, status=ExampleStatus.SUBMITTED)
    act(
        django_capture_on_commit_callbacks,
        csrf_client(editor),
        f"/examples/{example.pk}/publish/",
        {"version": example.version},
    )
    assert LocalExample.objects.get().status == ExampleStatus.PUBLISHED
    assert smtp_inbox.messages == []


def test_nothing_is_sent_until_the_change_is_committed(
    people, smtp_inbox, django_capture_on_commit_callbacks
):
    example = make_example(people["author"], status=ExampleStatus.SUBMITTED)
    with django_capture_on_commit_callbacks(execute=False) as callbacks:
        post(
            csrf_client(people["editor"]),
            f"/examples/{example.pk}/publish/",
            {"version": example.version},
        )
    notify.flush()
    assert smtp_inbox.messages == [] and len(callbacks) == 1


# Opting out -------------------------------------------------------------------------


def test_the_account_page_turns_notifications_off_and_on(people):
    client = csrf_client(people["editor"])
    html = client.get("/accounts/profile/").content.decode()
    assert "Your account" in html and "Editors" in html
    assert re.search(r'<input type="checkbox" name="email_notifications"[^>]* checked', html)
    response = post(
        client,
        "/accounts/profile/",
        {"first_name": "Eve", "last_name": "Ng", "email": "eve@nhs.example"},
    )
    assert response.status_code == 302
    user = people["editor"]
    user.refresh_from_db()
    assert (user.last_name, user.email) == ("Ng", "eve@nhs.example")
    assert not AccountSettings.wants_email(type(user).objects.get(pk=user.pk))
    html = client.get("/accounts/profile/").content.decode()
    assert not re.search(r'name="email_notifications"[^>]* checked', html)
    post(client, "/accounts/profile/", {"email": "eve@nhs.example", "email_notifications": "on"})
    assert AccountSettings.objects.get(user=user).email_notifications


def test_a_bad_address_is_refused_with_the_rest_kept(people):
    client = csrf_client(people["editor"])
    response = post(
        client, "/accounts/profile/", {"first_name": "Evelyn", "email": "not an address"}
    )
    assert response.status_code == 200
    html = response.content.decode()
    assert "Enter a valid email address." in html and 'value="Evelyn"' in html
    people["editor"].refresh_from_db()
    assert people["editor"].email == "ed@nhs.example"


def test_the_account_page_needs_signing_in():
    response = csrf_client().get("/accounts/profile/")
    assert response.status_code == 302 and "/accounts/login/" in response["Location"]


def test_people_who_opted_out_get_nothing(people, smtp_inbox, django_capture_on_commit_callbacks):
    AccountSettings.objects.create(user=people["second_editor"], email_notifications=False)
    AccountSettings.objects.create(user=people["author"], email_notifications=False)
    client = csrf_client(people["author"])
    act(
        django_capture_on_commit_callbacks,
        client,
        "/examples/new/",
        form_data(submit_for_review="1"),
    )
    assert [m["To"] for m in smtp_inbox.messages] == ["ed@nhs.example"]
    example = LocalExample.objects.get()
    act(
        django_capture_on_commit_callbacks,
        csrf_client(people["editor"]),
        f"/examples/{example.pk}/publish/",
        {"version": example.version},
    )
    assert LocalExample.objects.get().status == ExampleStatus.PUBLISHED
    assert [m["To"] for m in smtp_inbox.messages] == ["ed@nhs.example"]  # no more


# When the mail server fails ---------------------------------------------------------


def test_a_refusing_server_is_logged_and_the_action_still_succeeds(
    people, refusing_smtp, django_capture_on_commit_callbacks, caplog
):
    example = make_example(people["author"], status=ExampleStatus.SUBMITTED)
    client = csrf_client(people["editor"])
    with caplog.at_level(logging.ERROR, logger="guides.examples.notify"):
        response = act(
            django_capture_on_commit_callbacks,
            client,
            f"/examples/{example.pk}/publish/",
            {"version": example.version},
        )
    assert response.status_code == 302
    assert LocalExample.objects.get().status == ExampleStatus.PUBLISHED
    assert refusing_smtp.messages == []
    assert "Could not send 1 email notification" in caplog.text
    assert "fac@nhs.example" in caplog.text
    follow = client.get(response["Location"]).content.decode()
    assert "The example is published" in follow


def test_a_server_that_is_not_there_does_not_break_a_submission(
    people, settings, django_capture_on_commit_callbacks, caplog
):
    import socket

    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        port = s.getsockname()[1]  # nothing listens here once closed
    settings.EMAIL_BACKEND = "django.core.mail.backends.smtp.EmailBackend"
    settings.EMAIL_HOST, settings.EMAIL_PORT, settings.EMAIL_USE_TLS = "127.0.0.1", port, False
    with caplog.at_level(logging.ERROR, logger="guides.examples.notify"):
        response = act(
            django_capture_on_commit_callbacks,
            csrf_client(people["author"]),
            "/examples/new/",
            form_data(submit_for_review="1"),
        )
    assert response.status_code == 302
    assert LocalExample.objects.get().status == ExampleStatus.SUBMITTED
    assert "Could not send 2 email notification" in caplog.text


def test_a_signed_out_editor_following_the_link_is_offered_sign_in(people):
    example = make_example(people["author"], status=ExampleStatus.SUBMITTED)
    response = csrf_client().get(f"/examples/{example.pk}/")
    assert response.status_code == 404
    html = response.content.decode()
    assert example.title not in html  # nothing about it is shown
    assert f'href="/accounts/login/?next=%2Fexamples%2F{example.pk}%2F"' in html
    # The same page for an address with no example at all: nothing to tell them apart.
    other = csrf_client().get("/examples/999999/").content.decode()
    assert other.replace("999999", str(example.pk)) == html
    # Signed in, the editor sees it.
    editor = csrf_client(people["editor"])
    assert editor.get(f"/examples/{example.pk}/").status_code == 200


def test_sent_messages_are_not_kept(people, smtp_inbox, django_capture_on_commit_callbacks):
    example = make_example(people["author"], status=ExampleStatus.SUBMITTED)
    act(
        django_capture_on_commit_callbacks,
        csrf_client(people["editor"]),
        f"/examples/{example.pk}/publish/",
        {"version": example.version},
    )
    assert len(smtp_inbox.messages) == 1
    assert notify._pending == []
