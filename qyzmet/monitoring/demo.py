"""The demo's regional regulator: Karaganda region, whose districts Aktogay and Ulytau are the 2012-2013 acts'
providers (Ulytau district belonged to Karaganda region when its act was adopted).  An organisation of kind
"other" with one office (``karaganda-regulator``) and the account ``karaganda-regulator.regulator``; the region
covers the departments and PSC halls of those two acts that the directory has."""

from __future__ import annotations

from django.contrib.auth import get_user_model

from qyzmet.directory.models import Office, Organisation, RoleAssignment, Staff
from qyzmet.monitoring.models import Region, RegionOffice
from qyzmet.monitoring.scope import REGULATOR

REGULATOR_OFFICE = "karaganda-regulator"
REGION_ACTS = ("aktogay-2013", "ulytau-2012")
NAMES = ("Қарағанды облысы бойынша мемлекеттік қызметтер көрсету сапасын бақылау департаменті (демо)",
         "Департамент по контролю качества оказания государственных услуг по Карагандинской области (демо)",
         "Karaganda regional department for the quality of state services (demo)")
REGION_NAMES = ("Қарағанды облысы", "Карагандинская область", "Karaganda region")


def regulator(directory, password: str) -> None:
    """The regulator's office and account, and the region's offices among the directory's."""
    offices = [o for (prefix, _kind), o in sorted(directory.offices.items()) if prefix in REGION_ACTS]
    if not offices:
        return
    org, _ = Organisation.objects.get_or_create(
        code=REGULATOR_OFFICE, defaults={"kind": Organisation.Kind.OTHER, "name_kk": NAMES[0], "name_ru": NAMES[1],
                                         "name_en": NAMES[2]})
    office, _ = Office.objects.get_or_create(
        code=REGULATOR_OFFICE, defaults={"organisation": org, "name_kk": NAMES[0], "name_ru": NAMES[1],
                                         "name_en": NAMES[2], "schedule": "department"})
    region, _ = Region.objects.get_or_create(
        code="karaganda", defaults={"authority": office, "name_kk": REGION_NAMES[0], "name_ru": REGION_NAMES[1],
                                    "name_en": REGION_NAMES[2]})
    for member in offices:
        RegionOffice.objects.get_or_create(office=member, defaults={"region": region})
    username = f"{REGULATOR_OFFICE}.{REGULATOR}"
    user, created = get_user_model().objects.get_or_create(username=username)
    if created:
        user.set_password(password)
        user.save()
    staff, _ = Staff.objects.get_or_create(user=user, defaults={
        "office": office, "full_name": "Есенова Динара Қайратқызы", "position": "regional regulator"})
    RoleAssignment.objects.get_or_create(staff=staff, role=REGULATOR)
    directory.logins.append((username, office.code, REGULATOR))
    directory.users[(office.pk, REGULATOR)] = user
