"""Reference data the department enters: the minimum wage of each year and the PA hourly rate."""

from django.contrib import admin

from qyzmet.payments.models import HourlyRate, MinimumWage


@admin.register(MinimumWage)
class MinimumWageAdmin(admin.ModelAdmin):
    list_display = ("year", "amount", "source", "entered_by", "entered_at")
    readonly_fields = ("entered_by", "entered_at")

    def save_model(self, request, obj, form, change):
        obj.entered_by = request.user
        super().save_model(request, obj, form, change)


@admin.register(HourlyRate)
class HourlyRateAdmin(admin.ModelAdmin):
    list_display = ("reg_id", "valid_from", "amount", "entered_by", "entered_at")
    readonly_fields = ("entered_by", "entered_at")

    def save_model(self, request, obj, form, change):
        obj.entered_by = request.user
        super().save_model(request, obj, form, change)
