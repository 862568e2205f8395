from django.contrib import admin

from qyzmet.complaints.models import Complaint, QualityOffice


@admin.register(QualityOffice)
class QualityOfficeAdmin(admin.ModelAdmin):
    list_display = ("office",)
    filter_horizontal = ("covers",)


@admin.register(Complaint)
class ComplaintAdmin(admin.ModelAdmin):
    list_display = ("number", "case", "body", "status", "registered_at", "due")
    list_filter = ("body", "status", "channel")
    search_fields = ("number", "case__number")
    readonly_fields = [f.name for f in Complaint._meta.fields]

    def has_add_permission(self, request):  # registered through the workflow only: number, term, papers
        return False
