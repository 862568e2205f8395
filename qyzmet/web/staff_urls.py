"""Routes of the staff workspace, under /staff/."""

from django.urls import path

from qyzmet.documents import views as documents
from qyzmet.web import staff, staff_suspension

app_name = "staff"
urlpatterns = [
    path("", staff.inbox, name="inbox"),
    path("cases/", staff.case_list, name="cases"),
    path("cases/<int:pk>/", staff.case_detail, name="case"),
    path("cases/<int:pk>/receipt/", staff.receipt, name="receipt"),
    path("documents/<int:pk>.pdf", documents.staff_document, name="document"),
    path("cases/<int:pk>/store-result/", staff.result_store, name="store-result"),
    path("cases/<int:pk>/request-result/", staff.result_request, name="request-result"),
    path("cases/<int:pk>/suspend/", staff_suspension.suspend, name="suspend"),
    path("cases/<int:pk>/resume/", staff_suspension.resume, name="resume"),
    path("tasks/<int:pk>/claim/", staff.task_claim, name="claim"),
    path("tasks/<int:pk>/complete/", staff.task_complete, name="complete"),
    path("tasks/<int:pk>/refuse-acceptance/", staff.task_refuse, name="refuse"),
    path("intake/", staff.intake_choose, name="intake"),
    path("intake/<path:reg_id>/checklist/", staff.intake_checklist, name="intake-checklist"),
    path("intake/<path:reg_id>/iin/", staff.intake_iin, name="intake-iin"),
    path("intake/<path:reg_id>/", staff.intake_form, name="intake-form"),
    path("sms/", staff.sms_journal, name="sms"),
    path("registries/", staff.registry_list, name="registries"),
    path("registries/dispatch/", staff.registry_dispatch, name="dispatch"),
    path("registries/<int:pk>/", staff.registry_detail, name="registry"),
    path("registries/items/<int:pk>/acknowledge/", staff.item_acknowledge, name="acknowledge"),
    path("registries/items/<int:pk>/return/", staff.item_return, name="return"),
]
