"""The acts' "not less than 2 times a day" for registries sent from the PSC (Almaty 2012, annex 4,
table 1, row 3): the accumulation sector sees today's count against it on the registries page."""

from __future__ import annotations

import datetime as dt

import pytest
from django.test import Client
from django.urls import reverse

from qyzmet.cases import workflow
from qyzmet.cases.models import Registry
from qyzmet.cases.services import sync_catalog
from qyzmet.core.loader import shipped_catalog
from qyzmet.demo import DEMO_PASSWORD, build_directory

pytestmark = pytest.mark.django_db

PSC = "almaty-2012-psc"
DEPT = "almaty-2012-provider"


@pytest.fixture
def offices(clock):
    sync_catalog()
    acts = ("almaty-2012/", "aktogay-2013/")
    return build_directory([r for r in shipped_catalog().regulations if r.id.startswith(acts)]).offices


def login(username: str, lang: str = "en") -> Client:
    client = Client()
    assert client.login(username=username, password=DEMO_PASSWORD)
    client.cookies["qyzmet_language"] = lang
    return client


def send(offices, at: dt.datetime, to: str = "provider") -> None:
    psc, dept = offices[("almaty-2012", "psc")], offices[("almaty-2012", to)]
    workflow.new_registry(Registry.Direction.TO_PROVIDER, psc.pk, dept.pk, 3, at, None)


def rhythm_line(html: str) -> str:
    start = html.index('id="rhythm"')
    return html[start:html.index("</section>", start)]


def test_the_accumulation_sector_sees_todays_registries_against_twice_a_day(offices, clock):
    page = login(f"{PSC}.psc-accumulation-specialist")
    line = rhythm_line(page.get(reverse("staff:registries")).content.decode())
    assert "0 sent today; the act asks for at least 2 a day." in line and "not yet" in line
    assert "annex 4, table 1" in line and "cl. 10.2" in line  # the clause of the rule

    send(offices, clock.at - dt.timedelta(days=1))  # yesterday's does not count
    send(offices, clock.at - dt.timedelta(hours=1))
    line = rhythm_line(page.get(reverse("staff:registries")).content.decode())
    assert "1 sent today" in line and "not yet" in line

    send(offices, clock.at)
    line = rhythm_line(page.get(reverse("staff:registries")).content.decode())
    assert "2 sent today" in line and "done for today" in line and "not yet" not in line


def test_the_count_is_in_the_page_language(offices):
    html = login(f"{PSC}.psc-accumulation-specialist", "kk").get(reverse("staff:registries")).content.decode()
    assert "бүгін 0 жіберілді; регламент күніне кемінде 2 рет" in rhythm_line(html)


@pytest.mark.parametrize("username", [
    f"{PSC}.psc-hall-inspector",  # works at the PSC but does not send registries
    f"{DEPT}.specialist",  # receives them
    "aktogay-2013-psc.psc-accumulation-specialist",  # sends registries, but its act sets no daily rhythm
])
def test_only_those_who_send_under_the_rule_see_it(offices, username):
    html = login(username).get(reverse("staff:registries")).content.decode()
    assert 'id="rhythm"' not in html
