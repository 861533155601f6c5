from odoo import api, models

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

    _inherit = "resource.calendar.attendance"

    @api.model_create_multi
    def create(self, vals_list):
        with self.env["response.support.sla.clock"]._batch_external_changes():
            attendances = super().create(vals_list)
            attendances.calendar_id._note_sla_change()
        return attendances

    def write(self, vals):
        if not ATTENDANCE_WORKING_TIME_FIELDS & set(vals):
            return super().write(vals)
        with self.env["response.support.sla.clock"]._batch_external_changes():
            calendars = self.calendar_id
            res = super().write(vals)
            (calendars | self.calendar_id)._note_sla_change()
        return res

    def unlink(self):
        with self.env["response.support.sla.clock"]._batch_external_changes():
            self.calendar_id._note_sla_change()
            return super().unlink()
