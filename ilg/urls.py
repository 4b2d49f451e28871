from django.contrib import admin
from django.urls import include, path

admin.site.site_header = "Improvement Leaders' Guides: administration"
admin.site.site_title = "ILG library admin"

urlpatterns = [
    path("admin/", admin.site.urls),
    path("", include("guides.urls")),
]

handler404 = "guides.views.errors.not_found"
handler500 = "guides.views.errors.server_error"
