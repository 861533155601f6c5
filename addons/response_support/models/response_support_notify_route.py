from odoo import fields, models

NOTIFY_EVENTS = [
    ("sla_warning", "SLA Warning"),
    ("sla_breach", "SLA Breach"),
    ("escalation", "Escalation"),
    ("emergency_raised", "Possible Emergency Raised"),
    ("emergency_confirmed", "Emergency Confirmed"),
    ("complaint", "Complaint"),
    # for the monitoring alerts: an alert whose ticket could not be created or
    # updated; queued by the alerts concern with _queue_notifications
    ("alert_error", "Alert in Error"),
]


class ResponseSupportNotifyRoute(models.Model):
    """Which events of which team (and SLA level / warning threshold) a channel
    gets. Empty team or level means all."""

    _name = "response.support.notify.route"
    _description = "Notification Route"
    _order = "channel_id, event, id"

    channel_id = fields.Many2one(
        "response.support.notify.channel",
        required=True,
        ondelete="cascade",
        index=True,
    )
    active = fields.Boolean(related="channel_id.active", store=True)
    company_id = fields.Many2one(
        related="channel_id.company_id", store=True, index=True
    )
    event = fields.Selection(NOTIFY_EVENTS, required=True)
    team_id = fields.Many2one(
        "helpdesk.ticket.team",
        string="Team",
        ondelete="cascade",
        index=True,
        help="Only tickets of this team; empty: every team.",
    )
    sla_level_id = fields.Many2one(
        "response.support.sla.level",
        string="SLA Level",
        ondelete="cascade",
        help="Only tickets under this SLA level; empty: every level.",
    )
    min_percent = fields.Integer(
        string="From Threshold %",
        help="SLA warnings only: from this threshold on (e.g. 80 leaves out the 50% "
        "warnings); 0: every warning.",
    )

    def _matches(self, ticket, threshold=None):
        self.ensure_one()
        company = self.channel_id.company_id
        if company and company != ticket.company_id:
            return False
        if self.team_id and self.team_id != ticket.team_id:
            return False
        if self.sla_level_id and self.sla_level_id != ticket.sla_level_id:
            return False
        if self.event == "sla_warning" and threshold and self.min_percent:
            return threshold.percent >= self.min_percent
        return True
