from odoo import api, fields, models
from odoo.exceptions import AccessError

# the O&M data that brings a ticket of the intake queue (no team yet) into the process
OM_FIELDS = ("system_id", "contract_id", "catalog_id")


class HelpdeskTicket(models.Model):
    """Which tickets follow the response-support process: those of the teams that
    adopt it, and those of the intake queue that name O&M data. Every rule of the
    process (intake, SLA, roles, complaints) applies to them only; other tickets
    work as in plain helpdesk_mgmt."""

    # one file per concern of the standard, on purpose (see helpdesk_ticket.py)
    _inherit = "helpdesk.ticket"  # pylint: disable=consider-merging-classes-inherited

    response_support_process = fields.Boolean(
        string="Response-Support Process",
        compute="_compute_response_support_process",
        store=True,
        index=True,
        help="The ticket follows the response-support process: its team adopts it, "
        "or it has no team yet and names an O&M system, contract or service "
        "catalog entry. Other tickets work as in plain helpdesk.",
    )

    @api.depends(
        "team_id.response_support_process", "system_id", "contract_id", "catalog_id"
    )
    def _compute_response_support_process(self):
        for ticket in self:
            ticket.response_support_process = ticket._follows_response_support(
                ticket.team_id,
                ticket.system_id or ticket.contract_id or ticket.catalog_id,
            )

    @api.model
    def _follows_response_support(self, team, om_data):
        """The one rule of who follows the process (hook): a team decides for its
        tickets; the intake queue (no team yet) holds O&M tickets, those naming a
        system, contract or catalog entry."""
        if team:
            return team.response_support_process
        return bool(om_data)

    @api.model
    def _check_process_flag_write(self, vals):
        """Who follows the process is decided by the team, never written: a client
        could otherwise switch every rule of the process off for a ticket."""
        if "response_support_process" in vals:
            raise AccessError(
                self.env._(
                    "Whether a ticket follows the response-support process depends on "
                    "its team: move the ticket to another team instead."
                )
            )

    @api.model
    def _vals_follow_response_support(self, vals):
        """Whether a ticket created with ``vals`` follows the process (same rule
        as the stored flag, before the ticket exists)."""
        team = self.env["helpdesk.ticket.team"].browse(vals.get("team_id") or [])
        return self._follows_response_support(team, any(vals.get(f) for f in OM_FIELDS))

    def _filter_response_support(self, vals=None):
        """The tickets that follow the process now, or will once ``vals`` is
        written (a ticket moved into an adopting team is checked like one already
        in it)."""
        if not vals or not {"team_id", *OM_FIELDS} & set(vals):
            return self.filtered("response_support_process")
        team = self.env["helpdesk.ticket.team"].browse(vals.get("team_id") or [])
        om_vals = any(vals.get(f) for f in OM_FIELDS)
        return self.filtered(
            lambda t: t.response_support_process
            or t._follows_response_support(
                team if "team_id" in vals else t.team_id,
                om_vals or t.system_id or t.contract_id or t.catalog_id,
            )
        )
