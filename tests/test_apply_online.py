"""Applying online on a portal channel, and the portal's own steps recorded by the system."""

from __future__ import annotations

import datetime as dt

import pytest
from django.test import Client
from django.urls import reverse

from qyzmet.cases.services import sync_catalog
from qyzmet.core.iin import make_iin
from qyzmet.core.loader import shipped_catalog
from qyzmet.demo import build_directory

pytestmark = pytest.mark.django_db
IIN = make_iin(dt.date(1990, 7, 7), "female", 44)


@pytest.fixture
def mangystau():
    sync_catalog()
    return build_directory([r for r in shipped_catalog().regulations if r.id.startswith("mangystau-2015/")])


def test_the_list_offers_exactly_the_services_with_a_portal_channel(client: Client):
    html = client.get(reverse("web:apply"), HTTP_COOKIE="qyzmet_language=ru").content.decode()
    portal = [r for r in shipped_catalog().regulations if any(x.channel == "portal" for x in r.routes.values())]
    from qyzmet.web.apply import HEALTH_PAGES

    # The appointment, the home call and the attachment need a slot or an organisation: the health pages ask.
    assert portal and all(reverse("web:apply-form", args=[r.id]) in html for r in portal if r.id not in HEALTH_PAGES)
    assert all(reverse(page) in html for page in HEALTH_PAGES.values())
    assert reverse("web:apply-form", args=["aktogay-2013/prosthetic-docs"]) not in html
    assert client.get(reverse("web:apply-form", args=["aktogay-2013/prosthetic-docs"])).status_code == 404


def test_an_online_appointment_reaches_the_registrar_and_is_answered(mangystau, client: Client):
    # The generic form sends an appointment to the health pages, which book a slot (tests/test_health_booking.py).
    redirect = client.get(reverse("web:apply-form", args=["mangystau-2015/doctor-appointment"]))
    assert redirect.status_code == 302 and redirect["Location"] == reverse("health:start")


def test_a_wrong_phone_is_reported_on_its_field(mangystau, client: Client):
    response = client.post(reverse("web:apply-form", args=["mangystau-2015/tb-certificate"]),
                           {"iin": IIN, "name": "Ұлан", "phone": "12"})
    assert response.status_code == 400 and 'href="#id_phone"' in response.content.decode()
