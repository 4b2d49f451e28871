"""Refusing a request: views raise `Refused` (a PermissionDenied) with a sentence that
says what the user may not do and why, and Django's 403 handler
(guides.core.views.permission_denied) shows it, with a link back to what they were
looking at. No view returns a refusal that every caller must test for."""

from __future__ import annotations

from typing import TYPE_CHECKING

from django.core.exceptions import PermissionDenied

if TYPE_CHECKING:
    from django.db.models import Model


class Refused(PermissionDenied):
    def __init__(self, message: str, *, back: Model | None = None, back_label: str = "") -> None:
        super().__init__(message)
        self.message = message
        self.back_url = back.get_absolute_url() if back is not None and back.pk else ""
        self.back_label = back_label
