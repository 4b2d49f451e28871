"""Site-wide state shared by every app server, and the pieces of models that several
apps share."""

from __future__ import annotations

from collections.abc import Callable

from django.conf import settings
from django.db import models, transaction
from django.utils import timezone

# The longest Markdown text staff may write in one field (examples, module notes).
MAX_TEXT_LENGTH = 10_000


class SiteVersion(models.Model):
    """One row whose token changes whenever anything a visitor can see changes (a content
    load, a local example, a module). The anonymous page cache (guides/core/caching.py)
    keys its pages on it, so every app server sees a change at once."""

    token = models.CharField(max_length=32)

    def __str__(self) -> str:
        return self.token


class VersionedModel(models.Model):
    """Optimistic locking for what staff edit in the site (local examples, modules).

    Every change moves `version` on by one, and a change based on an older version is
    refused: the form carries the version the user was looking at, `claim()` moves the
    stored row from that version to the next one or reports that someone else got there
    first, and nothing is overwritten unseen."""

    version = models.PositiveIntegerField(default=1)
    created_at = models.DateTimeField(default=timezone.now, editable=False)
    updated_at = models.DateTimeField(default=timezone.now, editable=False)

    class Meta:
        abstract = True

    def claim(self, version: int) -> bool:
        """Move the stored row from `version` to the next one, or return False when it
        has moved on since (someone else saved it). Call inside transaction.atomic() and
        make the change in the same transaction."""
        moved = (
            type(self)
            .objects.filter(pk=self.pk, version=version)
            .update(version=version + 1, updated_at=timezone.now())
        )
        if moved:
            self.version = version + 1
        return bool(moved)

    def touch(self) -> None:
        """Move the version on without a check: for changes that cannot overwrite
        anything, such as adding an item at the end from a guide page."""
        type(self).objects.filter(pk=self.pk).update(
            version=models.F("version") + 1, updated_at=timezone.now()
        )
        self.refresh_from_db(fields=["version", "updated_at"])

    def change_if_current(self, version: int, change: Callable[[], object]) -> bool:
        """Claim `version` and make `change()` in one transaction; False (and nothing
        done) when the row has moved on since the user's copy."""
        with transaction.atomic():
            if not self.claim(version):
                return False
            change()
        return True


class AccountSettings(models.Model):
    """What a member of staff has chosen on their account page (/accounts/profile/). No
    row means the defaults."""

    user = models.OneToOneField(
        settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="account_settings"
    )
    email_notifications = models.BooleanField(
        "Email me about local examples",
        default=True,
        help_text="Editors: when an example is sent for review. Authors: when yours is "
        "returned with a comment or published.",
    )

    class Meta:
        verbose_name_plural = "account settings"

    def __str__(self) -> str:
        return f"Settings of {self.user}"

    @staticmethod
    def wants_email(user: object) -> bool:
        try:
            return user.account_settings.email_notifications
        except AccountSettings.DoesNotExist:
            return True
