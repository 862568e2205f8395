"""URLs of qyzmet.payments (included from qyzmet/urls.py under /portal/, beside the Portal's own)."""

from django.urls import path

from qyzmet.payments import views

app_name = "payments"
urlpatterns: list = [
    path("supplier/orders/<int:pk>/journal/", views.supplier_journal, name="supplier-journal"),
    path("supplier/orders/<int:pk>/acts/", views.supplier_form_act, name="supplier-form-act"),
    path("supplier/orders/<int:pk>/stay-act/", views.supplier_form_stay_act, name="supplier-form-stay-act"),
    path("supplier/acts/", views.supplier_acts, name="supplier-acts"),
    path("supplier/acts/<int:pk>/", views.supplier_act, name="supplier-act"),
    path("supplier/acts/<int:pk>/pdf/", views.supplier_act_pdf, name="supplier-act-pdf"),
    path("supplier/acts/<int:pk>/sign/", views.supplier_sign, name="supplier-sign"),
    path("cabinet/acts/", views.cabinet_acts, name="cabinet-acts"),
    path("cabinet/acts/<int:pk>/", views.cabinet_act, name="cabinet-act"),
    path("cabinet/acts/<int:pk>/pdf/", views.cabinet_act_pdf, name="cabinet-act-pdf"),
    path("cabinet/acts/<int:pk>/sign/", views.cabinet_sign, name="cabinet-sign"),
    path("acts/", views.staff_acts, name="acts"),
    path("acts/<int:pk>/", views.staff_act, name="staff-act"),
    path("acts/<int:pk>/pdf/", views.staff_act_pdf, name="staff-act-pdf"),
    path("acts/<int:pk>/pay/", views.staff_pay, name="staff-pay"),
]
