from django.contrib import admin

from qyzmet.monitoring.models import Region, RegionOffice


class RegionOfficeInline(admin.TabularInline):
    model = RegionOffice
    extra = 1


@admin.register(Region)
class RegionAdmin(admin.ModelAdmin):
    list_display = ("code", "name_ru", "authority")
    inlines = [RegionOfficeInline]
