"""The citizen pages, sign-in and the base layout, through Django's test client (no browser)."""

from __future__ import annotations

import datetime as dt
import re

import pytest
from django.contrib.auth import get_user_model
from django.template import Context, Template
from django.test import Client
from django.urls import reverse
from django.utils import timezone, translation

from qyzmet.cases import services
from qyzmet.cases.models import Case
from qyzmet.core.calendar import parse_instant
from qyzmet.core.engine import CompleteStep, Decide, RefuseAcceptance, Submit
from qyzmet.core.iin import make_iin
from qyzmet.directory.models import Office, Organisation, RoleAssignment, Staff
from qyzmet.web.deadlines import DeadlineState, deadline_state

pytestmark = pytest.mark.django_db

IIN = make_iin(dt.date(1970, 2, 3), "female", 55)
OTHER_IIN = make_iin(dt.date(1981, 7, 14), "male", 12)
START = parse_instant("2025-03-19T10:00")
DOCS = ("application", "id-copy", "irp-extract")
LOOKUP = "/my-application"


@pytest.fixture
def reg_row(aktogay):
    return services.register_regulation(aktogay)


def new_case(reg_row, route: str = "psc", iin: str = IIN) -> Case:
    return services.submit(reg_row, Submit(route, iin, "general-disease", DOCS), START,
                           applicant_name="Әлия Сәрсенова").case


def advance(case: Case, reg, until_step: int, outcome: Decide | None = None) -> Case:
    """Complete steps until ``until_step`` is the open one (or past the end), deciding on the way."""
    route = reg.route(case.route)
    for step in route.steps:
        if step.n >= until_step:
            break
        case.refresh_from_db()
        now = case.step_due or START
        if step.decides:
            services.apply_event(case, outcome or Decide("positive"), now)
        services.apply_event(case, CompleteStep(step.n), now)
    case.refresh_from_db()
    return case


def look_up(client, number: str, iin: str, lang: str = "kk"):
    client.cookies["qyzmet_language"] = lang
    return client.post(LOOKUP, {"number": number, "iin": iin})


def text_of(response) -> str:
    return response.content.decode()


# --- the layout -----------------------------------------------------------------------------------

@pytest.mark.parametrize("lang", ["kk", "ru", "en"])
def test_base_layout_has_the_landmarks_skip_link_and_a_language_switcher_that_needs_no_script(client, lang):
    client.cookies["qyzmet_language"] = lang
    html = text_of(client.get("/"))
    assert f'<html lang="{lang}">' in html
    body = html[html.index("<body"):]
    first_link = re.search(r"<a [^>]*>", body).group(0)
    assert 'href="#main"' in first_link and "q-skip-link" in first_link
    assert '<main id="main"' in html and "<header" in html and "<footer" in html
    switcher = re.search(r'<form class="q-lang" action="/i18n/setlang/" method="post".*?</form>', html, re.S).group(0)
    assert "csrfmiddlewaretoken" in switcher
    for code, name in (("kk", "Қазақша"), ("ru", "Русский"), ("en", "English")):
        assert re.search(rf'<button[^>]*value="{code}" lang="{code}"[^>]*>{name}</button>', switcher, re.S)
    assert switcher.count('aria-current="true"') == 1
    assert re.search(rf'value="{lang}" lang="{lang}"\s+class="q-lang__option" aria-current="true"', switcher)


def test_pages_load_only_our_own_scripts_and_styles(client):
    html = text_of(client.get("/"))
    sources = re.findall(r'(?:src|href)="([^"]+)"', html)
    assert "/static/django_htmx/htmx-2.min.js" in sources and "/static/web/qyzmet.css" in sources
    assert not [s for s in sources if s.startswith(("http:", "https:", "//"))]


def test_the_static_files_the_layout_names_are_served(client):
    css = client.get("/static/web/qyzmet.css")
    assert css.status_code == 200
    htmx = client.get("/static/django_htmx/htmx-2.min.js")
    assert htmx.status_code == 200


def test_switching_language_sets_the_cookie_and_returns_to_the_page(client):
    response = client.post("/i18n/setlang/", {"language": "ru", "next": LOOKUP})
    assert response.status_code == 302 and response["Location"] == LOOKUP
    assert response.cookies["qyzmet_language"].value == "ru"
    assert '<html lang="ru">' in text_of(client.get(LOOKUP))


def test_home_links_to_the_lookup_and_staff_sign_in(client):
    client.cookies["qyzmet_language"] = "en"
    html = text_of(client.get("/"))
    assert f'href="{reverse("web:my-application")}"' in html
    assert f'href="{reverse("web:login")}"' in html


# --- the lookup form ------------------------------------------------------------------------------

def test_the_lookup_form_posts_with_csrf_and_never_looks_up_from_the_query_string(client, reg_row):
    case = new_case(reg_row)
    client.cookies["qyzmet_language"] = "en"
    html = text_of(client.get(f"{LOOKUP}?number={case.number}&iin={IIN}"))
    form = re.search(r'<form method="post" action="/my-application" novalidate>.*?</form>', html, re.S).group(0)
    assert "csrfmiddlewaretoken" in form
    assert f"Application {case.number}" not in html and "q-summary-list" not in html
    assert "q-error-summary" not in html  # a first visit is not an error


def test_the_lookup_answer_is_never_cached(client):
    response = client.get(LOOKUP)
    assert "no-store" in response["Cache-Control"]


def test_an_empty_submission_shows_an_error_summary_linking_to_both_fields(client):
    html = text_of(look_up(client, "", "", "en"))
    summary = re.search(r'<div class="q-error-summary".*?</div>', html, re.S).group(0)
    assert 'href="#id_number">Enter the application number</a>' in summary
    assert 'href="#id_iin">Enter the IIN</a>' in summary
    assert "<title>Error: Check my application – Qyzmet</title>" in html
    for name in ("number", "iin"):
        widget = re.search(rf'<input[^>]*name="{name}"[^>]*>', html).group(0)
        assert 'aria-invalid="true"' in widget
        assert f'aria-describedby="id_{name}_helptext id_{name}_error"' in widget
        assert f'id="id_{name}_error"' in html and f'id="id_{name}_helptext"' in html


@pytest.mark.parametrize(("iin", "message"), [
    ("12345", "The IIN must be 12 digits"),
    ("85032140090A", "The IIN must contain only digits"),
    ("٨٥٠٣٢١٤٠٠٩٠٨", "The IIN must contain only digits"),  # Arabic-Indic digits are not ASCII digits
    ("850321400907", "This IIN is not valid: check the digits against your identity document"),  # check digit
    ("851321400908", "This IIN is not valid: check the digits against your identity document"),  # month 13
])
def test_a_bad_iin_is_a_field_error(client, iin, message):
    html = text_of(look_up(client, "Q2025-0000001", iin, "en"))
    assert f'<a href="#id_iin">{message}</a>' in html
    assert re.search(r'<input[^>]*name="iin"[^>]*aria-invalid="true"', html)
    assert not re.search(r'<input[^>]*name="number"[^>]*aria-invalid', html)


def test_the_bad_iin_message_is_translated(client):
    assert "ЖСН 12 цифрдан тұруы керек" in text_of(look_up(client, "Q1", "123", "kk"))
    assert "ИИН должен состоять из 12 цифр" in text_of(look_up(client, "Q1", "123", "ru"))


def test_a_wrong_iin_for_a_real_number_gets_the_same_neutral_answer_as_an_unknown_number(client, reg_row):
    case = new_case(reg_row)
    wrong_iin = text_of(look_up(client, case.number, OTHER_IIN, "en"))
    unknown_number = text_of(look_up(client, "Q2025-9999999", OTHER_IIN, "en"))

    def notice(html: str) -> str:
        return re.search(r'<div class="q-notice q-notice--warning".*?</div>', html, re.S).group(0)

    assert "No application with this number and IIN" in notice(wrong_iin)
    assert notice(wrong_iin) == notice(unknown_number)
    assert reg_row.name_en not in wrong_iin and "Status" not in wrong_iin


def test_number_case_and_spaces_in_the_iin_do_not_matter(client, reg_row):
    case = new_case(reg_row)
    spaced = f"{IIN[:6]} {IIN[6:]}"
    html = text_of(look_up(client, f"  {case.number.lower()} ", spaced, "en"))
    assert f"Application {case.number}" in html


# --- the answer -----------------------------------------------------------------------------------

def test_a_found_application_shows_service_status_step_and_deadlines_in_kazakh(client, reg_row, aktogay):
    case = advance(new_case(reg_row), aktogay, until_step=3)  # accepted; the registry step is open
    html = text_of(look_up(client, case.number, IIN, "kk"))
    step = aktogay.route("psc").steps[2]
    assert aktogay.name.kk in html
    assert f"№ {case.number} өтініш" in html
    assert "Орындалуда" in html  # in progress
    assert step.action.kk in html
    assert aktogay.role(step.role).name.kk in html
    assert "2025 жылғы 19 наурыз, 10:00" in html  # submitted, in Almaty time, Kazakh date order
    assert "2025 жылғы 8 сәуір, 20:00" in html  # the term (see test_persistence: 8 April 20:00)
    assert "Құжаттар қабылданған күн мерзімге кірмейді." in html  # the PSC term excludes the acceptance day
    assert "Құқықтық негіз: 9.1-тармақ" in html
    assert case.term_why in html  # the engine's own note, in its technical English
    assert re.search(r'<p lang="en">\s*' + re.escape(case.term_why), html)
    assert "Мерзімі өтті" in html  # 2025's deadlines are long past


def test_a_found_application_in_russian_and_english(client, reg_row, aktogay):
    case = advance(new_case(reg_row), aktogay, until_step=3)
    ru = text_of(look_up(client, case.number, IIN, "ru"))
    assert aktogay.name.ru in ru and "В работе" in ru and "19 марта 2025 г. 10:00" in ru
    assert "пункт 9.1" in ru
    en = text_of(look_up(client, case.number, IIN, "en"))
    assert aktogay.name.en in en and "In progress" in en


def test_the_answer_reveals_nothing_else_about_the_applicant(client, reg_row, aktogay):
    case = new_case(reg_row)
    Case.objects.filter(pk=case.pk).update(applicant_phone="+77011234567", representative_name="Бақытжан")
    html = text_of(look_up(client, case.number, IIN, "kk"))
    main = html.split("<main", 1)[1].split("</main>")[0]
    assert "Әлия" not in main and "Сәрсенова" not in main and "7011234567" not in main and "Бақытжан" not in main
    assert IIN not in main and IIN[:8] not in main
    assert f"соңғы цифрлары: {IIN[-4:]}" in main


def test_a_result_at_the_issuing_step_is_ready_for_collection(client, reg_row, aktogay):
    route = aktogay.route("psc")
    last = route.steps[-1]
    assert last.issues
    case = advance(new_case(reg_row), aktogay, until_step=last.n)
    assert case.status == "in-progress" and case.current_step == last.n
    html = text_of(look_up(client, case.number, IIN, "en"))
    assert "Result ready for collection" in html and last.action.en in html


def test_a_positive_result_once_issued(client, reg_row, aktogay):
    case = advance(new_case(reg_row), aktogay, until_step=99)
    assert case.status == "issued"
    html = text_of(look_up(client, case.number, IIN, "ru"))
    assert "Выдано" in html and "Положительный результат" in html
    positive = next(r for r in aktogay.results if r.kind == "positive")
    assert positive.name.ru in html
    assert "What is happening now" not in html and "Что происходит сейчас" not in html


def test_a_reasoned_refusal_lists_its_grounds_in_the_language(client, reg_row, aktogay):
    ground = aktogay.refusal_grounds[0]
    case = advance(new_case(reg_row, route="main"), aktogay, until_step=99,
                   outcome=Decide("refusal", (ground.code,)))
    kk = text_of(look_up(client, case.number, IIN, "kk"))
    assert "Дәлелді бас тарту" in kk and ground.text.kk in kk
    en = text_of(look_up(client, case.number, IIN, "en"))
    assert "Reasoned refusal" in en and ground.text.en in en


def test_documents_not_accepted_with_the_acceptance_ground(client):
    services.sync_catalog()
    row = services.RegulationVersion.objects.get(reg_id="mlsp-2021/sanatorium")
    reg = services.regulation_of(row)
    case = services.submit(row, Submit("main", IIN, "disabled-person", ("application",)), START).case
    services.apply_event(case, RefuseAcceptance("incomplete-package"), START)
    html = text_of(look_up(client, case.number, IIN, "ru"))
    assert html.count("Документы не приняты") >= 2  # the status and the outcome
    assert reg.acceptance_refusal_ground("incomplete-package").text.ru in html


# --- staff sign-in and the placeholder inbox ----------------------------------------------------

def test_login_page_and_a_failed_sign_in(client):
    client.cookies["qyzmet_language"] = "ru"
    html = text_of(client.get(reverse("web:login")))
    assert "Вход для сотрудников" in html and 'autocomplete="current-password"' in html
    get_user_model().objects.create_user("clerk", password="right-password-1")
    html = text_of(client.post(reverse("web:login"), {"username": "clerk", "password": "wrong"}))
    assert '<a href="#id_username">Введите правильные имя пользователя и пароль.' in html


def test_sign_in_lands_on_the_inbox_with_office_and_roles_and_sign_out_is_a_post(client):
    org = Organisation.objects.create(code="aktogay-dep", name_kk="Бөлім", name_ru="Отдел")
    office = Office.objects.create(organisation=org, code="aktogay-main", name_kk="Ақтоғай бөлімі",
                                   name_ru="Отдел Актогай")
    user = get_user_model().objects.create_user("clerk", password="right-password-1")
    staff = Staff.objects.create(user=user, office=office, full_name="Clerk")
    RoleAssignment.objects.create(staff=staff, role="specialist")
    RoleAssignment.objects.create(staff=staff, role="head")
    response = client.post(reverse("web:login"), {"username": "clerk", "password": "right-password-1"})
    assert response.status_code == 302 and response["Location"] == reverse("staff:inbox")
    client.cookies["qyzmet_language"] = "kk"
    html = text_of(client.get(reverse("staff:inbox")))
    assert "Ақтоғай бөлімі" in html  # the office, in the nav
    assert 'id="who">Clerk · head; specialist<' in html  # no service here names the roles: their codes
    nav = re.search(r'<nav class="q-nav".*?</nav>', html, re.S).group(0)
    assert "clerk" in nav and re.search(r'<form action="/logout" method="post"', nav)
    assert client.get(reverse("web:logout")).status_code == 405  # GET must not sign anyone out
    assert client.post(reverse("web:logout")).status_code == 302
    assert client.get(reverse("staff:inbox")).status_code == 302


def test_the_inbox_needs_sign_in_and_refuses_an_account_without_staff_row(client):
    response = client.get(reverse("staff:inbox"))
    assert response.status_code == 302 and response["Location"].startswith(reverse("web:login"))
    user = get_user_model().objects.create_user("admin2", password="x-password-1")
    client.force_login(user)
    client.cookies["qyzmet_language"] = "en"
    response = client.get(reverse("staff:inbox"))
    assert response.status_code == 403 and "not a member of any office" in text_of(response)


# --- dates, deadlines, tags ---------------------------------------------------------------------

@pytest.mark.parametrize(("lang", "expected"), [
    ("kk", "2025 жылғы 19 наурыз"),
    ("ru", "19 марта 2025 г."),
    ("en", "March 19, 2025"),
])
def test_dates_are_written_the_way_each_language_writes_them(lang, expected):
    instant = parse_instant("2025-03-19T00:30")  # just after midnight in Almaty: the 18th in UTC
    with translation.override(lang):
        rendered = Template('{{ when|date:"DATE_FORMAT" }}').render(Context({"when": instant}))
    assert rendered == expected


def test_deadline_states():
    now = timezone.now()
    assert deadline_state(None, now) is None
    assert deadline_state(now - dt.timedelta(minutes=1), now) is DeadlineState.OVERDUE
    assert deadline_state(now + dt.timedelta(hours=3), now) is DeadlineState.AT_RISK
    assert deadline_state(now + dt.timedelta(days=3), now) is DeadlineState.ON_TRACK


def test_the_deadline_tag_names_its_css_class_and_translates():
    template = Template("{% load qyzmet_web %}{% deadline_tag due now %}")
    now = timezone.now()
    with translation.override("ru"):
        html = template.render(Context({"due": now - dt.timedelta(hours=1), "now": now}))
    assert html == '<strong class="q-tag q-tag--overdue">Просрочено</strong>'
    assert template.render(Context({"due": None, "now": now})) == ""


# --- guessing ---------------------------------------------------------------------------------------

def test_guessing_the_iin_of_a_known_number_is_stopped_after_five_failures(client, reg_row):
    case = new_case(reg_row)
    wrong = [make_iin(dt.date(1970, 2, 3), "female", serial) for serial in range(100, 106)]
    for iin in wrong[:5]:
        assert look_up(client, case.number, iin, "en").status_code == 200
    blocked = look_up(client, case.number, wrong[5], "en")
    assert blocked.status_code == 429
    # Even the right IIN is not looked up while the number is blocked: nothing confirms a guess.
    right = look_up(client, case.number, IIN, "en")
    assert right.status_code == 429
    html = text_of(right)
    assert "Too many unsuccessful attempts" in html and "Әлия" not in html and reg_row.name_en not in html
    # From another device the number is blocked too (the limit follows the number) ...
    other = Client(REMOTE_ADDR="10.0.0.9")
    assert look_up(other, case.number, IIN, "en").status_code == 429
    # ... but that device can still look up another application.
    second = new_case(reg_row, iin=OTHER_IIN)
    assert look_up(other, second.number, OTHER_IIN, "en").status_code == 200


def test_one_client_walking_through_numbers_is_stopped_and_told_in_its_language(client, reg_row):
    new_case(reg_row)
    for n in range(20):
        assert look_up(client, f"Q2025-{n + 100:07d}", IIN, "kk").status_code == 200
    stopped = look_up(client, "Q2025-0000999", IIN, "kk")
    assert stopped.status_code == 429
    assert "Сәтсіз әрекеттер тым көп" in text_of(stopped)


def test_a_right_pair_is_never_counted_as_a_failure(client, reg_row):
    case = new_case(reg_row)
    for _ in range(30):
        assert look_up(client, case.number, IIN, "en").status_code == 200


def test_behind_a_proxy_the_client_is_the_address_the_proxy_names(client, reg_row, settings):
    settings.QYZMET_CLIENT_IP_HEADER = "HTTP_X_REAL_IP"
    new_case(reg_row)
    for n in range(20):
        client.cookies["qyzmet_language"] = "en"
        client.post(LOOKUP, {"number": f"Q2025-{n + 100:07d}", "iin": IIN}, HTTP_X_REAL_IP="203.0.113.7")
    assert client.post(LOOKUP, {"number": "Q2025-0000999", "iin": IIN},
                       HTTP_X_REAL_IP="203.0.113.7").status_code == 429
    assert client.post(LOOKUP, {"number": "Q2025-0000999", "iin": IIN},
                       HTTP_X_REAL_IP="203.0.113.8").status_code == 200


def test_password_guessing_locks_the_username_even_for_the_right_password(client):
    get_user_model().objects.create_user("clerk", password="right-password-1")
    client.cookies["qyzmet_language"] = "ru"
    for n in range(10):
        failed = client.post(reverse("web:login"), {"username": "clerk", "password": f"guess-{n}"})
        assert failed.status_code == 200
    locked = client.post(reverse("web:login"), {"username": "clerk", "password": "right-password-1"})
    assert locked.status_code == 429
    assert "Слишком много неудачных попыток входа. Подождите 15 минут" in text_of(locked)
    assert "_auth_user_id" not in client.session  # not signed in
    # Another person signs in from the same hall meanwhile.
    get_user_model().objects.create_user("inspector", password="right-password-2")
    ok = client.post(reverse("web:login"), {"username": "inspector", "password": "right-password-2"})
    assert ok.status_code == 302
