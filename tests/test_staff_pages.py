"""The staff workspace over HTTP: one case carried by each role in turn, and what each role may not do."""

from __future__ import annotations

import datetime as dt
import re

import pytest
from django.test import Client
from django.urls import reverse

from qyzmet.cases.models import Case, Registry, RegistryItem, Task
from qyzmet.cases.services import sync_catalog
from qyzmet.core.iin import make_iin
from qyzmet.core.loader import shipped_catalog
from qyzmet.demo import DEMO_PASSWORD, build_directory

pytestmark = pytest.mark.django_db

REG = "aktogay-2013/prosthetic-docs"
PSC = "aktogay-2013-psc"
DEPT = "aktogay-2013-provider"
IIN = make_iin(dt.date(1968, 2, 11), "male", 301)


@pytest.fixture
def directory():
    sync_catalog()
    acts = ("aktogay-2013/", "ulytau-2012/")
    return build_directory([r for r in shipped_catalog().regulations if r.id.startswith(acts)])


def login(role: str, office: str = PSC) -> Client:
    client = Client()
    assert client.login(username=f"{office}.{role}", password=DEMO_PASSWORD)
    return client


def open_task(case: Case) -> Task:
    return Task.objects.get(case=case, closed_at__isnull=True)


def complete(client: Client, case: Case, **data) -> object:
    return client.post(reverse("staff:complete", args=[open_task(case).pk]), data)


def registered(consultant: Client) -> Case:
    """An application with its full checklist, registered at the PSC counter."""
    consultant.post(reverse("staff:intake-form", args=[REG]), {
        "iin": IIN, "name": "Сәуле Ілиясова", "category": "general-disease",
        "documents": ["application", "id-copy", "irp-extract"]})
    return Case.objects.get()


def sent_to_department() -> Case:
    """An application registered, accepted and sent to the department with a registry (not yet taken over)."""
    consultant = login("psc-consultant")
    case = registered(consultant)
    complete(consultant, case)
    complete(login("psc-hall-inspector"), case)
    login("psc-accumulation-specialist").post(reverse("staff:dispatch"), {"tasks": [open_task(case).pk]})
    return case


def test_one_case_through_the_psc_route_page_by_page(directory):
    consultant = login("psc-consultant")
    page = consultant.get(reverse("staff:intake") + "?q=протез")
    assert REG in page.content.decode()
    form = consultant.post(reverse("staff:intake-form", args=[REG]), {
        "iin": IIN, "name": "Нұрлан Қайратұлы", "phone": "87012345678", "category": "general-disease",
        "documents": ["application", "id-copy", "irp-extract"]})
    assert form.status_code == 302
    case = Case.objects.get()
    assert case.applicant_name == "Нұрлан Қайратұлы"
    assert complete(consultant, case, note="checked").status_code == 302

    inspector = login("psc-hall-inspector")
    accepted = complete(inspector, case)
    assert accepted.url == reverse("staff:receipt", args=[case.pk])
    receipt = inspector.get(accepted.url).content.decode()
    case.refresh_from_db()
    assert case.number in receipt and "psc-hall-inspector" in receipt  # receiver named on the receipt
    assert "Мүгедектерге протездік-ортопедиялық" in receipt

    accumulation = login("psc-accumulation-specialist")
    ready = accumulation.get(reverse("staff:registries")).content.decode()
    assert case.number in ready
    sent = accumulation.post(reverse("staff:dispatch"), {"tasks": [open_task(case).pk]})
    registry = Registry.objects.get()
    assert sent.url == reverse("staff:registry", args=[registry.pk])

    clerk = login("records-specialist", DEPT)
    incoming = clerk.get(reverse("staff:registries")).content.decode()
    assert registry.number in incoming
    clerk.post(reverse("staff:acknowledge", args=[registry.items.get().pk]))
    assert open_task(case).step == 5

    head, sector, specialist = login("head", DEPT), login("sector-head", DEPT), login("specialist", DEPT)
    complete(head, case, note="executor appointed")
    complete(sector, case)
    complete(specialist, case)
    complete(sector, case)
    missing = complete(head, case)
    assert missing.status_code == 400 and "error-summary" in missing.content.decode()
    complete(head, case, decision="positive")
    case.refresh_from_db()
    assert case.outcome == "positive"

    clerk.post(reverse("staff:dispatch"), {"tasks": [open_task(case).pk]})
    back = Registry.objects.get(direction="to-psc")
    issuer = login("psc-issuance-inspector")
    issuer.post(reverse("staff:acknowledge", args=[back.items.get().pk]))
    complete(issuer, case)
    case.refresh_from_db()
    assert case.status == "issued"

    page = issuer.get(reverse("staff:case", args=[case.pk])).content.decode()
    rows = re.findall(r'<tr[^>]*data-step="(\d+)"', page)
    assert rows == [str(n) for n in range(1, 12)]
    assert "annex 2, table 1 (alternative process), row 9" in page  # every step shows its clause


def test_roles_cannot_do_each_others_steps(directory):
    consultant = login("psc-consultant")
    consultant.post(reverse("staff:intake-form", args=[REG]), {
        "iin": IIN, "name": "Әлия", "category": "general-disease", "documents": ["application"]})
    case = Case.objects.get()
    task = open_task(case)
    for role in ("psc-hall-inspector", "psc-accumulation-specialist", "psc-issuance-inspector"):
        refused = login(role).post(reverse("staff:complete", args=[task.pk]), {})
        assert refused.status_code == 403, role
    for role in ("head", "sector-head", "specialist", "records-specialist"):
        # The provider sees the PSC's case but cannot touch the PSC's step.
        assert login(role, DEPT).post(reverse("staff:complete", args=[task.pk]), {}).status_code == 403
    stranger = login("psc-consultant", "ulytau-2012-psc")
    assert stranger.get(reverse("staff:case", args=[case.pk])).status_code == 404
    assert stranger.post(reverse("staff:complete", args=[task.pk]), {}).status_code == 404
    assert case.number not in stranger.get(reverse("staff:cases") + f"?q={IIN}").content.decode()
    assert case.number not in stranger.get(reverse("staff:inbox")).content.decode()
    assert open_task(case).pk == task.pk  # nothing moved


def test_only_the_role_taking_registry_lines_over_gets_the_buttons(directory):
    """The whole receiving office sees what arrived; only the role that takes it over gets the buttons
    (the others would be refused: 403)."""
    case = sent_to_department()
    item = RegistryItem.objects.get()
    take_over, send_back = reverse("staff:acknowledge", args=[item.pk]), reverse("staff:return", args=[item.pk])
    for role in ("head", "sector-head", "specialist"):
        client = login(role, DEPT)
        page = client.get(reverse("staff:registries")).content.decode()
        assert case.number in page, role
        assert take_over not in page and send_back not in page, role
        assert client.post(take_over).status_code == 403  # what the button would have got them
    page = login("records-specialist", DEPT).get(reverse("staff:registries")).content.decode()
    assert take_over in page and send_back in page


def test_intake_errors_name_the_field_and_keep_what_was_typed(directory):
    consultant = login("psc-consultant")
    bad = consultant.post(reverse("staff:intake-form", args=[REG]), {
        "iin": "123", "name": "Гүлнұр Өмірзақова", "category": "general-disease"})
    body = bad.content.decode()
    assert bad.status_code == 400
    assert 'href="#f-iin"' in body and 'aria-invalid="true"' in body
    assert "Гүлнұр Өмірзақова" in body
    assert Case.objects.count() == 0
    minor = make_iin(dt.date(2016, 1, 2), "female", 33)
    hint = consultant.get(reverse("staff:intake-iin", args=[REG]) + f"?iin={minor}").content.decode()
    assert "2016" in hint
    not_here = login("psc-issuance-inspector").get(reverse("staff:intake-form", args=[REG]))
    assert not_here.status_code == 404  # the issuance inspector takes no applications


def test_pages_need_a_staff_login(directory):
    anonymous = Client()
    assert anonymous.get(reverse("staff:inbox")).status_code == 302
    from django.contrib.auth import get_user_model

    get_user_model().objects.create_user("outsider", password="outsider-pass")
    outsider = Client()
    outsider.login(username="outsider", password="outsider-pass")
    assert outsider.get(reverse("staff:inbox")).status_code == 403


@pytest.mark.parametrize("lang", ["kk", "ru"])
def test_staff_and_online_pages_show_no_english_ui_text(directory, lang):
    from test_i18n import english_leftovers, visible_text

    consultant = login("psc-consultant")
    consultant.post(reverse("staff:intake-form", args=[REG]), {
        "iin": IIN, "name": "Әлия", "category": "general-disease", "documents": ["application", "id-copy"]})
    case = Case.objects.get()
    complete(consultant, case)
    inspector = login("psc-hall-inspector")
    complete(inspector, case)
    accumulation = login("psc-accumulation-specialist")
    accumulation.post(reverse("staff:dispatch"), {"tasks": [open_task(case).pk]})
    clerk = login("records-specialist", DEPT)
    pages = {}
    for name, client, url in [
        ("inbox", consultant, reverse("staff:inbox")),
        ("cases", consultant, reverse("staff:cases")),
        ("intake", consultant, reverse("staff:intake")),
        ("intake-form", consultant, reverse("staff:intake-form", args=[REG])),
        ("receipt", inspector, reverse("staff:receipt", args=[case.pk])),
        ("case", clerk, reverse("staff:case", args=[case.pk])),
        ("registries", clerk, reverse("staff:registries")),
        ("registry", clerk, reverse("staff:registry", args=[Registry.objects.get().pk])),
        ("apply", Client(), reverse("web:apply")),
        ("apply-form", Client(), reverse("web:apply-form", args=["mangystau-2015/tb-certificate"])),
    ]:
        client.cookies["qyzmet_language"] = lang
        response = client.get(url)
        assert response.status_code == 200, name
        pages[name] = visible_text(response.content.decode(), lang)
    for name, text in pages.items():
        assert not english_leftovers(text, lang), f"{lang} {name}: {english_leftovers(text, lang)}"


def test_the_keeper_of_an_uncollected_result_gets_the_send_back_form_only_when_asked():
    from django.contrib.auth import get_user_model

    from qyzmet.cases import workflow
    from qyzmet.cases.access import actor_for
    from qyzmet.core.calendar import ALMATY

    sync_catalog()
    build_directory([r for r in shipped_catalog().regulations if r.id.startswith("mlsp-2021/")])
    psc, dept = "mlsp-2021-psc", "mlsp-2021-provider"

    def who(name):
        return actor_for(get_user_model().objects.get(username=name))

    reg = shipped_catalog().get("mlsp-2021/technical-aids")
    at = dt.datetime(2025, 3, 19, 10, 0, tzinfo=ALMATY)
    case = workflow.intake(who(f"{psc}.psc-hall-inspector"), workflow.Application(
        regulation=reg.id, iin=IIN, category="disabled-person", documents=reg.category("disabled-person").documents,
        name="Әсел"), at)
    for role, office, done in (("psc-hall-inspector", psc, workflow.Completion()),
                               ("head", dept, workflow.Completion(decision="positive")),
                               ("specialist", dept, workflow.Completion()),
                               ("psc-issuance-inspector", psc, workflow.Completion())):
        workflow.complete(who(f"{office}.{role}"), open_task(case).pk, done, at)
    workflow.sweep_uncollected(at + dt.timedelta(days=40))
    keeper = login("specialist", dept)
    page = keeper.get(reverse("staff:case", args=[case.pk])).content.decode()
    assert 'id="complete-form"' not in page  # kept: nothing to do until the PSC asks
    workflow.request_result(who(f"{psc}.psc-issuance-inspector"), case.pk, at + dt.timedelta(days=41))
    page = keeper.get(reverse("staff:case", args=[case.pk])).content.decode()
    assert 'id="complete-form"' in page
    assert complete(keeper, case).status_code == 302
    assert open_task(case).purpose == "step" and open_task(case).office.code == psc


def test_a_case_in_a_registry_not_yet_taken_over_sends_the_clerk_to_the_registries_page(directory):
    case = sent_to_department()
    registry = Registry.objects.get()
    clerk = login("records-specialist", DEPT)
    page = clerk.get(reverse("staff:case", args=[case.pk])).content.decode()
    arriving = re.search(r'<p id="arriving">(.*?)</p>', page, re.S)
    assert arriving and registry.number in arriving.group(1) and reverse("staff:registries") in arriving.group(1)
    assert 'id="complete-form"' not in page  # the step is done by taking the line over, not here
    clerk.post(reverse("staff:acknowledge", args=[registry.items.get().pk]))
    page = login("head", DEPT).get(reverse("staff:case", args=[case.pk])).content.decode()
    assert 'id="complete-form"' in page and 'id="arriving"' not in page


def test_a_step_taken_by_one_person_is_not_offered_to_a_colleague_in_the_same_role(directory):
    from qyzmet.directory.models import RoleAssignment, Staff

    consultant = login("psc-consultant")
    case = registered(consultant)
    first = Staff.objects.get(user__username=f"{PSC}.psc-consultant")
    colleague_user = type(first.user).objects.create_user(f"{PSC}.second-consultant", password=DEMO_PASSWORD)
    colleague = Staff.objects.create(user=colleague_user, office=first.office, full_name="Дәурен Оспанов")
    RoleAssignment.objects.create(staff=colleague, role="psc-consultant")
    consultant.post(reverse("staff:claim", args=[open_task(case).pk]))

    page = login("second-consultant").get(reverse("staff:case", args=[case.pk])).content.decode()
    taken = re.search(r'<p id="taken-by">(.*?)</p>', page)
    assert taken and first.full_name in taken.group(1)
    assert 'id="complete-form"' not in page and "Бұл кезеңді басқа қызметкер орындап жатыр" in page
    own = consultant.get(reverse("staff:case", args=[case.pk])).content.decode()
    assert 'id="complete-form"' in own and 'id="taken-by"' in own


def test_new_application_is_offered_only_to_those_who_take_applications(directory):
    intake = reverse("staff:intake")
    nav = 'href="' + intake + '"'
    assert nav in login("psc-consultant").get(reverse("staff:inbox")).content.decode()
    head = login("head", DEPT)
    assert nav not in head.get(reverse("staff:inbox")).content.decode()
    head.cookies["qyzmet_language"] = "en"
    assert "Your roles do not take applications at this office." in head.get(intake).content.decode()
    searched = login("psc-consultant").get(intake + "?q=zzzz", HTTP_HX_REQUEST="true").content.decode()
    assert "zzzz" in searched and 'id="offers"' in searched


def test_workflow_refusals_reach_the_clerk_in_the_page_language(directory):
    """The workflow's reasons for refusing an action are the clerk's language, not the code's English."""
    consultant = login("psc-consultant")
    consultant.cookies["qyzmet_language"] = "ru"
    bad = consultant.post(reverse("staff:intake-form", args=[REG]), {
        "iin": IIN, "name": "Сәуле Ілиясова", "phone": "12345", "category": "general-disease",
        "documents": ["application"]})
    assert bad.status_code == 400
    assert "Казахстанский номер телефона состоит из 11 цифр" in bad.content.decode()
    clerk = login("psc-accumulation-specialist")
    clerk.cookies["qyzmet_language"] = "kk"
    empty = clerk.post(reverse("staff:dispatch"), {})
    page = clerk.get(empty.url).content.decode() if empty.status_code == 302 else empty.content.decode()
    assert "Тізілімге кемінде бір істі таңдаңыз." in page


def test_the_staff_bar_names_the_roles_as_the_act_does(directory):
    reg = next(r for r in shipped_catalog().regulations if r.id == REG)
    for lang in ("kk", "ru"):
        client = login("psc-hall-inspector")
        client.cookies["qyzmet_language"] = lang
        who = re.search(r'id="who">([^<]*)<', client.get(reverse("staff:inbox")).content.decode()).group(1)
        assert who.endswith(reg.role("psc-hall-inspector").name.get(lang)), who
