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


# Password reset ---------------------------------------------------------------------
# Django's own view and form, with three changes: the emailed link is built from
# SITE_URL (never the Host header a client sent); accounts made without a password
# (`create_user --no-password`) get the email too, which is how they set their first
# one; and requests are throttled per address and per account.

RESET_WINDOW = 60 * 60  # seconds
RESETS_PER_ADDRESS = 5  # requests from one address in the window
RESETS_PER_ACCOUNT = 3  # emails to one account in the window


def _count(key: str) -> int:
    """Add one to a counter kept for RESET_WINDOW seconds; return the new count."""
    from django.core.cache import cache

    if cache.add(key, 1, RESET_WINDOW):
        return 1
    try:
        return cache.incr(key)
    except ValueError:  # expired between the two calls
        cache.set(key, 1, RESET_WINDOW)
        return 1


def _reset_form() -> type:
    from urllib.parse import urlsplit

    from django.contrib.auth import get_user_model
    from django.contrib.auth.forms import PasswordResetForm

    from guides.core.forms import Labelled

    class ResetForm(Labelled, PasswordResetForm):
        def __init__(self, *args, **kwargs) -> None:
            super().__init__(*args, **kwargs)
            self.fields["email"].label = "Email address"

        def get_users(self, email: str):  # noqa: ANN202 (a generator of users)
            users = get_user_model()._default_manager.filter(email__iexact=email, is_active=True)
            for user in users:
                # Unusable passwords included: a new account sets its first one here.
                if user.email.casefold() == email.casefold():
                    if _count(f"reset:account:{user.pk}") <= RESETS_PER_ACCOUNT:
                        yield user

        def save(self, *args, **kwargs) -> None:
            site = urlsplit(settings.SITE_URL)
            kwargs["domain_override"] = site.netloc
            kwargs["use_https"] = site.scheme == "https"
            super().save(*args, **kwargs)

    return ResetForm


def password_reset(request: HttpRequest):  # noqa: ANN201 (a view)
    """/accounts/password_reset/: Django's view, throttled, with links from SITE_URL."""
    from django.contrib.auth import views as auth_views
    from django.shortcuts import render

    if request.method == "POST":
        address = client_ip(request) or "unknown"
        if _count(f"reset:address:{address}") > RESETS_PER_ADDRESS:
            response = render(
                request,
                "registration/password_reset_form.html",
                {
                    # The address typed is kept in the form.
                    "form": _reset_form()(initial={"email": request.POST.get("email", "")[:254]}),
                    "extra_error": (
                        "Too many requests for a new password have come from this address "
                        "in the last hour. Try again in an hour, or ask an administrator "
                        "of the library to help."
                    ),
                    "site_name": settings.SITE_NAME,
                },
                status=429,
            )
            response["Retry-After"] = str(RESET_WINDOW)
            return response
    view = auth_views.PasswordResetView.as_view(
        form_class=_reset_form(), extra_context={"site_name": settings.SITE_NAME}
    )
    return view(request)


# Sessions on shared ward computers ----------------------------------------------------
# A session ends after SESSION_IDLE_MINUTES without a request (the session's expiry moves
# on with use: SESSION_COOKIE_AGE is the idle time, and `touch_session` saves the session
# at most once a minute so that its expiry follows activity); "This is a shared
# computer" at sign-in ends it when the browser closes, too.

TOUCH_EVERY = 60  # seconds


def touch_session(get_response):  # noqa: ANN001, ANN201 (a middleware factory)
    import time

    def middleware(request: HttpRequest):  # noqa: ANN202
        response = get_response(request)
        session = getattr(request, "session", None)
        user = getattr(request, "user", None)
        if session is not None and user is not None and user.is_authenticated:
            now = int(time.time())
            if now - session.get("seen", 0) >= TOUCH_EVERY:
                session["seen"] = now  # modified: saved, with a new expiry
        return response

    return middleware


def sign_in(request: HttpRequest):  # noqa: ANN201 (a view)
    """/accounts/login/: Django's view, with the "shared computer" choice."""
    from django.contrib.auth import views as auth_views

    from guides.core.forms import SignInForm

    class SignIn(auth_views.LoginView):
        authentication_form = SignInForm  # labels as on every other form
        extra_context = {"site_name": settings.SITE_NAME}

        def form_valid(self, form):  # noqa: ANN001, ANN202
            response = super().form_valid(form)
            if self.request.POST.get("shared_computer"):
                self.request.session.set_expiry(0)  # ends when the browser closes
                self.request.session["shared_computer"] = True
            return response

    return SignIn.as_view()(request)


def seen_at_sign_in(sender: type, request: HttpRequest, user: object, **kwargs) -> None:
    """Connected to user_logged_in: the session starts as just used."""
    import time

    if getattr(request, "session", None) is not None:
        request.session["seen"] = int(time.time())
