from django.urls import path

from guides.search import views

app_name = "search"

urlpatterns = [
    path("search/", views.search, name="search"),
    path("api/search/", views.api_search, name="api"),
]
