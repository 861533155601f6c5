from odoo import api, fields, models

# the weekdays of resource.calendar.attendance
DAYS_OF_WEEK = [
    ("0", "Monday"),
    ("1", "Tuesday"),
    ("2", "Wednesday"),
    ("3", "Thursday"),
    ("4", "Friday"),
    ("5", "Saturday"),
    ("6", "Sunday"),
]


class ResponseSupportCalendarWorkday(models.Model):
    """A make-up working day (调休上班日) of a working schedule: a day off of the
    weekly schedule, usually a weekend day, that is worked like ``template_dayofweek``
    to make up for a statutory holiday."""

    _name = "response.support.calendar.workday"
    _description = "Make-up Working Day"
    _order = "calendar_id, date"

    calendar_id = fields.Many2one(
        "resource.calendar",
        string="Working Schedule",
        required=True,
        ondelete="cascade",
        index=True,
    )
    date = fields.Date(required=True, help="Day in the timezone of the schedule.")
    name = fields.Char(string="Reason")
    template_dayofweek = fields.Selection(
        DAYS_OF_WEEK,
        string="Worked as",
        required=True,
        default="0",
        help="The working hours of this day of the week apply on this date.",
    )
    cn_public_holiday = fields.Boolean(
        string="PRC Make-up Day",
        readonly=True,
        help="Loaded from the PRC holiday calendar: reloading the year replaces it.",
    )

    _sql_constraints = [
        (
            "calendar_date_uniq",
            "unique (calendar_id, date)",
            "A date can only be one make-up working day of a working schedule.",
        ),
    ]

    @api.model_create_multi
    def create(self, vals_list):
        with self.env["response.support.sla.clock"]._batch_external_changes():
            workdays = super().create(vals_list)
            workdays.calendar_id._note_sla_change()
        return workdays

    def write(self, vals):
        if not {"calendar_id", "date", "template_dayofweek"} & set(vals):
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
