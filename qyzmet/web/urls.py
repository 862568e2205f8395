"""Routes of the staff workspace and the citizen pages."""

from django.urls import path

from qyzmet.web import views

app_name = "web"
urlpatterns = [
    path("", views.home, name="home"),
    path("my-application", views.my_application, name="my-application"),
    path("login", views.LoginView.as_view(), name="login"),
    path("logout", views.LogoutView.as_view(), name="logout"),
    path("inbox", views.inbox, name="inbox"),
]
