from django.contrib import admin

from qyzmet.cases.models import Case, ChecklistItem, Event, Registry, RegistryItem, RegulationVersion, Task


@admin.register(RegulationVersion)
class RegulationVersionAdmin(admin.ModelAdmin):
    list_display = ("reg_id", "version", "content_hash", "service", "loaded_at")
    search_fields = ("reg_id", "service", "name_kk", "name_ru")
    readonly_fields = [f.name for f in RegulationVersion._meta.fields]


class TaskInline(admin.TabularInline):
    model = Task
    extra = 0
    can_delete = False
    readonly_fields = ("step", "role", "opened_at", "due", "closed_at", "closed_by", "late", "cite")


class ChecklistInline(admin.TabularInline):
    model = ChecklistItem
    extra = 0
    can_delete = False
    readonly_fields = ("document", "name", "provided_as", "present", "cite")


class EventInline(admin.TabularInline):
    model = Event
    extra = 0
    can_delete = False
    readonly_fields = ("seq", "kind", "payload", "at", "actor", "recorded_at")

    def has_add_permission(self, request, obj=None):
        return False


@admin.register(Case)
class CaseAdmin(admin.ModelAdmin):
    """Read-only: cases move only through the engine, never by editing rows."""

    list_display = ("number", "regulation", "route", "status", "current_step", "term_due", "in_term")
    list_filter = ("status", "route", "regulation__reg_id", "in_term")
    search_fields = ("number", "applicant_iin", "applicant_name")
    date_hierarchy = "submitted_at"
    list_select_related = ("regulation",)
    inlines = [ChecklistInline, TaskInline, EventInline]

    def get_readonly_fields(self, request, obj=None):
        return [f.name for f in Case._meta.fields]

    def has_add_permission(self, request):
        return False

    def has_delete_permission(self, request, obj=None):
        return False


class RegistryItemInline(admin.TabularInline):
    model = RegistryItem
    extra = 0
    can_delete = False
    readonly_fields = ("case", "state", "errors", "acted_at", "acted_by")

    def has_add_permission(self, request, obj=None):
        return False


@admin.register(Registry)
class RegistryAdmin(admin.ModelAdmin):
    """Read-only: registries are formed and taken over in the workspace, where the steps move with them."""

    list_display = ("number", "direction", "from_office", "to_office", "step", "dispatched_at")
    list_filter = ("direction", "from_office", "to_office")
    search_fields = ("number", "items__case__number")
    date_hierarchy = "dispatched_at"
    inlines = [RegistryItemInline]

    def get_readonly_fields(self, request, obj=None):
        return [f.name for f in Registry._meta.fields]

    def has_add_permission(self, request):
        return False

    def has_delete_permission(self, request, obj=None):
        return False
