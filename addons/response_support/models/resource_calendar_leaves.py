from pytz import timezone, utc

from odoo import fields, models


class ResourceCalendarLeaves(models.Model):
    _inherit = "resource.calendar.leaves"

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
