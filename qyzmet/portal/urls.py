"""URLs of qyzmet.portal (included from qyzmet/urls.py under /portal/)."""

from django.urls import path

from qyzmet.portal import legacy_views, planning_views, stay_views, stop_views, views

app_name = "portal"
urlpatterns: list = [
    path("cabinet/", views.cabinet, name="cabinet"),
    path("cabinet/sign-out/", views.cabinet_sign_out, name="cabinet-sign-out"),
    path("cabinet/entries/<int:pk>/", views.cabinet_entry, name="cabinet-entry"),
    path("cabinet/entries/<int:pk>/contract/", views.cabinet_contract, name="cabinet-contract"),
    path("cabinet/entries/<int:pk>/order/", views.cabinet_order, name="cabinet-order"),
    path("cabinet/entries/<int:pk>/reactivate/", views.cabinet_reactivate, name="cabinet-reactivate"),
    path("cabinet/orders/<int:pk>/cancel/", views.cabinet_cancel, name="cabinet-cancel"),
    path("cabinet/orders/<int:pk>/bed-notice/", stay_views.cabinet_notice, name="cabinet-bed-notice"),
    path("cabinet/entries/<int:pk>/confirm-legacy/", legacy_views.cabinet_confirm, name="cabinet-confirm-legacy"),
    path("supplier/", views.supplier_home, name="supplier"),
    path("supplier/orders/<int:pk>/", views.supplier_order, name="supplier-order"),
    path("supplier/orders/<int:pk>/review/", views.supplier_review, name="supplier-review"),
    path("supplier/orders/<int:pk>/cancel/", views.supplier_cancel, name="supplier-cancel"),
    path("supplier/orders/<int:pk>/record/", views.supplier_record, name="supplier-record"),
    path("supplier/orders/<int:pk>/manufacture/", views.supplier_manufacture, name="supplier-manufacture"),
    path("supplier/orders/<int:pk>/bed-notice/", stay_views.supplier_notice, name="supplier-bed-notice"),
    path("queue/", views.staff_queue, name="queue"),
    path("plans/", planning_views.staff_plans, name="plans"),
    path("queue/legacy/", legacy_views.staff_mark, name="queue-legacy"),
    path("orders/<int:pk>/", stop_views.staff_order, name="staff-order"),
    path("suppliers/", views.staff_suppliers, name="suppliers"),
    path("suppliers/new/", views.staff_supplier_edit, name="supplier-new"),
    path("suppliers/<int:pk>/", views.staff_supplier_edit, name="supplier-edit"),
]
