from odoo import models

# attendance fields that change the working time the SLA clocks count in
ATTENDANCE_WORKING_TIME_FIELDS = {
    "dayofweek",
    "hour_from",
    "hour_to",
    "day_period",
    "week_type",
    "date_from",
    "date_to",
    "calendar_id",
    "resource_id",
    "display_type",
}


class ResourceCalendarAttendance(models.Model):
    """An attendance edited on its own (not through its calendar's form) changes
    the working time of the calendar just the same: running SLA clocks are
    replanned, in one batch."""

    _name = "resource.calendar.attendance"
    _inherit = ["resource.calendar.attendance", "response.support.sla.term.mixin"]
    _sla_term_fields = ATTENDANCE_WORKING_TIME_FIELDS

    def _get_sla_term_owners(self):
        return self.calendar_id
