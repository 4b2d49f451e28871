"""Deployment checks of our own, run by `manage.py check --deploy`."""

from __future__ import annotations

from typing import Any

from django.conf import settings
from django.core.checks import Error, register


@register(deploy=True)
def proxies_are_declared(app_configs: Any = None, **kwargs) -> list[Error]:
    """Behind a TLS-terminating proxy (HTTPS=true), every request arrives from the
    proxy's address unless NUM_PROXIES says how many proxies to look past: the sign-in
    limit would then count every client as one, and lock everyone out together."""
    if getattr(settings, "HTTPS", False) and not getattr(settings, "NUM_PROXIES_SET", True):
        return [
            Error(
                "NUM_PROXIES is not set, and HTTPS=true means the site is behind a proxy.",
                hint="Set NUM_PROXIES to the number of proxies in front of the app (1 for "
                "one nginx or load balancer), or NUM_PROXIES=0 if clients connect directly.",
                id="ilg.E001",
            )
        ]
    return []
