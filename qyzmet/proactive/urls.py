"""URLs of qyzmet.proactive (included from qyzmet/urls.py under /proactive/)."""

from django.urls import path

from qyzmet.proactive import views

app_name = "proactive"
urlpatterns: list = [
    path("answer/", views.answer, name="answer"),
    path("staff/", views.staff_list, name="staff"),
    path("staff/ipr/", views.staff_receive, name="receive"),
    path("staff/ipr/<int:pk>/send/", views.staff_send, name="send"),
]
