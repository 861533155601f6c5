from odoo import api, fields, models


class HelpdeskTicket(models.Model):
    """Support activities (§5.2): the on-site visits and remote sessions of the
    ticket, its handling mode, and the legacy issues they left."""

    # one file per concern of the standard, on purpose (see helpdesk_ticket.py)
    _inherit = "helpdesk.ticket"  # pylint: disable=consider-merging-classes-inherited

    support_activity_ids = fields.One2many(
        "response.support.activity", "ticket_id", string="Support Activities"
    )
    support_activity_count = fields.Integer(compute="_compute_support_activity_count")
    support_mode = fields.Selection(
        [
            ("onsite", "On-site"),
            ("remote", "Remote"),
            ("mixed", "On-site and Remote"),
        ],
        string="Handling Mode",
        compute="_compute_support_mode",
        store=True,
    )
    legacy_issue_ids = fields.One2many(
        "response.support.legacy.issue", "ticket_id", string="Legacy Issues"
    )
    # the first on-site visit's request and arrival (before support activities,
    # the ticket had one such pair)
    onsite_requested_date = fields.Datetime(
        string="On-site Requested On",
        compute="_compute_onsite_dates",
        store=True,
    )
    onsite_arrival_date = fields.Datetime(
        string="On-site Arrival",
        compute="_compute_onsite_dates",
        store=True,
    )

    @api.depends("support_activity_ids.mode", "support_activity_ids.state")
    def _compute_support_mode(self):
        for ticket in self:
            activities = ticket.support_activity_ids.filtered(
                lambda a: a.state != "cancel"
            )
            modes = {a.mode == "onsite" for a in activities}
            ticket.support_mode = (
                "mixed"
                if len(modes) == 2
                else ("onsite" if True in modes else "remote")
                if modes
                else False
            )

    @api.depends("support_activity_ids")
    def _compute_support_activity_count(self):
        for ticket in self:
            ticket.support_activity_count = len(ticket.support_activity_ids)

    @api.depends(
        "support_activity_ids.mode",
        "support_activity_ids.requested_date",
        "support_activity_ids.checkin_date",
        "support_activity_ids.state",
    )
    def _compute_onsite_dates(self):
        for ticket in self:
            visits = ticket.support_activity_ids.filtered(
                lambda a: a.mode == "onsite" and a.state != "cancel"
            ).sorted(lambda a: (a.requested_date, a.id))
            first = visits[:1]
            ticket.onsite_requested_date = first.requested_date
            ticket.onsite_arrival_date = first.checkin_date
