from django.urls import path

from guides.core import accounts, views

app_name = "core"

urlpatterns = [
    path("healthz", views.healthz, name="healthz"),
    path("healthz/live", views.live, name="live"),
    path("accounts/profile/", accounts.account, name="account"),
]
