"""Small things people notice in their first ten minutes: form labels, first choices,
and the site's own error summary instead of the browser's."""

import re
from html import unescape

import pytest

from tests.factories import csrf_client, make_example, make_user, post

pytestmark = pytest.mark.django_db


def test_the_sign_in_labels_match_the_other_forms():
    html = csrf_client().get("/accounts/login/").content.decode()
    assert '<label for="id_username">Username</label>' in html
    assert '<label for="id_password">Password</label>' in html
    assert "Username:" not in html


def test_type_of_organisation_has_a_real_first_choice():
    client = csrf_client(make_user("fac", "facilitator"))
    html = client.get("/examples/new/").content.decode()
    select = html[html.index('name="organisation_type"') :]
    first = select[select.index("<option") : select.index("</option>")]
    assert 'value=""' in first and "Not given (optional)" in first
    assert "---------" not in select[: select.index("</select>")]


def test_an_empty_return_comment_is_caught_by_the_sites_error_summary():
    editor = make_user("ed", "editor")
    example = make_example(make_user("fac", "facilitator"), status="submitted")
    client = csrf_client(editor)
    page = client.get(f"/examples/{example.pk}/").content.decode()
    form = page[page.index(f'action="/examples/{example.pk}/return/"') :]
    assert form[: form.index(">")].endswith("novalidate")  # no browser bubble first
    response = post(
        client,
        f"/examples/{example.pk}/return/",
        {"return-comment": "", "return-version": example.version},
    )
    html = response.content.decode()
    assert "There is a problem" in html
    assert "nhsuk-error-summary" in html and 'href="#id_return-comment"' in html


def visible_text(html: str) -> str:
    html = re.sub(r"<(script|style)[^>]*>.*?</\1>", "", html, flags=re.S)
    return re.sub(r"\s+", " ", unescape(re.sub(r"<[^>]+>", "", html)))


def test_no_stray_space_before_a_full_stop_or_colon():
    from guides.training.models import Module

    author = make_user("fac", "facilitator", first_name="Fiona", last_name="Reid")
    trainer = make_user("tr", "trainer")
    module = Module.objects.create(owner=trainer, title="Flow")
    draft = make_example(author)
    pages = [
        (author, f"/examples/{draft.pk}/"),
        (author, "/examples/mine/"),
        (trainer, "/modules/"),
        (trainer, f"/modules/{module.pk}/"),
        (None, "/"),
        (None, "/guides/process-mapping/"),
    ]
    for user, path in pages:
        text = visible_text(csrf_client(user).get(path).content.decode())
        assert not re.search(r"\w [.:](\s|$)", text), (path, re.findall(r".{30}\w [.:]", text))
    text = visible_text(csrf_client(author).get(f"/examples/{draft.pk}/").content.decode())
    assert "Status: Draft." in text and re.search(r"Written by\s*Fiona Reid", text)
