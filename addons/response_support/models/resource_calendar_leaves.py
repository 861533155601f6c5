from pytz import timezone, utc

from odoo import fields, models

# leave fields that change the working time the SLA clocks count in
LEAVE_WORKING_TIME_FIELDS = {
    "date_from",
    "date_to",
    "calendar_id",
    "resource_id",
    "time_type",
    "company_id",
}


class ResourceCalendarLeaves(models.Model):
    _name = "resource.calendar.leaves"
    _inherit = ["resource.calendar.leaves", "response.support.sla.term.mixin"]
    _sla_term_fields = LEAVE_WORKING_TIME_FIELDS

    cn_public_holiday = fields.Boolean(
        string="PRC Statutory Holiday",
        readonly=True,
        help="Loaded from the PRC holiday calendar: reloading the year replaces it.",
    )

    def _get_cn_local_year(self):
        """The year of the start of the leave in its calendar's timezone."""
        self.ensure_one()
        tz = timezone(self.calendar_id.tz or "UTC")
        return utc.localize(self.date_from).astimezone(tz).year

    def _get_sla_term_owners(self):
        """The calendars whose working time these leaves shorten: their own, or
        for a global leave every calendar of its company (see
        resource.calendar._get_sla_leave_domain). A leave of one resource (an
        employee's time off) shortens no calendar's own working time."""
        leaves = self.filtered(
            lambda leave: not leave.resource_id and leave.time_type == "leave"
        )
        calendars = leaves.calendar_id
        companies = leaves.filtered(lambda leave: not leave.calendar_id).company_id
        if companies:
            # sudo: only ids go on, to the system-maintained clocks
            calendars |= (
                self.env["resource.calendar"]
                .sudo()
                .search([("company_id", "in", companies.ids)])
            )
        return calendars
