"""URLs of qyzmet.hall (included from qyzmet/urls.py under /staff/hall/)."""

from django.urls import path

from qyzmet.hall import views

app_name = "hall"
urlpatterns = [
    path("", views.hall, name="hall"),
    path("call/", views.call_next, name="call"),
    path("issue/", views.issue, name="issue"),
    path("visits/<int:pk>/start/", views.visit_action, {"action": "start"}, name="start"),
    path("visits/<int:pk>/recall/", views.visit_action, {"action": "recall"}, name="recall"),
    path("visits/<int:pk>/finish/", views.visit_action, {"action": "finish"}, name="finish"),
    path("kiosk/", views.kiosk, name="kiosk"),
    path("board/", views.board, name="board"),
]
