from odoo import api, fields, models


class ResponseSupportTicketDispatch(models.TransientModel):
    """The dispatch dialog: the target team and engineer are shown before the
    dispatch is confirmed; the desk may choose others."""

    _name = "response.support.ticket.dispatch"
    _description = "Dispatch a Ticket"

    ticket_id = fields.Many2one("helpdesk.ticket", required=True, ondelete="cascade")
    proposed_team_id = fields.Many2one(
        "helpdesk.ticket.team",
        string="Proposed Team",
        compute="_compute_proposed_team_id",
    )
    proposed_user_id = fields.Many2one(
        "res.users",
        string="Proposed Engineer",
        compute="_compute_proposed_user_id",
    )
    team_id = fields.Many2one(
        "helpdesk.ticket.team",
        string="Team",
        compute="_compute_team_id",
        store=True,
        readonly=False,
    )
    assign_method = fields.Selection(related="team_id.assign_method")
    team_user_ids = fields.Many2many(related="team_id.user_ids")
    user_id = fields.Many2one(
        "res.users",
        string="Engineer",
        compute="_compute_user_id",
        store=True,
        readonly=False,
        domain="[('id', 'in', team_user_ids)]",
    )

    @api.depends("ticket_id")
    def _compute_proposed_team_id(self):
        for wizard in self:
            wizard.proposed_team_id = wizard.ticket_id._get_dispatch_team()

    @api.depends("ticket_id", "team_id")
    def _compute_proposed_user_id(self):
        for wizard in self:
            team = wizard.team_id or wizard.proposed_team_id
            wizard.proposed_user_id = (
                team._pick_assignee(wizard.ticket_id)[0] if team else False
            )

    @api.depends("ticket_id")
    def _compute_team_id(self):
        for wizard in self:
            wizard.team_id = wizard.proposed_team_id

    @api.depends("team_id")
    def _compute_user_id(self):
        for wizard in self:
            wizard.user_id = wizard.proposed_user_id

    def action_confirm(self):
        """Dispatch; a team or engineer other than the proposal is the desk's
        explicit choice and wins over the assignment method."""
        self.ensure_one()
        ticket = self.ticket_id
        ticket._check_desk_action(self.env._("dispatch a ticket"))
        ticket._check_intake_complete()
        team = self.team_id if self.team_id != self.proposed_team_id else None
        user = self.user_id if self.user_id != self.proposed_user_id else None
        ticket._dispatch(team=team or self.team_id, user=user)
        return {"type": "ir.actions.act_window_close"}
