"""Routes of the staff workspace and the citizen pages."""

from django.contrib.auth import views as auth_views
from django.urls import path

app_name = "web"
urlpatterns = [
    # Provisional; the web-base branch brings the real sign-in page.
    path("login/", auth_views.LoginView.as_view(template_name="admin/login.html"), name="login"),
]
