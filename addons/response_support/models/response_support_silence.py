from odoo import api, fields, models
from odoo.exceptions import ValidationError


class ResponseSupportSilence(models.Model):
    """A maintenance window of a system: alerts routed to the system while it is on
    are kept (state "silenced") but open no ticket."""

    _name = "response.support.silence"
    _description = "Maintenance Window"
    _order = "date_start desc, id desc"

    name = fields.Char(string="Reason", required=True)
    system_id = fields.Many2one(
        "response.support.system",
        string="System",
        required=True,
        index=True,
        ondelete="cascade",
    )
    source_id = fields.Many2one(
        "response.support.alert.source",
        string="Alert Source",
        ondelete="cascade",
        help="Only the alerts of this source; empty: all sources.",
    )
    company_id = fields.Many2one(related="system_id.company_id", store=True)
    date_start = fields.Datetime(string="Start", required=True)
    date_end = fields.Datetime(string="End", required=True)

    @api.constrains("date_start", "date_end")
    def _check_dates(self):
        for silence in self:
            if silence.date_end <= silence.date_start:
                raise ValidationError(
                    self.env._(
                        "Maintenance window %(name)s must end after it starts.",
                        name=silence.name,
                    )
                )
