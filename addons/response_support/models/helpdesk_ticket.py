from markupsafe import Markup

from odoo import api, fields, models, tools
from odoo.exceptions import AccessError, UserError, ValidationError
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
ESCALATION_LEVELS = [
    ("engineer", "Engineer"),
    ("manager", "Technical Support Manager"),
    ("emergency", "Emergency"),
]
ESCALATION_LADDER = [level for level, _label in ESCALATION_LEVELS]
EMERGENCY_STATES = [
    ("possible", "Possible Emergency"),
    ("confirmed", "Confirmed Emergency"),
    ("downgraded", "Downgraded"),
]
TICKET_TYPES = [
    ("request", "Service Request"),
    ("incident", "Incident"),
    ("complaint", "Complaint"),
]
# ticket fields a technical support engineer may not change: the desk and the
# managers own the contract and its SLA (§4)
DESK_ONLY_FIELDS = {"sla_level_id", "contract_id"}
COVERAGE_STATES = [
    ("covered", "Covered"),
    ("out_of_scope", "Outside Contract Scope"),
    ("expired", "Contract Expired or Not Started"),
    ("no_contract", "No Contract"),
]


class HelpdeskTicket(models.Model):
    _inherit = "helpdesk.ticket"

    notes = fields.Html(groups="base.group_user")  # internal notes: never on the portal
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
        groups="base.group_user",
    )
    scope_decision_user_id = fields.Many2one(
        "res.users",
        string="Scope Decided By",
        readonly=True,
        copy=False,
        groups="base.group_user",
    )
    scope_decision_date = fields.Datetime(
        string="Scope Decided On",
        readonly=True,
        copy=False,
        groups="base.group_user",
    )
    # -- 5. impact and urgency → priority
    impact = fields.Selection(IMPACTS, tracking=True)
    urgency = fields.Selection(URGENCIES, tracking=True)
    priority_matrix = fields.Selection(
        TICKET_PRIORITIES,
        string="Matrix Priority",
        compute="_compute_priority_matrix",
        store=True,
        groups="base.group_user",
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
        groups="base.group_user",
    )
    # -- 6. attachments
    no_attachment = fields.Boolean(
        string="Reporter Has No Attachment",
        help="Confirmed with the reporter that there is no screenshot or photo.",
    )
    # -- intake outcome
    intake_missing = fields.Text(
        string="Missing Intake Items",
        compute="_compute_intake_missing",
        groups="base.group_user",
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
        groups="base.group_user",
    )
    emergency_state = fields.Selection(
        EMERGENCY_STATES,
        readonly=True,
        copy=False,
        tracking=True,
        index=True,
        groups="base.group_user",
    )
    emergency_parent_id = fields.Many2one(
        "helpdesk.ticket",
        string="Emergency Ticket",
        index="btree_not_null",
        ondelete="set null",
        copy=False,
        tracking=True,
        help="The emergency this ticket is another report of: it is resolved with it.",
        groups="base.group_user",
    )
    emergency_child_ids = fields.One2many(
        "helpdesk.ticket",
        "emergency_parent_id",
        string="Other Reports",
        help="Other reports of the same outage, resolved together with this ticket.",
        groups="base.group_user",
    )
    ticket_type = fields.Selection(
        TICKET_TYPES,
        string="Type",
        required=True,
        default="incident",
        tracking=True,
        index=True,
    )
    complained_ticket_id = fields.Many2one(
        "helpdesk.ticket",
        string="Complaint About",
        index="btree_not_null",
        ondelete="set null",
        help="The ticket whose handling the customer complains about.",
        groups="base.group_user",
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
        ESCALATION_LEVELS,
        default="engineer",
        required=True,
        tracking=True,
        copy=False,
        groups="base.group_user",
    )
    escalation_ids = fields.One2many(
        "response.support.escalation",
        "ticket_id",
        string="Escalations",
        groups="base.group_user",
    )
    helper_user_ids = fields.Many2many(
        "res.users",
        relation="response_support_ticket_helper_rel",
        column1="ticket_id",
        column2="user_id",
        string="Helpers",
        domain="[('share', '=', False)]",
        tracking=True,
        help="Engineers from other teams the technical support manager coordinates "
        "on this ticket.",
        groups="base.group_user",
    )

    # ------------------------------------------------------------------ computes

    @api.depends("commercial_partner_id")
    def _compute_system_id(self):
        """A reporter whose organisation runs exactly one system gets it by default."""
        todo = self.filtered(lambda t: not t.system_id and t.commercial_partner_id)
        only = self.env["response.support.system"]._get_only_system_by_partner(
            todo.commercial_partner_id
        )
        for ticket in todo:
            ticket.system_id = only.get(ticket.commercial_partner_id, False)

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

    # ------------------------------------------------------------------ constraints

    @api.constrains("emergency_parent_id")
    def _check_emergency_parent_id(self):
        if self._has_cycle("emergency_parent_id"):
            raise ValidationError(
                self.env._(
                    "A ticket cannot be another report of itself, directly or "
                    "through other reports."
                )
            )

    # ------------------------------------------------------------------ CRUD

    @api.model
    def default_get(self, fields_list):
        defaults = super().default_get(fields_list)
        if "channel_id" in fields_list and not defaults.get("channel_id"):
            channel = self._get_default_channel()
            if channel:
                defaults["channel_id"] = channel.id
        return defaults

    def _get_default_channel(self):
        """The channel of a ticket recorded without one: an engineer who is not on
        the desk records the direct requests reaching them (email, phone, a
        colleague) as "engineer-direct"."""
        if self.env.su or not self._is_field_engineer():
            return self.env["helpdesk.ticket.channel"]
        return (
            self.env.ref("response_support.helpdesk_ticket_channel_engineer", False)
            or self.env["helpdesk.ticket.channel"]
        )

    def _is_field_engineer(self):
        """Whether the current user is a technical support engineer without the
        service desk's rights (closing, contract and SLA level)."""
        user = self.env.user
        return user.has_group(
            "response_support.group_response_support_engineer"
        ) and not user.has_group("response_support.group_response_support_desk")

    @api.model_create_multi
    def create(self, vals_list):
        tickets = super().create(vals_list)
        for ticket, vals in zip(tickets, vals_list, strict=True):
            if vals.get("priority") and ticket.priority_matrix:
                ticket.priority_override = vals["priority"] != ticket.priority_matrix
        tickets._sync_sla_clocks()
        tickets.filtered(lambda t: t.ticket_type == "complaint")._route_complaint()
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
        self._check_engineer_write(vals)
        if vals.get("stage_id") and not self.env.context.get(
            "response_support_skip_intake"
        ):
            self._check_intake_on_stage_change(vals["stage_id"])
        if vals.get("ticket_type") == "complaint":
            new_complaints = self.filtered(lambda t: t.ticket_type != "complaint")
        else:
            new_complaints = self.browse()
        # stage_id is an SLA trigger: the state before tells what was resolved
        before = {t: t._sla_state() for t in self} if self._sla_relevant(vals) else {}
        result = super().write(vals)
        if before:
            self._sync_sla_clocks(before)
        new_complaints._route_complaint()
        if before and "stage_id" in vals:
            self.filtered(
                lambda t: not before[t]["resolved"] and t._is_sla_resolved()
            )._on_resolved()
        return result

    def _check_engineer_write(self, vals):
        """A technical support engineer does not close tickets (the desk closes
        after the follow-up call) nor change their contract or SLA level; the
        helpers are the manager's to choose."""
        if self.env.su or not self:
            return
        if vals.get("stage_id") and self._is_field_engineer():
            stage = self.env["helpdesk.ticket.stage"].browse(vals["stage_id"])
            if stage.closed:
                raise AccessError(
                    self.env._(
                        "Only the service desk closes tickets, after the follow-up "
                        "call with the customer. Move ticket %(ticket)s to a "
                        "resolved stage instead of %(stage)s.",
                        ticket=self[:1].display_name,
                        stage=stage.display_name,
                    )
                )
        changed = self._get_changed_fields(vals, DESK_ONLY_FIELDS)
        if changed and self._is_field_engineer():
            raise AccessError(
                self.env._(
                    "Only the service desk or a technical support manager may change "
                    "%(fields)s of ticket %(ticket)s: ask the desk.",
                    fields=", ".join(
                        self._fields[name]._description_string(self.env)
                        for name in sorted(changed)
                    ),
                    ticket=self[:1].display_name,
                )
            )
        if "helper_user_ids" in vals and not self.env.user.has_group(
            "response_support.group_response_support_manager"
        ):
            raise AccessError(
                self.env._(
                    "Only a technical support manager brings in helpers from other "
                    "teams."
                )
            )

    def _get_changed_fields(self, vals, field_names):
        """Those of ``field_names`` whose value in ``vals`` differs from a ticket's
        (a form sends unchanged values too)."""
        changed = set()
        for name in field_names & set(vals):
            value = vals[name] or False
            if any(ticket[name].id != value for ticket in self):
                changed.add(name)
        return changed

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
            if not ticket.user_id:
                vals["user_id"] = team._get_assignee().id
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

    # ------------------------------------------------------------------ dispatch

    def action_accept(self):
        """The engineer accepts the dispatch: takes it if nobody has it, and this
        is the first response."""
        unassigned = self.filtered(lambda t: not t.user_id)
        unassigned.write({"user_id": self.env.user.id})
        self.action_acknowledge()
        for ticket in unassigned:
            ticket._post_intake_note(
                self.env._("Accepted by %(user)s.", user=self.env.user.name)
            )
        return True

    def action_reassign(self):
        return self._open_reassign_wizard("reassign")

    def action_hand_back(self):
        return self._open_reassign_wizard("hand_back")

    def _open_reassign_wizard(self, mode):
        self.ensure_one()
        names = {
            "reassign": self.env._("Reassign"),
            "hand_back": self.env._("Hand Back"),
        }
        return {
            "type": "ir.actions.act_window",
            "name": names[mode],
            "res_model": "response.support.ticket.reassign",
            "view_mode": "form",
            "target": "new",
            "context": {
                "default_ticket_id": self.id,
                "default_mode": mode,
                "default_team_id": self.team_id.id,
            },
        }

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
            assignee = " / ".join(
                filter(None, [ticket.team_id.name, ticket.user_id.name])
            )
            ticket._post_intake_note(
                self.env._(
                    "Reassigned to %(assignee)s. Reason: %(reason)s",
                    assignee=assignee,
                    reason=reason,
                )
            )
        return True

    def _hand_back(self, reason):
        """The engineer gives the dispatch back to the team queue, with a reason."""
        self._check_reason(reason)
        for ticket in self:
            ticket.write({"user_id": False})
            ticket._post_intake_note(
                self.env._(
                    "Handed back to the %(team)s queue by %(user)s. Reason: %(reason)s",
                    team=ticket.team_id.name or "-",
                    user=self.env.user.name,
                    reason=reason,
                )
            )
        return True

    # ------------------------------------------------------------------ escalation

    def action_escalate(self):
        self.ensure_one()
        return self._open_escalate_wizard("escalate")

    def _open_escalate_wizard(self, mode):
        names = {
            "escalate": self.env._("Escalate"),
            "downgrade": self.env._("Downgrade Emergency"),
        }
        return {
            "type": "ir.actions.act_window",
            "name": names[mode],
            "res_model": "response.support.ticket.escalate",
            "view_mode": "form",
            "target": "new",
            "context": {"default_ticket_id": self.id, "default_mode": mode},
        }

    def _escalate_manually(self, reason):
        """升级上报: one step up the ladder, with the reason of the user."""
        self._check_reason(reason)
        top = self.filtered(lambda t: t.escalation_level == ESCALATION_LADDER[-1])
        if top:
            raise UserError(
                self.env._(
                    "Ticket %(ticket)s is already handled as an emergency: there is "
                    "no higher level.",
                    ticket=top[0].display_name,
                )
            )
        return self._escalate(reason, trigger="manual")

    def _get_next_escalation_level(self):
        self.ensure_one()
        position = ESCALATION_LADDER.index(self.escalation_level)
        return ESCALATION_LADDER[min(position + 1, len(ESCALATION_LADDER) - 1)]

    def _prepare_escalation_vals(self, level, reason, trigger):
        self.ensure_one()
        return {
            "ticket_id": self.id,
            "from_level": self.escalation_level,
            "to_level": level,
            "reason": reason,
            "trigger": trigger,
            "user_id": self.env.user.id,
        }

    def _escalate(self, reason, trigger="sla", level=None):
        """Raise the escalation level one step (or to ``level``), record it, bring
        in the technical support managers as followers and give each an
        activity. A ticket already at that level or higher is left alone."""
        vals_list = []
        for ticket in self:
            new_level = level or ticket._get_next_escalation_level()
            if ESCALATION_LADDER.index(new_level) <= ESCALATION_LADDER.index(
                ticket.escalation_level
            ):
                continue
            vals_list.append(
                ticket._prepare_escalation_vals(new_level, reason, trigger)
            )
            ticket.escalation_level = new_level
            ticket._notify_escalation(reason)
        # escalation records are the system's log of the ladder: whoever may write
        # the ticket escalates it, nobody edits the log
        return self.env["response.support.escalation"].sudo().create(vals_list)

    def _notify_escalation(self, reason):
        self.ensure_one()
        managers = self._get_sla_managers()
        self.message_subscribe(partner_ids=managers.partner_id.ids)
        level = dict(self._fields["escalation_level"]._description_selection(self.env))
        self._post_intake_note(
            self.env._(
                "Escalated to %(level)s. Reason: %(reason)s",
                level=level[self.escalation_level],
                reason=reason,
            )
        )
        for manager in managers:
            self.activity_schedule(
                "response_support.mail_activity_type_escalation",
                user_id=manager.id,
                summary=reason,
            )

    def _on_resolved(self):
        """Follow-ups of tickets that just reached a resolved stage: their open
        escalations are resolved, their other reports resolved with them."""
        now = fields.Datetime.now()
        # the system closes its own escalation log, see _escalate
        self.escalation_ids.sudo().filtered(lambda e: not e.resolved_date).write(
            {"resolved_date": now}
        )
        for (
            ticket
        ) in self:  # children are read with sudo: the engineer may not see them
            ticket._resolve_children()

    def _resolve_children(self):
        """Resolve the open other reports of this emergency in its stage, with its
        solution."""
        self.ensure_one()
        # the children were linked to this emergency by the desk or a manager: who
        # may resolve the emergency resolves its reports, in whatever team they are
        children = self.sudo().emergency_child_ids.filtered(
            lambda t: not t._is_sla_resolved() and not t.stage_id.closed
        )
        if not children:
            return
        children.with_context(response_support_skip_intake=True).write(
            {"stage_id": self.stage_id.id, "resolution": self.resolution}
        )
        for child in children:
            child._post_intake_note(
                self.env._(
                    "Resolved together with emergency %(ticket)s.",
                    ticket=self.display_name,
                )
            )

    # ------------------------------------------------------------------ emergencies

    def _check_manager(self):
        if not self.env.user.has_group(
            "response_support.group_response_support_manager"
        ):
            raise AccessError(
                self.env._(
                    "Only a technical support manager confirms or downgrades an "
                    "emergency."
                )
            )

    def action_confirm_emergency(self):
        """The manager confirms the emergency: every manager is notified at once
        and the ticket goes to the top of the escalation ladder."""
        self._check_manager()
        not_possible = self.filtered(lambda t: t.emergency_state != "possible")
        if not_possible:
            raise UserError(
                self.env._(
                    "Ticket %(ticket)s is not a possible emergency: raise it first.",
                    ticket=not_possible[0].display_name,
                )
            )
        managers = self._get_sla_managers()
        reason = self.env._("Emergency confirmed by %(user)s.", user=self.env.user.name)
        for ticket in self:
            ticket.emergency_state = "confirmed"
            ticket.activity_feedback(
                ["response_support.mail_activity_type_emergency"], feedback=reason
            )
            ticket._escalate(reason, trigger="manual", level="emergency")
            ticket.message_post(
                body=self.env._(
                    "Confirmed emergency: every technical support manager is "
                    "notified. Coordinate the response on this ticket."
                ),
                subtype_xmlid="mail.mt_comment",
                partner_ids=managers.partner_id.ids,
            )
        return True

    def action_downgrade_emergency(self):
        self.ensure_one()
        self._check_manager()
        return self._open_escalate_wizard("downgrade")

    def _downgrade_emergency(self, reason):
        """The manager downgrades the emergency to a normal ticket, with a reason;
        its emergency escalations are resolved."""
        self._check_manager()
        self._check_reason(reason)
        now = fields.Datetime.now()
        for ticket in self:
            escalations = ticket.escalation_ids.filtered(
                lambda e: e.to_level == "emergency" and not e.resolved_date
            )
            vals = {"emergency_state": "downgraded"}
            if escalations:
                vals["escalation_level"] = escalations[-1].from_level
            ticket.write(vals)
            # the system's escalation log, see _escalate
            escalations.sudo().write({"resolved_date": now})
            ticket.activity_feedback(
                ["response_support.mail_activity_type_emergency"], feedback=reason
            )
            ticket._post_intake_note(
                self.env._(
                    "Emergency downgraded by %(user)s. Reason: %(reason)s",
                    user=self.env.user.name,
                    reason=reason,
                )
            )
        return True

    def action_link_emergency_children(self):
        """Link the selected tickets as other reports of the one selected emergency."""
        parent = self.filtered(lambda t: t.emergency_state in ("possible", "confirmed"))
        if len(parent) != 1:
            raise UserError(
                self.env._(
                    "Select exactly one emergency ticket and the other reports of the "
                    "same outage."
                )
            )
        children = self - parent
        if not children:
            raise UserError(
                self.env._("Select the other reports to link to the emergency too.")
            )
        children.write({"emergency_parent_id": parent.id})
        parent._post_intake_note(
            self.env._(
                "Linked other reports of the same outage: %(tickets)s",
                tickets=", ".join(children.mapped("display_name")),
            )
        )
        return True

    # ------------------------------------------------------------------ complaints

    def _route_complaint(self):
        """投诉: a complaint goes to the technical support managers (followers and an
        activity each); the ticket complained about gets a note."""
        managers = self._get_sla_managers()
        for ticket in self:
            ticket.message_subscribe(partner_ids=managers.partner_id.ids)
            for manager in managers:
                ticket.activity_schedule(
                    "response_support.mail_activity_type_complaint",
                    user_id=manager.id,
                )
            ticket._post_intake_note(
                self.env._("Complaint routed to the technical support managers.")
            )
            if ticket.complained_ticket_id:
                ticket.complained_ticket_id._post_intake_note(
                    self.env._(
                        "Customer complaint %(ticket)s about this ticket.",
                        ticket=ticket.display_name,
                    )
                )

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
            ),
            trigger="sla",
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
