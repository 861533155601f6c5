from odoo import fields, models


class ResponseSupportAlertTriage(models.TransientModel):
    """The desk links selected alerts to an existing ticket, or ignores them with a
    reason (派单管控)."""

    _name = "response.support.alert.triage"
    _description = "Triage Monitoring Alerts"

    mode = fields.Selection(
        [("link", "Link to Ticket"), ("ignore", "Ignore")],
        required=True,
        default="link",
    )
    alert_ids = fields.Many2many(
        "response.support.alert",
        relation="response_support_alert_triage_rel",
        column1="wizard_id",
        column2="alert_id",
        string="Alerts",
    )
    ticket_id = fields.Many2one("helpdesk.ticket", string="Ticket")
    # required in the form; the alerts check it too, whoever calls them
    reason = fields.Text()

    def action_confirm(self):
        self.ensure_one()
        if self.mode == "link":
            self.alert_ids._link_to_ticket(self.ticket_id)
        else:
            self.alert_ids._ignore(self.reason)
        return {"type": "ir.actions.act_window_close"}
