from odoo import api, fields, models

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
    skill_fallback = fields.Selection(
        [("any", "Any Available Member"), ("none", "Leave Unassigned")],
        string="When No Skilled Engineer Is Free",
        required=True,
        default="any",
        help="When the service catalog entry needs a skill and no available member "
        "has it at the minimum level: propose any available member, or leave the "
        "ticket for the team to assign.",
    )
    notify_lang = fields.Selection(
        "_get_notify_langs",
        string="Notification Language",
        help="Language of the messages the notification channels post for this "
        "team; empty: the team leader's language.",
    )
    followup_max_attempts = fields.Integer(
        string="Follow-up Attempts Before Closure",
        default=3,
        help="After this many follow-up calls that did not reach the customer, the "
        "desk may close a resolved ticket without an answer (0: no such rule).",
    )
    followup_no_answer_days = fields.Integer(
        string="Working Days Without Answer",
        default=3,
        help="This many working days (in the ticket's SLA calendar) after the first "
        "follow-up call that did not reach the customer, the desk may close a "
        "resolved ticket without an answer (0: no such rule).",
    )
    followup_auto_close = fields.Boolean(
        string="Close on Customer Confirmation",
        help="A ticket closes as soon as the customer confirms the solution (call "
        "or portal); otherwise the desk closes it.",
    )
    last_assigned_user_id = fields.Many2one(
        "res.users",
        string="Last Assigned Member",
        readonly=True,
        copy=False,
        help="Where the round robin stands.",
    )

    def _retrieve_dashboard(self):
        """helpdesk_mgmt's tiles named in our words: its names are code terms of
        helpdesk_mgmt, which Odoo translates only from helpdesk_mgmt's own po
        files (it ships no zh_CN)."""
        names = {
            "helpdesk_mgmt.helpdesk_ticket_action_unassigned": self.env._(
                "Open Tickets without team"
            ),
            "helpdesk_mgmt.helpdesk_ticket_action_opened": self.env._("Open Tickets"),
        }
        tiles = super()._retrieve_dashboard()
        for tile in tiles:
            tile["name"] = names.get(tile.get("action"), tile["name"])
        return tiles

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

    @api.model
    def _get_notify_langs(self):
        return self.env["res.lang"].get_installed()

    def _get_notify_lang(self):
        """The language of the team's channel messages: its own, else its
        leader's, else the company's, else English."""
        if len(self) != 1:
            return self.env.company.partner_id.lang or "en_US"
        return (
            self.notify_lang
            or self.user_id.lang
            or self.env.company.partner_id.lang
            or "en_US"
        )

    def _get_assignee(self, ticket=None):
        """The member the team's assignment method picks, or an empty recordset
        (hook: ``_assign_<method>(members)``). With a ``ticket`` whose service
        catalog entry needs a skill, only members with that skill at the minimum
        level are candidates (else the team's ``skill_fallback``), and the ticket
        gets a note saying why the engineer was proposed."""
        self.ensure_one()
        user, reasons = self._pick_assignee(ticket)
        if self.assign_method == "manual":
            return user
        catalog = ticket.catalog_id if ticket else self.env["response.support.catalog"]
        skill, level = catalog.skill_id, catalog.skill_min_level or 1
        if not user:
            if ticket and skill:
                ticket._post_note(
                    ticket._desk_env()._(
                        "No available member of %(team)s has %(skill)s ≥ %(level)s: "
                        "the ticket is left for the team to assign.",
                        team=self.display_name,
                        skill=skill.name,
                        level=level,
                    )
                )
            return user
        # the round-robin pointer is bookkeeping of the dispatch, not a team setting:
        # the desk that dispatches may not edit teams
        self.sudo().last_assigned_user_id = user
        if ticket:
            ticket._post_note(
                ticket._desk_env()._(
                    "Proposed %(user)s: %(reasons)s.",
                    user=user.name,
                    reasons=", ".join(r for r in reasons if r),
                )
            )
        return user

    def _pick_assignee(self, ticket=None):
        """(member, reasons): whom the assignment method would pick now, without
        side effects (the dispatch dialog shows it before it is confirmed)."""
        self.ensure_one()
        if self.assign_method == "manual":
            return self.env["res.users"], []
        members = self._get_available_members()
        reasons = []
        catalog = ticket.catalog_id if ticket else self.env["response.support.catalog"]
        skill, level = catalog.skill_id, catalog.skill_min_level or 1
        if skill and members:
            skilled = self._filter_skilled(members, skill, level)
            if skilled:
                members = skilled
                reasons.append(
                    self.env._(
                        "has %(skill)s ≥ %(level)s", skill=skill.name, level=level
                    )
                )
            elif self.skill_fallback == "none":
                members = skilled
            else:
                reasons.append(
                    self.env._(
                        "nobody free has %(skill)s ≥ %(level)s, so any available "
                        "member",
                        skill=skill.name,
                        level=level,
                    )
                )
        if not members:
            return members, reasons
        user = getattr(self, f"_assign_{self.assign_method}")(members)
        reasons.append(self._get_assign_reason(user, members))
        return user, reasons

    @api.model
    def _filter_skilled(self, members, skill, level):
        """The members with ``skill`` at ``level`` or above (one query)."""
        lines = self.env["response.support.user.skill"].search_fetch(
            [
                ("user_id", "in", members.ids),
                ("skill_id", "=", skill.id),
                ("level", ">=", level),
            ],
            ["user_id"],
        )
        return members & lines.user_id

    def _get_assign_reason(self, user, members):
        """Why the assignment method picked ``user`` among ``members``."""
        self.ensure_one()
        if self.assign_method == "least_loaded":
            counts = self._get_open_ticket_counts(members)
            return self.env._(
                "least loaded (%(count)s open)", count=counts.get(user, 0)
            )
        if self.assign_method == "round_robin":
            return self.env._("next in the round robin")
        return ""

    def _assign_round_robin(self, members):
        """The member after the last assigned one, in id order, wrapping around."""
        last = self.last_assigned_user_id
        following = members.filtered(lambda u: u.id > last.id)
        return following[:1] or members[:1]

    def _assign_least_loaded(self, members):
        """The member with the fewest open tickets (all teams); ties go by id."""
        counts = self._get_open_ticket_counts(members)
        return min(members, key=lambda u: (counts.get(u, 0), u.id))

    def _get_open_ticket_counts(self, members):
        """{user: open tickets} over all teams."""
        # counts only, no ticket is returned: the workload of every team counts,
        # including tickets the dispatching user may not read
        return dict(
            self.env["helpdesk.ticket"]
            .sudo()
            ._read_group(
                [("user_id", "in", members.ids), ("stage_id.closed", "=", False)],
                ["user_id"],
                ["__count"],
            )
        )

    def action_view_skills_matrix(self):
        """The team's skills matrix: engineers × skills, highest level."""
        self.ensure_one()
        action = self.env["ir.actions.act_window"]._for_xml_id(
            "response_support.response_support_user_skill_matrix_action"
        )
        action["domain"] = [("user_id", "in", self.user_ids.ids)]
        action["display_name"] = self.env._(
            "Skills Matrix: %(team)s", team=self.display_name
        )
        return action
