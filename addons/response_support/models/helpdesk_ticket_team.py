from odoo import fields, models

ASSIGN_METHODS = [
    ("manual", "Manual"),
    ("round_robin", "Round Robin"),
    ("least_loaded", "Least Loaded"),
]


class HelpdeskTicketTeam(models.Model):
    _inherit = "helpdesk.ticket.team"

    response_support_process = fields.Boolean(
        string="Response-Support Process",
        help="Tickets of this team follow the response-support process: the six "
        "intake confirmations, contract scope decisions, SLA clocks, dispatch and "
        "engineer rules, emergencies and complaints. Other teams work as plain "
        "helpdesk teams. Existing teams are off when the addon is installed.",
    )
    assign_method = fields.Selection(
        ASSIGN_METHODS,
        string="Assignment Method",
        required=True,
        default="manual",
        help="How a dispatched ticket without an assignee gets one: manual (the team "
        "picks), round robin (members in turn) or least loaded (the member with the "
        "fewest open tickets). Members on leave are skipped.",
    )
    last_assigned_user_id = fields.Many2one(
        "res.users",
        string="Last Assigned Member",
        readonly=True,
        copy=False,
        help="Where the round robin stands.",
    )

    def _get_available_members(self, moment=None):
        """Members who can take a ticket at ``moment`` (default now): active internal
        users without a leave of their resource covering that moment, by id."""
        self.ensure_one()
        moment = moment or fields.Datetime.now()
        members = self.user_ids.filtered(lambda u: u.active and not u.share)
        # reads leaves only to learn who is away, nothing of them is shown: the desk
        # may not read other users' leaves
        leaves = (
            self.env["resource.calendar.leaves"]
            .sudo()
            .search_fetch(
                [
                    ("resource_id", "in", members.sudo().resource_ids.ids),
                    ("date_from", "<=", moment),
                    ("date_to", ">", moment),
                ],
                ["resource_id"],
            )
        )
        return (members - leaves.resource_id.user_id).sorted("id")

    def _get_assignee(self):
        """The member the team's assignment method picks, or an empty recordset
        (hook: ``_assign_<method>(members)``)."""
        self.ensure_one()
        if self.assign_method == "manual":
            return self.env["res.users"]
        members = self._get_available_members()
        if not members:
            return members
        user = getattr(self, f"_assign_{self.assign_method}")(members)
        # the round-robin pointer is bookkeeping of the dispatch, not a team setting:
        # the desk that dispatches may not edit teams
        self.sudo().last_assigned_user_id = user
        return user

    def _assign_round_robin(self, members):
        """The member after the last assigned one, in id order, wrapping around."""
        last = self.last_assigned_user_id
        following = members.filtered(lambda u: u.id > last.id)
        return following[:1] or members[:1]

    def _assign_least_loaded(self, members):
        """The member with the fewest open tickets (all teams); ties go by id."""
        # counts only, no ticket is returned: the workload of every team counts,
        # including tickets the dispatching user may not read
        counts = dict(
            self.env["helpdesk.ticket"]
            .sudo()
            ._read_group(
                [("user_id", "in", members.ids), ("stage_id.closed", "=", False)],
                ["user_id"],
                ["__count"],
            )
        )
        return min(members, key=lambda u: (counts.get(u, 0), u.id))
