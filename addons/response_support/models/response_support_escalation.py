from odoo import fields, models

ESCALATION_LEVELS = [
    ("engineer", "Engineer"),
    ("manager", "Technical Support Manager"),
    ("emergency", "Emergency"),
]
# the ladder climbs in the order of the levels
ESCALATION_LADDER = [level for level, _label in ESCALATION_LEVELS]


class ResponseSupportEscalation(models.Model):
    """One step up the escalation ladder of a ticket (§4.3): who raised it, when, why,
    from which level to which, and when the ticket was resolved. Written by the
    system when a ticket is escalated, never edited by hand."""

    _name = "response.support.escalation"
    _description = "Ticket Escalation"
    _order = "date desc, id desc"

    ticket_id = fields.Many2one(
        "helpdesk.ticket", required=True, ondelete="cascade", index=True
    )
    company_id = fields.Many2one(related="ticket_id.company_id", store=True, index=True)
    from_level = fields.Selection(ESCALATION_LEVELS, required=True)
    to_level = fields.Selection(ESCALATION_LEVELS, required=True)
    reason = fields.Text(required=True)
    user_id = fields.Many2one(
        "res.users",
        string="Escalated By",
        required=True,
        default=lambda self: self.env.user,
    )
    date = fields.Datetime(required=True, default=fields.Datetime.now)
    trigger = fields.Selection(
        [("manual", "Manual"), ("sla", "SLA Rule")],
        required=True,
        default="manual",
    )
    resolved_date = fields.Datetime(string="Resolved On")
