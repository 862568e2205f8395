"""Every role against every action on one case at every step of the Aktogay PSC route.

At each step exactly one role may act; every other account of the two offices is refused (403, or 404
for a registry line addressed to the other office), and an account of another office does not even see
the case (404).  Lists and searches of the other
office never show it.  Nothing is stored by a refused request.
"""

from __future__ import annotations

import datetime as dt

import pytest
from django.test import Client
from django.urls import reverse

from qyzmet.cases.models import Case, Event, Registry, RegistryItem, Task
from qyzmet.cases.services import sync_catalog
from qyzmet.core.iin import make_iin
from qyzmet.core.loader import shipped_catalog
from qyzmet.demo import DEMO_PASSWORD, build_directory

pytestmark = pytest.mark.django_db

REG = "aktogay-2013/prosthetic-docs"
PSC, DEPT, OTHER = "aktogay-2013-psc", "aktogay-2013-provider", "ulytau-2012-psc"
ACCOUNTS = [f"{PSC}.{r}" for r in ("psc-consultant", "psc-hall-inspector", "psc-accumulation-specialist",
                                   "psc-issuance-inspector")] + \
           [f"{DEPT}.{r}" for r in ("records-specialist", "head", "sector-head", "specialist")]
STRANGERS = [f"{OTHER}.psc-consultant", f"{OTHER}.psc-hall-inspector", "ulytau-2012-provider.head"]
IIN = make_iin(dt.date(1959, 12, 1), "female", 77)


@pytest.fixture
def clients():
    sync_catalog()
    build_directory([r for r in shipped_catalog().regulations if r.id.startswith(("aktogay-2013/", "ulytau-2012/"))])
    result = {}
    for username in ACCOUNTS + STRANGERS:
        client = Client()
        assert client.login(username=username, password=DEMO_PASSWORD)
        result[username] = client
    return result


def open_task(case: Case) -> Task:
    return Task.objects.get(case=case, closed_at__isnull=True)


def attempt(client: Client, task: Task, step: int) -> int:
    """The step's own action: dispatch for a registry step, taking over against the registry for the
    step receiving one, signing for the deciding one, else completing."""
    if step in (3, 10):
        return client.post(reverse("staff:dispatch"), {"tasks": [task.pk]}).status_code
    if step == 4:
        item = RegistryItem.objects.get(case=task.case, state="sent")
        return client.post(reverse("staff:acknowledge", args=[item.pk])).status_code
    data = {"decision": "positive"} if step == 9 else {}
    return client.post(reverse("staff:complete", args=[task.pk]), data).status_code


def test_only_the_steps_role_may_act_and_other_offices_see_nothing(clients):
    consultant = clients[f"{PSC}.psc-consultant"]
    consultant.post(reverse("staff:intake-form", args=[REG]), {
        "iin": IIN, "name": "Һадия Оспанова", "category": "general-disease",
        "documents": ["application", "id-copy", "irp-extract"]})
    case = Case.objects.get()
    reg = shipped_catalog().get(REG)
    route = reg.route("psc")
    for step in route.steps:
        task = open_task(case)
        assert task.step == step.n
        owner = f"{PSC if reg.role(step.role).organisation == 'psc' else DEPT}.{step.role}"
        events = Event.objects.count()
        for username in ACCOUNTS:
            if username.split(".")[1] == step.role:
                continue  # the owner, and others of the same role (none here), act below
            # 403, or 404 for a registry line addressed to the other office: refused either way.
            assert attempt(clients[username], task, step.n) in (403, 404), (username, step.n)
        for username in STRANGERS:
            assert clients[username].get(reverse("staff:case", args=[case.pk])).status_code == 404
            assert attempt(clients[username], task, step.n) == 404, (username, step.n)
        assert Event.objects.count() == events and open_task(case).pk == task.pk  # nothing moved
        assert attempt(clients[owner], task, step.n) == 302, (owner, step.n)
        if step.n == 10:  # the result comes back: only the issuance inspector takes the line over
            item = RegistryItem.objects.get(registry__step=10)
            issuer = f"{PSC}.psc-issuance-inspector"
            assert attempt(clients[issuer], open_task(case), 11) == 302  # not before the registry is taken over
            assert open_task(case).step == 11 and open_task(case).closed_at is None
            for username in ACCOUNTS + STRANGERS:
                if username != issuer:
                    assert clients[username].post(reverse("staff:acknowledge", args=[item.pk])).status_code in (
                        403, 404), username
            assert clients[issuer].post(reverse("staff:acknowledge", args=[item.pk])).status_code == 302
    case.refresh_from_db()
    assert case.status == "issued"
    own = clients[f"{PSC}.psc-consultant"].get(reverse("staff:cases") + f"?q={IIN}").content.decode()
    assert reverse("staff:case", args=[case.pk]) in own  # the check below would see a leak
    for username in STRANGERS:
        client = clients[username]
        for url in (reverse("staff:inbox"), reverse("staff:cases"), reverse("staff:cases") + f"?q={IIN}",
                    reverse("staff:cases") + f"?q={case.number}", reverse("staff:registries")):
            # The search box echoes what was typed; the case itself must not be listed or linked.
            page = client.get(url).content.decode()
            assert reverse("staff:case", args=[case.pk]) not in page and "Һадия" not in page, (username, url)
        for registry in Registry.objects.all():
            assert client.get(reverse("staff:registry", args=[registry.pk])).status_code == 404
        assert client.get(reverse("staff:receipt", args=[case.pk])).status_code == 404
