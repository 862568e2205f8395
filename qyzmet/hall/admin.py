from django.contrib import admin

from qyzmet.hall.models import HallPolicy, Visit


@admin.register(HallPolicy)
class HallPolicyAdmin(admin.ModelAdmin):
    list_display = ("office", "priority_basis")


@admin.register(Visit)
class VisitAdmin(admin.ModelAdmin):
    list_display = ("number", "office", "day", "reg_id", "state", "outcome", "window", "issued_at", "called_at")
    list_filter = ("state", "outcome", "office")
    # Visits are the record of the hall: the admin reads them, the workflow writes them.
    readonly_fields = [f.name for f in Visit._meta.fields]
