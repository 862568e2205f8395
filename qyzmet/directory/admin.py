from django.contrib import admin

from qyzmet.directory.models import CalendarException, Office, Organisation, RoleAssignment, ServicePoint, Staff


@admin.register(Organisation)
class OrganisationAdmin(admin.ModelAdmin):
    list_display = ("code", "kind", "name_kk", "name_ru", "bin")
    list_filter = ("kind",)
    search_fields = ("code", "name_kk", "name_ru", "bin")


@admin.register(Office)
class OfficeAdmin(admin.ModelAdmin):
    list_display = ("code", "organisation", "name_kk", "schedule")
    list_filter = ("schedule", "organisation__kind")
    search_fields = ("code", "name_kk", "name_ru", "address")


@admin.register(ServicePoint)
class ServicePointAdmin(admin.ModelAdmin):
    """Which office takes which regulation's route, and which provider office works its cases."""

    list_display = ("office", "reg_id", "route", "provider")
    list_filter = ("route", "office")
    search_fields = ("reg_id", "office__code", "provider__code")


class RoleInline(admin.TabularInline):
    model = RoleAssignment
    extra = 1


@admin.register(Staff)
class StaffAdmin(admin.ModelAdmin):
    list_display = ("full_name", "office", "position")
    list_filter = ("office",)
    search_fields = ("full_name", "user__username", "position")
    inlines = [RoleInline]


@admin.register(CalendarException)
class CalendarExceptionAdmin(admin.ModelAdmin):
    list_display = ("day", "kind", "hours", "schedule", "name", "source")
    list_filter = ("kind", "schedule")
    date_hierarchy = "day"
