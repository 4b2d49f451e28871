"""Email about local examples: editors hear of a new submission; the author hears when
their example is returned (with the editor's comment) or published. Each email links to
the example's page, and anyone can turn them off on their account page.

Sending never blocks or breaks the request: the messages are made in the request (from
the database as it is now), handed over once the change is committed, and sent by one
background thread through Django's email backend (SMTP from the EMAIL_* settings). A
server that refuses or is away is logged; the change the user made stands.
"""

from __future__ import annotations

import logging
from concurrent.futures import Future, ThreadPoolExecutor, wait
from typing import TYPE_CHECKING

from django.conf import settings
from django.contrib.auth.models import Permission, User
from django.core.mail import EmailMessage, get_connection
from django.db import transaction
from django.db.models import Q
from django.template.loader import render_to_string
from django.urls import reverse

from guides.core.site import absolute_url

if TYPE_CHECKING:
    from django.http import HttpRequest

    from guides.examples.models import LocalExample

logger = logging.getLogger(__name__)
_sender = ThreadPoolExecutor(max_workers=1, thread_name_prefix="example-email")
_pending: list[Future] = []


def _wanting_email(users: object) -> list[User]:
    """Active users with an address who have not turned notifications off."""
    return list(
        users.filter(is_active=True)
        .exclude(email="")
        .exclude(account_settings__email_notifications=False)
        .distinct()
        .order_by("pk")
    )


def editors() -> list[User]:
    """Everyone who may publish examples and wants to hear about them."""
    perm = Permission.objects.filter(
        content_type__app_label="examples", codename="review_localexample"
    ).first()
    return _wanting_email(
        User.objects.filter(
            Q(is_superuser=True) | Q(groups__permissions=perm) | Q(user_permissions=perm)
        )
    )


def _message(template: str, subject: str, person: User, context: dict) -> EmailMessage:
    """One message per person, so nobody sees the others' addresses."""
    body = render_to_string(f"examples/email/{template}.txt", {**context, "person": person})
    return EmailMessage(
        subject=" ".join(f"{subject} · {settings.SITE_NAME}".split())[:200],
        body=body,
        from_email=settings.DEFAULT_FROM_EMAIL,
        to=[person.email],
    )


def _send_later(messages: list[EmailMessage]) -> None:
    if messages:
        transaction.on_commit(lambda: _hand_over(messages))


def _hand_over(messages: list[EmailMessage]) -> None:
    try:
        future = _sender.submit(_deliver, messages)
    except RuntimeError:  # the process is shutting down
        logger.error("Could not send %d email notification(s): shutting down", len(messages))
        return
    _pending.append(future)
    future.add_done_callback(_forget)


def _forget(future: Future) -> None:
    try:
        _pending.remove(future)
    except ValueError:
        pass


def _deliver(messages: list[EmailMessage]) -> int:
    try:
        connection = get_connection(fail_silently=False)
        return connection.send_messages(messages) or 0
    except Exception:
        logger.exception(
            "Could not send %d email notification(s) about local examples (to %s)",
            len(messages),
            ", ".join(m.to[0] for m in messages),
        )
        return 0


def flush(timeout: float = 30) -> None:
    """Wait for the email handed over so far (for tests and management commands)."""
    done, _ = wait(list(_pending), timeout=timeout)
    for future in done:
        _forget(future)


def _author(example: LocalExample, actor: User) -> list[User]:
    if example.author is None or example.author_id == actor.pk:
        return []
    return _wanting_email(User.objects.filter(pk=example.author_id))


def _safely(make: object) -> None:
    """Making the messages must not break the action either."""
    try:
        make()
    except Exception:
        logger.exception("Could not prepare email notifications about a local example")


def submitted(request: HttpRequest, example: LocalExample) -> None:
    def make() -> None:
        url = absolute_url(example.get_absolute_url())
        queue = absolute_url(reverse("examples:review"))
        people = [u for u in editors() if u.pk != request.user.pk]
        _send_later(
            [
                _message(
                    "submitted",
                    f"To review: “{example.title}”",
                    person,
                    {
                        "example": example,
                        "url": url,
                        "queue_url": queue,
                        "account_url": absolute_url(reverse("core:account")),
                    },
                )  # fmt: skip
                for person in people
            ]
        )

    _safely(make)


def _to_author(request: HttpRequest, example: LocalExample, template: str, subject: str) -> None:
    def make() -> None:
        people = _author(example, request.user)
        path = (
            reverse("examples:edit", args=[example.pk])
            if template == "returned"
            else example.get_absolute_url()
        )
        context = {
            "example": example,
            "url": absolute_url(example.get_absolute_url()),
            "edit_url": absolute_url(path),
            "comment": example.editor_comment,
            "account_url": absolute_url(reverse("core:account")),
        }
        _send_later([_message(template, subject, person, context) for person in people])

    _safely(make)


def returned(request: HttpRequest, example: LocalExample) -> None:
    _to_author(request, example, "returned", f"Returned with a comment: “{example.title}”")


def published(request: HttpRequest, example: LocalExample) -> None:
    _to_author(request, example, "published", f"Published: “{example.title}”")
