from django.conf import settings
from django.contrib import admin
from django.contrib.auth import views as auth_views
from django.urls import include, path

admin.site.site_header = "Improvement Leaders' Guides: administration"
admin.site.site_title = "ILG library admin"

urlpatterns = [
    path("admin/", admin.site.urls),
    # Sign in, sign out, password change and reset (templates/registration/).
    # Django's sign-in and sign-out views put the host name in `site_name`: keep ours.
    path(
        "accounts/login/",
        auth_views.LoginView.as_view(extra_context={"site_name": settings.SITE_NAME}),
        name="login",
    ),
    path(
        "accounts/logout/",
        auth_views.LogoutView.as_view(extra_context={"site_name": settings.SITE_NAME}),
        name="logout",
    ),
    path("accounts/", include("django.contrib.auth.urls")),
    path("", include("guides.urls")),
]

handler404 = "guides.views.errors.not_found"
handler500 = "guides.views.errors.server_error"
