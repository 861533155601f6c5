from markupsafe import Markup

from odoo import api, fields, models, tools
from odoo.exceptions import UserError
from odoo.tools.misc import format_datetime

TICKET_PRIORITIES = [
    ("0", "Low"),
    ("1", "Medium"),
    ("2", "High"),
    ("3", "Very High"),
]
IMPACTS = [
    ("low", "Single User"),
    ("medium", "Department or Several Users"),
    ("high", "Whole Organisation or Core System"),
]
URGENCIES = [
    ("low", "Low"),
    ("medium", "Medium"),
    ("high", "High"),
]
REPORTER_ROLES = [
    ("user", "Affected User"),
    ("admin", "Customer IT Administrator"),
    ("manager", "Customer Manager"),
    ("vendor", "Third-party Vendor"),
    ("engineer", "Our Engineer"),
    ("monitoring", "Monitoring System"),
]
# ticket fields whose change can start, stop, pause or retarget an SLA clock
SLA_TRIGGER_FIELDS = {
    "stage_id",
    "priority",
    "impact",
    "urgency",
    "sla_level_id",
    "contract_id",
    "system_id",
    "partner_id",
    "reported_date",
    "company_id",
    "responded_date",
    "onsite_requested_date",
    "onsite_arrival_date",
}
ESCALATION_LADDER = ["engineer", "manager", "emergency"]
COVERAGE_STATES = [
    ("covered", "Covered"),
    ("out_of_scope", "Outside Contract Scope"),
    ("expired", "Contract Expired or Not Started"),
    ("no_contract", "No Contract"),
]


class HelpdeskTicket(models.Model):
    _inherit = "helpdesk.ticket"

    reported_date = fields.Datetime(
        string="Reported On",
        required=True,
        default=fields.Datetime.now,
        tracking=True,
        help="When the customer reported the request; it selects the contract phase.",
    )
    # -- 1. system / platform and contract
    system_id = fields.Many2one(
        "response.support.system",
        string="System / Platform",
        compute="_compute_system_id",
        store=True,
        readonly=False,
        tracking=True,
        index=True,
        domain="[('partner_id', '=?', commercial_partner_id)]",
    )
    contract_id = fields.Many2one(
        "response.support.contract",
        string="O&M Contract",
        compute="_compute_contract_id",
        store=True,
        readonly=False,
        tracking=True,
        index=True,
    )
    contract_phase_id = fields.Many2one(
        "response.support.contract.phase",
        string="Contract Phase",
        compute="_compute_contract_phase_id",
        store=True,
    )
    contract_phase = fields.Selection(
        related="contract_phase_id.phase", string="Phase", store=True
    )
    # -- 2. reporter (name and email are helpdesk_mgmt's partner_name / partner_email)
    reporter_phone = fields.Char(
        compute="_compute_reporter_phone",
        store=True,
        readonly=False,
    )
    reporter_organization = fields.Char(
        string="Reporter Organisation",
        compute="_compute_reporter_organization",
        store=True,
        readonly=False,
    )
    reporter_role = fields.Selection(REPORTER_ROLES)
    # -- 4. scope: catalog and SLA level
    catalog_id = fields.Many2one(
        "response.support.catalog",
        string="Service Catalog",
        tracking=True,
        index=True,
    )
    sla_level_id = fields.Many2one(
        "response.support.sla.level",
        string="SLA Level",
        compute="_compute_sla_level_id",
        store=True,
        readonly=False,
        tracking=True,
    )
    sla_target_id = fields.Many2one(
        "response.support.sla.target",
        string="SLA Targets",
        compute="_compute_sla_target_id",
        store=True,
    )
    coverage_state = fields.Selection(
        COVERAGE_STATES,
        string="Coverage",
        compute="_compute_coverage_state",
        store=True,
    )
    scope_decision = fields.Selection(
        [("chargeable", "Accepted as Chargeable"), ("rejected", "Rejected")],
        tracking=True,
        readonly=True,
        copy=False,
    )
    scope_decision_user_id = fields.Many2one(
        "res.users", string="Scope Decided By", readonly=True, copy=False
    )
    scope_decision_date = fields.Datetime(
        string="Scope Decided On", readonly=True, copy=False
    )
    # -- 5. impact and urgency → priority
    impact = fields.Selection(IMPACTS, tracking=True)
    urgency = fields.Selection(URGENCIES, tracking=True)
    priority_matrix = fields.Selection(
        TICKET_PRIORITIES,
        string="Matrix Priority",
        compute="_compute_priority_matrix",
        store=True,
    )
    priority = fields.Selection(
        compute="_compute_priority",
        store=True,
        readonly=False,
        tracking=True,
        default=None,  # the matrix decides; helpdesk_mgmt's default would hide it
    )
    priority_override = fields.Boolean(
        string="Priority Overridden",
        readonly=True,
        copy=False,
        tracking=True,
        help="A desk engineer set the priority by hand instead of the matrix.",
    )
    # -- 6. attachments
    no_attachment = fields.Boolean(
        string="Reporter Has No Attachment",
        help="Confirmed with the reporter that there is no screenshot or photo.",
    )
    # -- intake outcome
    intake_missing = fields.Text(
        string="Missing Intake Items", compute="_compute_intake_missing"
    )
    intake_outcome = fields.Selection(
        [
            ("desk", "Resolved at the Desk"),
            ("assigned", "Assigned to an Engineer"),
            ("emergency", "Raised as Possible Emergency"),
        ],
        readonly=True,
        copy=False,
        tracking=True,
    )
    emergency_state = fields.Selection(
        [("possible", "Possible Emergency")],
        readonly=True,
        copy=False,
        tracking=True,
        index=True,
    )
    resolution = fields.Html(string="Solution")
    resolved_date = fields.Datetime(string="Resolved On", readonly=True, copy=False)
    # -- SLA clocks
    responded_date = fields.Datetime(
        string="Responded On",
        readonly=True,
        copy=False,
        help="First response: an engineer acknowledged the ticket or answered the "
        "customer.",
    )
    onsite_requested_date = fields.Datetime(
        string="On-site Requested On", copy=False, tracking=True
    )
    onsite_arrival_date = fields.Datetime(
        string="On-site Arrival", copy=False, tracking=True
    )
    sla_clock_ids = fields.One2many(
        "response.support.sla.clock", "ticket_id", string="SLA Clocks"
    )
    sla_status = fields.Selection(
        [
            ("running", "On Track"),
            ("at_risk", "At Risk"),
            ("paused", "Paused"),
            ("met", "Met"),
            ("breached", "Breached"),
        ],
        string="SLA Status",
        compute="_compute_sla_status",
        store=True,
        index=True,
    )
    sla_deadline = fields.Datetime(
        string="Next SLA Deadline",
        compute="_compute_sla_status",
        store=True,
        index=True,
    )
    escalation_level = fields.Selection(
        [
            ("engineer", "Engineer"),
            ("manager", "Technical Support Manager"),
            ("emergency", "Emergency"),
        ],
        default="engineer",
        required=True,
        tracking=True,
        copy=False,
    )

    # ------------------------------------------------------------------ computes

    @api.depends("commercial_partner_id")
    def _compute_system_id(self):
        """A reporter whose organisation runs exactly one system gets it by default."""
        todo = self.filtered(lambda t: not t.system_id and t.commercial_partner_id)
        if not todo:
            return
        systems = self.env["response.support.system"].search_fetch(
            [("partner_id", "in", todo.commercial_partner_id.ids)], ["partner_id"]
        )
        by_partner = {}
        for system in systems:
            by_partner.setdefault(system.partner_id, system)
            if by_partner[system.partner_id] != system:
                by_partner[system.partner_id] = False
        for ticket in todo:
            ticket.system_id = by_partner.get(ticket.commercial_partner_id) or False

    @api.depends("system_id", "commercial_partner_id", "reported_date", "company_id")
    def _compute_contract_id(self):
        contracts = self.env["response.support.contract"]
        for ticket in self:
            found = contracts._find_for_ticket(
                ticket.system_id,
                ticket.commercial_partner_id,
                ticket._reported_day(),
                ticket.company_id,
            )
            if found or not ticket.contract_id:
                ticket.contract_id = found

    @api.depends(
        "contract_id.phase_ids.date_start",
        "contract_id.phase_ids.date_end",
        "reported_date",
    )
    def _compute_contract_phase_id(self):
        for ticket in self:
            ticket.contract_phase_id = (
                ticket.contract_id._get_phase(ticket._reported_day())
                if ticket.contract_id
                else False
            )

    @api.depends("partner_id")
    def _compute_reporter_phone(self):
        for ticket in self:
            if not ticket.reporter_phone:
                ticket.reporter_phone = (
                    ticket.partner_id.phone or ticket.partner_id.mobile
                )

    @api.depends("partner_id")
    def _compute_reporter_organization(self):
        for ticket in self:
            if not ticket.reporter_organization and ticket.partner_id:
                ticket.reporter_organization = (
                    ticket.partner_id.commercial_partner_id.name
                )

    @api.depends("contract_phase_id")
    def _compute_sla_level_id(self):
        for ticket in self:
            if ticket.contract_phase_id:
                ticket.sla_level_id = ticket.contract_phase_id.sla_level_id

    @api.depends("sla_level_id.target_ids.priority", "priority")
    def _compute_sla_target_id(self):
        for ticket in self:
            ticket.sla_target_id = (
                ticket.sla_level_id._get_target(ticket.priority)
                if ticket.sla_level_id
                else False
            )

    @api.depends("contract_id", "contract_phase_id", "catalog_id")
    def _compute_coverage_state(self):
        for ticket in self:
            if not ticket.contract_id:
                ticket.coverage_state = "no_contract"
            elif not ticket.contract_phase_id:
                ticket.coverage_state = "expired"
            elif not ticket.contract_phase_id._covers(ticket.catalog_id):
                ticket.coverage_state = "out_of_scope"
            else:
                ticket.coverage_state = "covered"

    @api.depends("impact", "urgency", "company_id")
    def _compute_priority_matrix(self):
        cells = self.env["response.support.priority.matrix"]._lookup_map(
            self.company_id
        )
        for ticket in self:
            ticket.priority_matrix = cells.get(
                (ticket.company_id.id, ticket.impact, ticket.urgency), False
            )

    @api.depends("priority_matrix")
    def _compute_priority(self):
        for ticket in self:
            if ticket.priority_matrix and not ticket.priority_override:
                ticket.priority = ticket.priority_matrix
            elif not ticket.priority:
                ticket.priority = "1"

    @api.depends(
        "system_id",
        "contract_id",
        "partner_name",
        "partner_email",
        "reporter_phone",
        "reporter_organization",
        "reporter_role",
        "name",
        "description",
        "catalog_id",
        "sla_level_id",
        "impact",
        "urgency",
        "no_attachment",
        "attachment_ids",
        "coverage_state",
        "scope_decision",
    )
    def _compute_intake_missing(self):
        for ticket in self:
            ticket.intake_missing = "\n".join(ticket._get_intake_missing())

    @api.depends(
        "sla_clock_ids.status",
        "sla_clock_ids.deadline",
        "sla_clock_ids.fired_threshold_ids",
    )
    def _compute_sla_status(self):
        # one fetch for every ticket's clocks, not one per ticket
        self.sla_clock_ids.fetch(
            ["status", "deadline", "breached", "fired_threshold_ids"]
        )
        for ticket in self:
            clocks = ticket.sla_clock_ids.filtered(lambda c: c.status != "cancelled")
            running = clocks.filtered(lambda c: c.status == "running")
            ticket.sla_deadline = min(running.mapped("deadline"), default=False)
            if any(c.breached for c in clocks):
                ticket.sla_status = "breached"
            elif running.filtered("fired_threshold_ids"):
                ticket.sla_status = "at_risk"
            elif running:
                ticket.sla_status = "running"
            elif clocks.filtered(lambda c: c.status == "paused"):
                ticket.sla_status = "paused"
            elif clocks:
                ticket.sla_status = "met"
            else:
                ticket.sla_status = False

    # ------------------------------------------------------------------ CRUD

    @api.model_create_multi
    def create(self, vals_list):
        tickets = super().create(vals_list)
        for ticket, vals in zip(tickets, vals_list, strict=True):
            if vals.get("priority") and ticket.priority_matrix:
                ticket.priority_override = vals["priority"] != ticket.priority_matrix
        tickets._sync_sla_clocks()
        return tickets

    def write(self, vals):
        if self and "priority" in vals and "priority_override" not in vals:
            groups = self._group_by_priority_override(vals)
            if len(groups) > 1:
                return all(
                    tickets.write(dict(vals, priority_override=flag))
                    for flag, tickets in groups.items()
                )
            vals = dict(vals, priority_override=next(iter(groups)))
        if vals.get("stage_id"):
            self._check_intake_on_stage_change(vals["stage_id"])
        before = {t: t._sla_state() for t in self} if self._sla_relevant(vals) else {}
        result = super().write(vals)
        if before:
            self._sync_sla_clocks(before)
        return result

    def _group_by_priority_override(self, vals):
        """{override flag: tickets}. A priority written by hand that differs from the
        matrix is an override; one equal to the matrix (as the form sends after an
        impact change) is not."""
        matrix = self.env["response.support.priority.matrix"]._lookup_map(
            self.company_id
        )
        groups = {}
        for ticket in self:
            expected = matrix.get(
                (
                    ticket.company_id.id,
                    vals.get("impact", ticket.impact),
                    vals.get("urgency", ticket.urgency),
                )
            )
            flag = bool(expected) and vals["priority"] != expected
            groups[flag] = groups.get(flag, self.browse()) | ticket
        return groups

    # ------------------------------------------------------------------ intake

    def _reported_day(self):
        """The reported date as a day in the company's time zone (its working
        calendar's), whoever records the ticket: phases are contract days."""
        self.ensure_one()
        moment = self.reported_date or fields.Datetime.now()
        tz = self.company_id.resource_calendar_id.tz or self.env.context.get("tz")
        return fields.Date.context_today(self.with_context(tz=tz), moment)

    def _get_intake_missing(self):
        """The §5.1 confirmations this ticket still lacks, as translated labels.
        Integrators add their own checks by extending this list."""
        self.ensure_one()
        _ = self.env._
        missing = []
        if not self.system_id:
            missing.append(_("the system or platform (and so the O&M contract)"))
        elif not self.contract_id:
            missing.append(_("the O&M contract of the system"))
        if not self.partner_name:
            missing.append(_("the reporter's name"))
        if not self.reporter_organization:
            missing.append(_("the reporter's organisation"))
        if not (self.reporter_phone or self.partner_email):
            missing.append(_("a phone number or email to reach the reporter"))
        if not self.reporter_role:
            missing.append(_("the reporter's role in the incident"))
        if not self.name:
            missing.append(_("a title"))
        if tools.is_html_empty(self.description):
            missing.append(_("a precise description of the symptoms"))
        if not self.catalog_id:
            missing.append(_("the service catalog entry"))
        if self.contract_id and not self.sla_level_id:
            missing.append(_("the SLA level"))
        if (
            self.coverage_state in ("out_of_scope", "expired")
            and not self.scope_decision
        ):
            missing.append(
                _(
                    "a decision on the out-of-scope or expired request "
                    "(chargeable or reject)"
                )
            )
        if not self.impact:
            missing.append(_("the impact scope"))
        if not self.urgency:
            missing.append(_("the urgency"))
        if not self.no_attachment and not self.attachment_ids:
            missing.append(
                _("attachments, or the confirmation that the reporter has none")
            )
        return missing

    def _check_intake_complete(self):
        errors = []
        for ticket in self:
            missing = ticket._get_intake_missing()
            if missing:
                errors.append(
                    self.env._(
                        "Ticket %(ticket)s cannot leave intake yet. Confirm with the "
                        "reporter and fill in:\n%(items)s",
                        ticket=ticket.display_name,
                        items="\n".join(f"- {item}" for item in missing),
                    )
                )
        if errors:
            raise UserError("\n\n".join(errors))

    def _check_intake_on_stage_change(self, stage_id):
        """Leaving an intake stage (helpdesk_mgmt's "unattended" stages) needs the six
        confirmations, unless the target stage is exempt (cancel, reject)."""
        stage = self.env["helpdesk.ticket.stage"].browse(stage_id)
        if stage.unattended or stage.intake_exempt:
            return
        self.filtered(lambda t: t.stage_id.unattended)._check_intake_complete()

    def _get_working_stage(self):
        """The first open, attended stage of the ticket's team, where dispatched
        tickets go."""
        self.ensure_one()
        stages = self.team_id._get_applicable_stages()
        return stages.filtered(lambda s: not s.unattended and not s.closed)[:1]

    def _get_default_team(self):
        self.ensure_one()
        return self.catalog_id.team_id or self.contract_id.team_ids[:1]

    def _post_intake_note(self, body):
        self.message_post(body=body, subtype_xmlid="mail.mt_note")

    def _get_form_action(self):
        self.ensure_one()
        return {
            "type": "ir.actions.act_window",
            "res_model": self._name,
            "res_id": self.id,
            "view_mode": "form",
            "target": "current",
        }

    # ------------------------------------------------------------------ actions

    def action_accept_chargeable(self):
        self._set_scope_decision("chargeable")

    def action_reject_out_of_scope(self):
        self._set_scope_decision("rejected")
        stage = self.env.ref("helpdesk_mgmt.helpdesk_ticket_stage_rejected", False)
        if stage:
            self.stage_id = stage

    def _set_scope_decision(self, decision):
        not_needed = self.filtered(
            lambda t: t.coverage_state not in ("out_of_scope", "expired")
        )
        if not_needed:
            raise UserError(
                self.env._(
                    "Ticket %(ticket)s is covered by its contract: no scope decision "
                    "is needed.",
                    ticket=not_needed[0].display_name,
                )
            )
        self.write(
            {
                "scope_decision": decision,
                "scope_decision_user_id": self.env.user.id,
                "scope_decision_date": fields.Datetime.now(),
            }
        )

    def action_reset_priority(self):
        for ticket in self.filtered("priority_matrix"):
            ticket.write(
                {"priority": ticket.priority_matrix, "priority_override": False}
            )

    def action_dispatch(self):
        """Intake outcome 2: hand the ticket to the engineer team (default from the
        service catalog, then the contract)."""
        self._check_intake_complete()
        for ticket in self:
            team = ticket.team_id or ticket._get_default_team()
            if not team:
                raise UserError(
                    self.env._(
                        "Choose the engineer team for ticket %(ticket)s, or set a "
                        "default team on service catalog %(catalog)s.",
                        ticket=ticket.display_name,
                        catalog=ticket.catalog_id.display_name,
                    )
                )
            ticket.team_id = team
            vals = {"intake_outcome": "assigned"}
            stage = ticket._get_working_stage()
            if stage:
                vals["stage_id"] = stage.id
            ticket.write(vals)
            assignee = " / ".join(filter(None, [team.name, ticket.user_id.name]))
            ticket._post_intake_note(
                self.env._("Dispatched to %(assignee)s.", assignee=assignee)
            )
        return True

    def action_resolve_at_desk(self):
        """Intake outcome 1: the desk solved it; next comes the follow-up call."""
        self._check_intake_complete()
        unresolved = self.filtered(lambda t: tools.is_html_empty(t.resolution))
        if unresolved:
            raise UserError(
                self.env._(
                    "Write the resolution of ticket %(ticket)s before marking it "
                    "resolved at the desk.",
                    ticket=unresolved[0].display_name,
                )
            )
        stage = self.env.ref("response_support.helpdesk_ticket_stage_resolved")
        self.write(
            {
                "intake_outcome": "desk",
                "resolved_date": fields.Datetime.now(),
                "stage_id": stage.id,
            }
        )
        for ticket in self:
            ticket._post_intake_note(self.env._("Resolved at the service desk."))
        return True

    def action_raise_emergency(self):
        """Intake outcome 3: a possible emergency goes straight to the technical
        support managers, whatever intake items are still open."""
        managers = self.env.ref(
            "response_support.group_response_support_manager"
        ).users.filtered(lambda u: not u.share)
        for ticket in self:
            ticket.write({"intake_outcome": "emergency", "emergency_state": "possible"})
            missing = ticket._get_intake_missing()
            body = Markup("<p>%s</p>") % self.env._(
                "Raised as a possible emergency to the technical support manager."
            )
            if missing:
                body += Markup("<p>%s</p><ul>%s</ul>") % (
                    self.env._("Still to confirm:"),
                    Markup().join(Markup("<li>%s</li>") % m for m in missing),
                )
            ticket.message_subscribe(partner_ids=managers.partner_id.ids)
            ticket.message_post(
                body=body,
                subtype_xmlid="mail.mt_comment",
                partner_ids=managers.partner_id.ids,
            )
            for manager in managers:
                ticket.activity_schedule(
                    "response_support.mail_activity_type_emergency",
                    user_id=manager.id,
                    summary=self.env._("Possible emergency: confirm or downgrade"),
                )
        return True

    # ------------------------------------------------------------------ SLA clocks

    def _sla_relevant(self, vals):
        if self.env.context.get("response_support_sla_sync"):
            return False  # a write made by the clock synchronisation itself
        return bool(SLA_TRIGGER_FIELDS & set(vals))

    def _is_sla_resolved(self):
        self.ensure_one()
        stage = self.stage_id
        return stage.sla_resolved or (stage.closed and not stage.intake_exempt)

    def _is_sla_cancelled(self):
        self.ensure_one()
        return self.stage_id.closed and self.stage_id.intake_exempt

    def _sla_state(self):
        """What decides the clocks, to compare before and after a write."""
        self.ensure_one()
        return {
            "paused": self.stage_id.sla_pause,
            "resolved": self._is_sla_resolved(),
            "cancelled": self._is_sla_cancelled(),
            "targets": (self.sla_target_id, self._get_sla_calendar()),
        }

    def _get_sla_calendar(self):
        """The calendar the clocks count in: the contract phase's, else the SLA
        level's; empty means around the clock (7×24)."""
        self.ensure_one()
        if self.contract_phase_id:
            return self.contract_phase_id._get_calendar()
        return self.sla_level_id.calendar_id

    def _prepare_sla_clock_vals(self, kind, start=None):
        """Values of a new ``kind`` clock, or {} when the SLA sets no target."""
        self.ensure_one()
        target = self.sla_target_id
        minutes = target[f"{kind}_minutes"] if target else 0
        if kind == "onsite" and not self.onsite_requested_date:
            minutes = 0
        if not minutes:
            return {}
        if start is None:
            start = (
                self.onsite_requested_date if kind == "onsite" else self.reported_date
            )
        return {
            "ticket_id": self.id,
            "kind": kind,
            "sla_level_id": self.sla_level_id.id,
            "calendar_id": self._get_sla_calendar().id,
            "target_minutes": minutes,
            "start_date": start,
            "anchor_date": start,
            "anchor_used_minutes": 0.0,
        }

    def _sync_sla_clocks(self, before=None):
        """Bring the clocks in line with the ticket: start missing ones, retarget,
        pause or resume, stop (met or breached), cancel or reopen."""
        now = fields.Datetime.now()
        before = before or {}
        to_start = {}
        for ticket in self:
            existing = set(ticket.sla_clock_ids.mapped("kind"))
            kinds = [
                kind
                for kind in ("response", "resolution", "onsite")
                if kind not in existing and ticket._prepare_sla_clock_vals(kind)
            ]
            if kinds:
                to_start[ticket] = kinds
        if to_start:
            # clocks are maintained by the system, never edited by hand: users who
            # may write the ticket drive them, through sudo
            self.env["response.support.sla.clock"].sudo()._start_clocks(to_start)
        for ticket in self:
            ticket._sync_sla_clock_states(before.get(ticket), now)

    def _sync_sla_clock_states(self, old, now):
        self.ensure_one()
        clocks = self.sla_clock_ids.sudo()  # system-maintained, see _sync_sla_clocks
        if not clocks:
            return
        state = self._sla_state()
        if old and old["targets"] != state["targets"]:
            changes = clocks._retarget(now)
            self._post_sla_retarget(changes)
        by_kind = {clock.kind: clock for clock in clocks}
        if state["cancelled"]:
            clocks._cancel(now)
            return
        if old and old["resolved"] and not state["resolved"]:
            self.with_context(response_support_sla_sync=True).resolved_date = False
            by_kind.get("resolution", clocks.browse())._reopen(now)
        if state["resolved"]:
            resolved = self.resolved_date or now
            self.with_context(response_support_sla_sync=True).write(
                {
                    "resolved_date": resolved,
                    "responded_date": self.responded_date or resolved,
                }
            )
            clocks.filtered(lambda c: c.kind != "onsite")._stop(self.resolved_date)
        if self.responded_date and "response" in by_kind:
            by_kind["response"]._stop(self.responded_date)
        if self.onsite_arrival_date and "onsite" in by_kind:
            by_kind["onsite"]._stop(self.onsite_arrival_date)
        if state["paused"]:
            clocks._pause(now)
        elif old and old["paused"]:
            clocks._resume(now)

    def _post_sla_retarget(self, changes):
        self.ensure_one()
        for clock, (old, new) in changes.items():
            self._post_intake_note(
                self.env._(
                    "SLA targets changed: %(clock)s deadline %(old)s → %(new)s "
                    "(%(minutes)s working minutes, clock not restarted).",
                    clock=clock.display_name,
                    old=format_datetime(self.env, old) if old else "-",
                    new=format_datetime(self.env, new) if new else "-",
                    minutes=clock.target_minutes,
                )
            )

    def _get_sla_managers(self):
        """Technical support managers to warn; integrators may narrow it."""
        group = self.env.ref("response_support.group_response_support_manager")
        return group.users.filtered(lambda u: not u.share and u.active)

    def _post_sla_warning(self, clock, threshold, partners):
        self.ensure_one()
        body = self.env._(
            "SLA warning: %(clock)s has used %(percent)s%% of its target of "
            "%(minutes)s working minutes; deadline %(deadline)s.",
            clock=clock.display_name,
            percent=threshold.percent,
            minutes=clock.target_minutes,
            deadline=format_datetime(self.env, clock.deadline)
            if clock.deadline
            else "-",
        )
        self.message_post(
            body=body,
            message_type="notification",
            subtype_xmlid="mail.mt_note",
            partner_ids=partners.ids,
        )

    def _sla_action_notify_assignee(self, clock, threshold):
        partners = self.user_id.partner_id or self.team_id.user_ids.partner_id
        self._post_sla_warning(clock, threshold, partners)

    def _sla_action_notify_manager(self, clock, threshold):
        partners = self.team_id.user_id.partner_id | self._get_sla_managers().partner_id
        self._post_sla_warning(clock, threshold, partners)

    def _sla_action_escalate(self, clock, threshold):
        self._post_sla_warning(clock, threshold, self._get_sla_managers().partner_id)
        self._escalate(
            self.env._(
                "%(clock)s reached %(percent)s%% of its SLA target.",
                clock=clock.display_name,
                percent=threshold.percent,
            )
        )

    def _escalate(self, reason):
        """Raise the escalation level one step, bring in the technical support
        managers as followers and give each an activity."""
        for ticket in self:
            position = ESCALATION_LADDER.index(ticket.escalation_level)
            level = ESCALATION_LADDER[min(position + 1, len(ESCALATION_LADDER) - 1)]
            managers = ticket._get_sla_managers()
            ticket.escalation_level = level
            ticket.message_subscribe(partner_ids=managers.partner_id.ids)
            for manager in managers:
                ticket.activity_schedule(
                    "response_support.mail_activity_type_escalation",
                    user_id=manager.id,
                    summary=reason,
                )

    def _on_sla_breach(self, clock):
        self.ensure_one()
        self._post_intake_note(
            self.env._(
                "SLA breached: %(clock)s passed its deadline %(deadline)s.",
                clock=clock.display_name,
                deadline=format_datetime(self.env, clock.deadline),
            )
        )

    def action_acknowledge(self):
        """The engineer takes the ticket: this is the first response."""
        self.filtered(lambda t: not t.responded_date).write(
            {"responded_date": fields.Datetime.now()}
        )
        return True

    def _message_post_after_hook(self, message, msg_vals):
        """A reply to the customer by an internal user is a first response."""
        result = super()._message_post_after_hook(message, msg_vals)
        if (
            not self.responded_date
            and message.message_type == "comment"
            and message.subtype_id == self.env.ref("mail.mt_comment")
            and message.author_id.user_ids.filtered(lambda u: not u.share)
        ):
            self.responded_date = message.date or fields.Datetime.now()
        return result

    # ------------------------------------------------------------------ mail gateway

    @api.model
    def message_new(self, msg, custom_values=None):
        """Email intake: the sender is the reporter."""
        ticket = super().message_new(msg, custom_values=custom_values)
        name, email = tools.parse_contact_from_email(msg.get("email_from") or "")
        vals = {}
        if not ticket.partner_name:
            vals["partner_name"] = ticket.partner_id.name or name
        normalized = tools.email_normalize(ticket.partner_email or email)
        if normalized and ticket.partner_email != normalized:
            vals["partner_email"] = normalized
        if vals:
            ticket.write(vals)
        return ticket
