from django.conf import settings
from django.contrib import admin
from django.contrib.auth import views as auth_views
from django.urls import include, path

from guides.core import accounts
from guides.core.forms import NewPassword, PasswordChange

admin.site.site_header = "Improvement Leaders' Guides: administration"
admin.site.site_title = "ILG library admin"

urlpatterns = [
    path("admin/", admin.site.urls),
    # Sign in, sign out, password change and reset (templates/registration/).
    # Django's sign-in and sign-out views put the host name in `site_name`: keep ours.
    # With "This is a shared computer" (guides/core/accounts.py).
    path("accounts/login/", accounts.sign_in, name="login"),
    path(
        "accounts/logout/",
        auth_views.LogoutView.as_view(extra_context={"site_name": settings.SITE_NAME}),
        name="logout",
    ),
    # Throttled, with the emailed link built from SITE_URL (guides/core/accounts.py).
    path("accounts/password_reset/", accounts.password_reset, name="password_reset"),
    # Labelled like every other form (no "Email:" or "Old password:").
    path(
        "accounts/password_change/",
        auth_views.PasswordChangeView.as_view(
            form_class=PasswordChange, extra_context={"site_name": settings.SITE_NAME}
        ),
        name="password_change",
    ),
    path(
        "accounts/reset/<uidb64>/<token>/",
        auth_views.PasswordResetConfirmView.as_view(
            form_class=NewPassword, extra_context={"site_name": settings.SITE_NAME}
        ),
        name="password_reset_confirm",
    ),
    path("accounts/", include("django.contrib.auth.urls")),
    # One include per feature app; every public address is as it was before the split
    # (printed handouts and bookmarks carry them: tests/test_urls.py walks the list).
    path("", include("guides.core.urls")),
    path("", include("guides.library.urls")),
    path("", include("guides.search.urls")),
    path("", include("guides.examples.urls")),
    path("", include("guides.training.urls")),
    path("", include("guides.measurement.urls")),
]

handler403 = "guides.core.views.permission_denied"
handler404 = "guides.core.views.not_found"
handler500 = "guides.core.views.server_error"
