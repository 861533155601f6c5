from odoo import fields, models


class HelpdeskTicketStage(models.Model):
    _inherit = "helpdesk.ticket.stage"

    intake_exempt = fields.Boolean(
        string="Skips Intake Checks",
        help="Tickets may move from intake to this stage without the six intake "
        "confirmations (e.g. cancelled or rejected requests).",
    )
