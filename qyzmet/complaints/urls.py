"""URLs of qyzmet.complaints (included from qyzmet/urls.py at the root): the staff pages under /staff/complaints/,
the applicant's under /my-application/complaints/."""

from django.urls import path

from qyzmet.complaints import views

app_name = "complaints"
urlpatterns = [
    path("staff/complaints/", views.complaint_list, name="list"),
    path("staff/complaints/<int:pk>/", views.complaint_detail, name="detail"),
    path("staff/complaints/<int:pk>/answer/", views.complaint_answer, name="answer"),
    path("staff/complaints/<int:pk>/escalate/", views.complaint_escalate, name="escalate"),
    path("staff/complaints/<int:pk>/close/", views.complaint_close, name="close"),
    path("staff/complaints/<int:pk>/papers/<int:document_id>.pdf", views.complaint_paper, name="paper"),
    path("staff/complaints/cases/<int:case_id>/new/", views.complaint_new, name="new"),
    path("my-application/complaints/<int:case_id>/", views.citizen_file, name="citizen"),
    path("my-application/complaints/escalate/<int:pk>/", views.citizen_escalate, name="citizen-escalate"),
    path("my-application/complaints/close/<int:pk>/", views.citizen_close, name="citizen-close"),
]
