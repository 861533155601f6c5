from odoo import fields, models


class HelpdeskTicketStage(models.Model):
    _inherit = "helpdesk.ticket.stage"

    intake_exempt = fields.Boolean(
        string="Skips Intake Checks",
        help="Tickets may move from intake to this stage without the six intake "
        "confirmations (e.g. cancelled or rejected requests).",
    )
    sla_pause = fields.Boolean(
        string="Pauses SLA Clocks",
        help="While a ticket is in this stage (waiting on the customer or a third "
        "party) its SLA clocks stand still.",
    )
    sla_resolved = fields.Boolean(
        string="Counts as Resolved",
        help="Entering this stage stops the resolution clock (closed stages do too, "
        "except those that skip intake checks: cancelled and rejected tickets stop "
        "their clocks without meeting them).",
    )
