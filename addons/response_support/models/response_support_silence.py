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

    @api.model
    def _get_silenced(self, alerts):
        """The alerts among ``alerts`` received in a maintenance window of their
        system (and source), in one query."""
        alerts = alerts.filtered("system_id")
        if not alerts:
            return alerts
        moments = alerts.mapped("last_seen")
        silences = self.search_fetch(
            [
                ("system_id", "in", alerts.system_id.ids),
                ("date_start", "<=", max(moments)),
                ("date_end", ">", min(moments)),
            ],
            ["system_id", "source_id", "date_start", "date_end"],
        )
        return alerts.filtered(
            lambda a: any(
                s.system_id == a.system_id
                and (not s.source_id or s.source_id == a.source_id)
                and s.date_start <= a.last_seen < s.date_end
                for s in silences
            )
        )
