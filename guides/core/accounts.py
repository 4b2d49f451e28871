"""Accounts: the account page (name, email address, email notifications), and how
django-axes tells one client from another.

Sign-in, sign-out, password change and reset are Django's own views
(django.contrib.auth.urls, under /accounts/) with the templates in
templates/registration/.
"""

from __future__ import annotations

from django import forms
from django.conf import settings
from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.contrib.auth.models import User
from django.db import transaction
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.views.decorators.http import require_http_methods

from guides.core.forms import Labelled
from guides.core.models import AccountSettings
from guides.core.roles import ROLE_NAMES


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


class AccountForm(Labelled, forms.ModelForm):
    email_notifications = forms.BooleanField(
        required=False,
        label=AccountSettings._meta.get_field("email_notifications").verbose_name,
        help_text=AccountSettings._meta.get_field("email_notifications").help_text,
    )

    class Meta:
        model = User
        fields = ["first_name", "last_name", "email"]
        labels = {"first_name": "First name", "last_name": "Last name", "email": "Email address"}
        help_texts = {"email": "Where the library sends your notifications."}


@login_required
@require_http_methods(["GET", "POST"])
def account(request: HttpRequest) -> HttpResponse:
    """Your account: who you are to the library and whether it emails you."""
    user = request.user
    wants = AccountSettings.wants_email(user)
    if request.method == "POST":
        form = AccountForm(request.POST, instance=user)
        if form.is_valid():
            with transaction.atomic():
                form.save()
                AccountSettings.objects.update_or_create(
                    user=user,
                    defaults={"email_notifications": form.cleaned_data["email_notifications"]},
                )
            messages.success(request, "Your account settings have been saved.")
            return redirect("core:account")
    else:
        form = AccountForm(instance=user, initial={"email_notifications": wants})
    roles = [name for name in ROLE_NAMES if name in {g.name for g in user.groups.all()}]
    return render(request, "registration/account.html", {"form": form, "roles": roles})
