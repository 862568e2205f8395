"""The regions a regulator supervises.

The directory has offices but no region; a regional regulator (the regional department of the authorised body
for the quality of state services) sees every office of its region.  A region is kept here rather than as a
column of ``directory.Office`` because it is monitoring's own notion: a region names the offices it covers and
the regulator's office (``authority``) whose staff holding the role ``regulator`` read them.  An office may lie
in one region at most, so two regions never both count its cases.
"""

from __future__ import annotations

from django.core.exceptions import ValidationError
from django.db import models

from qyzmet.directory.models import Office


class Region(models.Model):
    code = models.SlugField(max_length=80, unique=True)
    name_kk = models.TextField()
    name_ru = models.TextField()
    name_en = models.TextField(blank=True)
    authority = models.OneToOneField(
        Office, on_delete=models.PROTECT, related_name="supervised_region",
        help_text="the regulator's office: its staff with the role 'regulator' see every office of the region")
    offices = models.ManyToManyField(Office, through="RegionOffice", related_name="+", blank=True)

    class Meta:
        ordering = ["code"]

    def __str__(self) -> str:
        return self.name_ru or self.name_kk


class RegionOffice(models.Model):
    """One office of a region (an office belongs to one region at most)."""

    region = models.ForeignKey(Region, on_delete=models.CASCADE, related_name="members")
    office = models.OneToOneField(Office, on_delete=models.CASCADE, related_name="region_membership")

    class Meta:
        ordering = ["region", "office"]

    def __str__(self) -> str:
        return f"{self.region.code}: {self.office.code}"

    def clean(self) -> None:
        if self.office_id is not None and self.office_id == getattr(self.region, "authority_id", None):
            raise ValidationError({"office": "the regulator's own office is not one of the offices it supervises"})
