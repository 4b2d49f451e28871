"""Form pieces every app's forms share."""

from __future__ import annotations

from django import forms
from django.contrib.auth.forms import AuthenticationForm, PasswordChangeForm, SetPasswordForm

MARKDOWN_HELP = (
    "You can use Markdown: a blank line starts a new paragraph, *italic*, **bold**, "
    "“- ” starts a bullet, [words](https://example.org) makes a link."
)


class Labelled:
    """Labels without Django's trailing colon, as in the rest of the site."""

    def __init__(self, *args, **kwargs) -> None:
        kwargs.setdefault("label_suffix", "")
        super().__init__(*args, **kwargs)


def version_field(required: bool = True) -> forms.IntegerField:
    """The version of the row the user was looking at: a change based on an older
    version is refused, so nobody overwrites someone else's change unseen."""
    return forms.IntegerField(widget=forms.HiddenInput, min_value=1, required=required)


class VersionForm(forms.Form):
    """A change that carries only the version the user was looking at (submit, publish,
    delete, remove)."""

    version = version_field()


class SignInForm(Labelled, AuthenticationForm):
    """Django's sign-in form with labels like every other form's ("Username", no colon)."""


class PasswordChange(Labelled, PasswordChangeForm):
    """Django's password change form, labelled like every other form."""


class NewPassword(Labelled, SetPasswordForm):
    """Django's form for a new password from an emailed link, labelled like the rest."""
