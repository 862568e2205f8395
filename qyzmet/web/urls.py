"""Routes of the citizen pages and the sign-in; the staff workspace is in staff_urls (under /staff/)."""

from django.urls import path
from django.views.generic import RedirectView

from qyzmet.documents import views as documents
from qyzmet.web import apply, views

app_name = "web"
urlpatterns = [
    path("", views.home, name="home"),
    path("my-application", views.my_application, name="my-application"),
    path("my-application/documents/<int:pk>.pdf", documents.citizen_document, name="document"),
    path("verify/<str:code>", documents.verify, name="verify"),
    path("apply", apply.services, name="apply"),
    path("apply/<path:reg_id>", apply.apply, name="apply-form"),
    path("login", views.LoginView.as_view(), name="login"),
    path("logout", views.LogoutView.as_view(), name="logout"),
    # The first sign-in page pointed here; the workspace's inbox lives under /staff/.
    path("inbox", RedirectView.as_view(pattern_name="staff:inbox"), name="inbox"),
]
