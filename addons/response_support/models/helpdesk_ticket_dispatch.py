from odoo import models
from odoo.exceptions import UserError


class HelpdeskTicket(models.Model):
    """Dispatch (§4.3): the engineer accepts a dispatched ticket, reassigns it
    (转派) to another team or engineer, or hands it back to the team queue, each
    with a reason recorded on the ticket."""

    # one file per concern of the standard, on purpose (see helpdesk_ticket.py)
    _inherit = "helpdesk.ticket"  # pylint: disable=consider-merging-classes-inherited

    # ------------------------------------------------------------------ dispatch

    def action_accept(self):
        """The engineer accepts the dispatch: takes it if nobody has it, and this
        is the first response."""
        unassigned = self.filtered(lambda t: not t.user_id)
        unassigned.write({"user_id": self.env.user.id})
        self.action_acknowledge()
        for ticket in unassigned:
            ticket._post_note(
                ticket._desk_env()._("Accepted by %(user)s.", user=self.env.user.name)
            )
        return True

    def action_reassign(self):
        self.ensure_one()
        return self._open_reassign_wizard("reassign", self.env._("Reassign"))

    def action_hand_back(self):
        self.ensure_one()
        return self._open_reassign_wizard("hand_back", self.env._("Hand Back"))

    def _open_reassign_wizard(self, mode, name):
        return self._open_ticket_wizard(
            "response.support.ticket.reassign",
            name,
            {"default_mode": mode, "default_team_id": self.team_id.id},
        )

    def _check_reason(self, reason):
        if not (reason or "").strip():
            raise UserError(
                self.env._(
                    "Give the reason: it is recorded on the ticket for the desk and "
                    "the managers."
                )
            )

    def _reassign(self, reason, team=None, user=None):
        """转派: hand the tickets to another team and/or engineer, with a reason."""
        self._check_reason(reason)
        team = team or self.env["helpdesk.ticket.team"]
        user = user or self.env["res.users"]
        if not team and not user:
            raise UserError(
                self.env._("Choose the team or the engineer to reassign the ticket to.")
            )
        for ticket in self:
            vals = {}
            if team and team != ticket.team_id:
                vals["team_id"] = team.id
            if user:
                vals["user_id"] = user.id
            elif "team_id" in vals:
                vals["user_id"] = False  # back to the new team's queue
            ticket.write(vals)
            ticket._post_note(
                ticket._desk_env()._(
                    "Reassigned to %(assignee)s. Reason: %(reason)s",
                    assignee=ticket._get_assignee_label(),
                    reason=reason,
                )
            )
        return True

    def _hand_back(self, reason):
        """The engineer gives the dispatch back to the team queue, with a reason."""
        self._check_reason(reason)
        for ticket in self:
            ticket.write({"user_id": False})
            ticket._post_note(
                ticket._desk_env()._(
                    "Handed back to the %(team)s queue by %(user)s. Reason: %(reason)s",
                    team=ticket.team_id.name or "-",
                    user=self.env.user.name,
                    reason=reason,
                )
            )
        return True
