"""URLs of qyzmet.health, included at the root from qyzmet/urls.py: the registry under /staff/health/, the
citizen's pages under /health/."""

from django.urls import path

from qyzmet.health import attachment_views, public, steps_views, views

app_name = "health"
urlpatterns = [
    # The registry (medical registrar of the office).
    path("staff/health/", views.registry, name="registry"),
    path("staff/health/slots/<int:pk>/book/", views.book, name="book"),
    path("staff/health/bookings/<int:pk>/<slug:action>/", views.act, name="act"),
    path("staff/health/home-calls/new/", views.home_call, name="home-call"),
    path("staff/health/home-calls/<int:pk>/assign/", views.home_call, name="assign"),
    path("staff/health/doctors/", views.doctors, name="doctors"),
    path("staff/health/doctors/<int:pk>/template/", views.template, name="template"),
    path("staff/health/doctors/<int:pk>/day/", views.doctor_day, name="doctor-day"),
    # The PHC organisation's register of attached population and its attachment requests (annex 3).
    path("staff/health/attachment/", attachment_views.register, name="attachment-register"),
    path("staff/health/attachment/<int:pk>/process/", attachment_views.process, name="attachment-process"),
    # The step-by-step check against the acts' step norms.
    path("staff/health/steps/", steps_views.steps, name="steps"),
    # The citizen (the acts' portal route).
    path("health/", public.start, name="start"),
    path("health/my/", public.lookup, name="lookup"),
    path("health/my/<int:pk>/", public.mine, name="mine"),
    path("health/my/<int:pk>/cancel/", public.cancel, name="cancel"),
    path("health/doctors/<int:pk>/", public.doctor_slots, name="slots"),
    path("health/slots/<int:pk>/book/", public.book, name="public-book"),
    path("health/polyclinics/<slug:code>/", public.office_doctors, name="office"),
    path("health/polyclinics/<slug:code>/home-call/", public.home_call, name="public-home-call"),
    path("health/attachment/", attachment_views.request_attachment, name="attachment"),
    path("health/attachment/my/", attachment_views.lookup, name="attachment-lookup"),
    path("health/attachment/my/<int:pk>/", attachment_views.mine, name="attachment-mine"),
]
