from odoo import fields, models

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
    _inherit = ["response.support.sla.term.mixin"]
    _sla_term_fields = {"calendar_id", "date", "template_dayofweek"}
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

    def _get_sla_term_owners(self):
        return self.calendar_id
