"""The admin's calendar exceptions count the open cases again when saved or deleted.

The directory's admin class stays as it is; this one, registered in its place, only adds the recount, so a
decree typed into the admin moves the due dates exactly as ``qyzmet calendar exception add`` does.
"""

from __future__ import annotations

from django.contrib import admin, messages
from django.utils.translation import gettext as _

from qyzmet.directory.admin import CalendarExceptionAdmin
from qyzmet.directory.models import CalendarException
from qyzmet.recompute import changes


class RecomputingCalendarExceptionAdmin(CalendarExceptionAdmin):
    def save_model(self, request, obj, form, change) -> None:
        before = None
        if change and obj.pk:
            before = changes.snapshot(CalendarException.objects.filter(pk=obj.pk).first())
            old = CalendarException.objects.filter(pk=obj.pk).values_list("day", "schedule").first()
            if old and old != (obj.day, obj.schedule):
                # The row moved to another day or schedule: the old day goes back to the law's calendar first.
                report = changes.recompute(old[0], old[1], obj.source, before, None, actor=request.user)
                self._tell(request, report)
                before = None
        super().save_model(request, obj, form, change)
        self._tell(request, changes.recompute(obj.day, obj.schedule, obj.source, before, changes.snapshot(obj),
                                              actor=request.user))

    def delete_model(self, request, obj) -> None:
        day, schedule, before = obj.day, obj.schedule, changes.snapshot(obj)
        super().delete_model(request, obj)
        self._tell(request, changes.recompute(day, schedule, obj.source, before, None, actor=request.user))

    def _tell(self, request, report: changes.Report) -> None:
        self.message_user(request, _("%(moved)s open cases of %(scanned)s counted again had their due dates moved "
                                     "(%(day)s).") % {"moved": report.moved, "scanned": report.scanned,
                                                      "day": report.day.isoformat()}, messages.INFO)


admin.site.unregister(CalendarException)
admin.site.register(CalendarException, RecomputingCalendarExceptionAdmin)
