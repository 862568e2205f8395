"""The SMS gateway's callbacks, under /notify/."""

from django.urls import path

from qyzmet.notify import views

app_name = "notify"
urlpatterns = [
    path("sms/delivery", views.delivery, name="delivery"),
    path("sms/inbound", views.inbound, name="inbound"),
]
