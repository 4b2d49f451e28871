"""Accounts: how django-axes tells one client from another.

Sign-in, sign-out, password change and reset are Django's own views
(django.contrib.auth.urls, under /accounts/) with the templates in
templates/registration/.
"""

from __future__ import annotations

from django.conf import settings
from django.http import HttpRequest


def client_ip(request: HttpRequest) -> str | None:
    """The client's address for counting failed sign-ins.

    Behind NUM_PROXIES trusted proxies, each of which appends the address it received
    the request from to X-Forwarded-For, the client is that many entries from the right.
    Entries further left were written by the client and could be anything, so they are
    never used; with no proxies the header is ignored altogether.
    """
    proxies = settings.NUM_PROXIES
    if proxies > 0:
        forwarded = [a.strip() for a in request.META.get("HTTP_X_FORWARDED_FOR", "").split(",")]
        forwarded = [a for a in forwarded if a]
        if len(forwarded) >= proxies:
            return forwarded[-proxies][:45]
    return request.META.get("REMOTE_ADDR")
