from odoo import api, fields, models, tools

from .response_support_contract import CONTRACT_PHASES
from .response_support_priority_matrix import IMPACTS, TICKET_PRIORITIES, URGENCIES

REPORTER_ROLES = [
    ("user", "Affected User"),
    ("admin", "Customer IT Administrator"),
    ("manager", "Customer Manager"),
    ("vendor", "Third-party Vendor"),
    ("engineer", "Our Engineer"),
    ("monitoring", "Monitoring System"),
]
TICKET_TYPES = [
    ("request", "Service Request"),
    ("incident", "Incident"),
    ("complaint", "Complaint"),
]
COVERAGE_STATES = [
    ("covered", "Covered"),
    ("out_of_scope", "Outside Contract Scope"),
    ("expired", "Contract Expired or Not Started"),
    ("no_contract", "No Contract"),
]


class HelpdeskTicket(models.Model):
    """The ticket's intake data (§5.1: system and contract, reporter, scope, impact
    and urgency, priority) and its single create/write. Each concern of the
    standard lives in its own file and plugs into create/write through hooks:
    helpdesk_ticket_access (roles), _intake (six confirmations, outcomes),
    _dispatch (accept, reassign, hand back), _escalation (ladder, emergencies,
    complaints), _sla (clocks)."""

    _inherit = "helpdesk.ticket"

    notes = fields.Html(groups="base.group_user")  # internal notes: never on the portal
    reported_date = fields.Datetime(
        string="Reported On",
        required=True,
        default=fields.Datetime.now,
        copy=False,  # a duplicate is a new report: its clocks start from now
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
        CONTRACT_PHASES,
        string="Phase",
        compute="_compute_contract_phase",
        store=True,
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
    # -- 5. impact and urgency → priority
    impact = fields.Selection(IMPACTS, tracking=True)
    urgency = fields.Selection(URGENCIES, tracking=True)
    matrix_priority = fields.Selection(
        TICKET_PRIORITIES,
        compute="_compute_matrix_priority",
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
    ticket_type = fields.Selection(
        TICKET_TYPES,
        string="Type",
        required=True,
        default="incident",
        tracking=True,
        index=True,
    )
    resolution = fields.Html(string="Solution")
    resolved_date = fields.Datetime(string="Resolved On", readonly=True, copy=False)

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
        found = self.env["response.support.contract"]._find_for_tickets(self)
        for ticket in self:
            if found[ticket] or not ticket.contract_id:
                ticket.contract_id = found[ticket]

    @api.depends(
        "contract_id.phase_ids.date_start",
        "contract_id.phase_ids.date_end",
        "reported_date",
    )
    def _compute_contract_phase_id(self):
        for ticket in self:
            if (
                ticket._is_sla_history()
                and ticket.contract_phase_id.contract_id == ticket.contract_id
            ):
                continue  # handled under that phase: a later contract edit keeps it
            ticket.contract_phase_id = (
                ticket.contract_id._get_phase(ticket._reported_day())
                if ticket.contract_id
                else False
            )

    @api.depends("contract_phase_id.phase")
    def _compute_contract_phase(self):
        for ticket in self:
            ticket.contract_phase = ticket.contract_phase_id._get_phase_code()

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

    @api.depends("contract_phase_id.sla_level_id")
    def _compute_sla_level_id(self):
        for ticket in self:
            if ticket._is_sla_history() and ticket.sla_level_id:
                continue
            if ticket.contract_phase_id:
                ticket.sla_level_id = ticket.contract_phase_id._get_sla_level()

    @api.depends("sla_level_id.target_ids.priority", "priority")
    def _compute_sla_target_id(self):
        targets = self.sla_level_id._get_target_map()
        for ticket in self:
            if ticket._is_sla_history() and ticket.sla_target_id:
                continue
            ticket.sla_target_id = targets.get(
                (ticket.sla_level_id.id, ticket.priority), False
            )

    @api.depends(
        "contract_id",
        "contract_phase_id.catalog_ids",
        "catalog_id.parent_path",
    )
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
    def _compute_matrix_priority(self):
        cells = self.env["response.support.priority.matrix"]._lookup_map(
            self.company_id
        )
        for ticket in self:
            ticket.matrix_priority = cells.get(
                (ticket.company_id.id, ticket.impact, ticket.urgency), False
            )

    @api.depends("matrix_priority")
    def _compute_priority(self):
        for ticket in self:
            if ticket.matrix_priority and not ticket.priority_override:
                ticket.priority = ticket.matrix_priority
            elif not ticket.priority:
                ticket.priority = "1"

    # ------------------------------------------------------------------ CRUD

    def init(self):
        """Indexes of the first pages: the desk's list and kanban (grouped by stage)
        open in helpdesk_mgmt's default order, the portal's list newest first;
        without them each first page sorts every ticket (236 ms at 200,000
        tickets, bench/RESULTS.md §10; 0.3 ms with them). The reports select by
        reported date: the KPI pivot's month filter and its list (newest first),
        the monthly SLA report a contract's month (§11)."""
        result = super().init()
        order = ["priority DESC", "sequence", "number DESC", "id DESC"]
        newest = ["reported_date DESC", "id DESC"]
        contract_month = ["contract_id", "reported_date"]
        for name, columns in (
            ("helpdesk_ticket_default_order_index", order),
            ("helpdesk_ticket_stage_order_index", ["stage_id", *order]),
            ("helpdesk_ticket_create_date_index", ["create_date"]),
            ("helpdesk_ticket_reported_date_index", newest),
            ("helpdesk_ticket_contract_reported_index", contract_month),
        ):
            tools.sql.create_index(self.env.cr, name, self._table, columns)
        return result

    @api.model
    def default_get(self, fields_list):
        defaults = super().default_get(fields_list)
        if "channel_id" in fields_list and not defaults.get("channel_id"):
            channel = self._get_default_channel()
            if channel:
                defaults["channel_id"] = channel.id
        return defaults

    @api.model_create_multi
    def create(self, vals_list):
        for vals in vals_list:
            self._check_process_flag_write(vals)
        self._check_role_create(vals_list)
        tickets = super().create(vals_list)
        tickets._set_priority_override_on_create(vals_list)
        process = tickets.filtered("response_support_process")
        # checked on the new tickets: their stage may come from a default (form,
        # kanban column, duplicate, import) rather than from ``vals``
        process._check_followup_create()
        process._sync_sla_clocks()
        process.filtered(lambda t: t.ticket_type == "complaint")._route_complaint()
        return tickets

    def write(self, vals):
        """The one write of the ticket: each concern checks before and follows up
        after through its own hook (access, intake, complaints, SLA clocks)."""
        if self and "priority" in vals and "priority_override" not in vals:
            groups = self._group_by_priority_override(vals)
            if len(groups) > 1:
                return all(
                    tickets.write(dict(vals, priority_override=flag))
                    for flag, tickets in groups.items()
                )
            vals = dict(vals, priority_override=next(iter(groups)))
        self._check_process_flag_write(vals)
        # the process's rules apply to its tickets only (other teams: plain helpdesk)
        self._check_role_write(vals)
        process = self._filter_response_support(vals)
        process._check_intake_write(vals)
        process._check_followup_write(vals)
        new_complaints = process._get_new_complaints(vals)
        sla_before = self._get_sla_states_before_write(vals)
        result = super().write(vals)
        self._sync_sla_after_write(vals, sla_before)
        new_complaints.filtered("response_support_process")._route_complaint()
        return result

    def _set_priority_override_on_create(self, vals_list):
        """A priority given at creation that differs from the matrix is an
        override."""
        for ticket, vals in zip(self, vals_list, strict=True):
            if vals.get("priority") and ticket.matrix_priority:
                ticket.priority_override = vals["priority"] != ticket.matrix_priority

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

    # ------------------------------------------------------------------ helpers

    def _is_sla_history(self):
        """A ticket in a closed stage keeps the contract phase, SLA level and
        targets it was handled under: later edits of the contract or the level do
        not rewrite its history."""
        self.ensure_one()
        return self.stage_id.closed

    def _reported_day(self):
        """The reported date as a day in the company's time zone (its working
        calendar's), whoever records the ticket: phases are contract days."""
        self.ensure_one()
        moment = self.reported_date or fields.Datetime.now()
        calendar = self.company_id.resource_calendar_id
        tz = calendar._get_sla_tz() or self.env.context.get("tz")
        return fields.Date.context_today(self.with_context(tz=tz), moment)

    def _post_note(self, body):
        """An internal note on the ticket (escalations, dispatch, SLA events…).
        Build ``body`` with ``self._desk_env()._(…)``: in the desk's language."""
        self.message_post(body=body, subtype_xmlid="mail.mt_note")

    def _get_desk_lang(self):
        """The language of the notes the system writes on the ticket: its
        company's, so that a manager working in English, or the SLA scheduler,
        leaves notes the desk reads (hook: e.g. per team)."""
        company = self.company_id[:1] or self.env.company
        return company.partner_id.lang or self.env.lang

    def _in_desk_lang(self):
        return self.with_context(lang=self._get_desk_lang())

    def _desk_env(self):
        """The environment whose ``_()`` writes the ticket's system notes."""
        return self._in_desk_lang().env

    def _get_selection_label(self, field_name, value=None):
        """The translated label of a selection value (default: the ticket's)."""
        self.ensure_one()
        value = self[field_name] if value is None else value
        labels = dict(self._fields[field_name]._description_selection(self.env))
        return labels.get(value, value or "")

    def _get_assignee_label(self):
        """ "Team / Engineer" as the notes name who has the ticket."""
        self.ensure_one()
        return " / ".join(filter(None, [self.team_id.name, self.user_id.name]))

    def _open_ticket_wizard(self, res_model, name, context):
        """The dialog of a ticket action (reassign, escalate, downgrade…)."""
        self.ensure_one()
        return {
            "type": "ir.actions.act_window",
            "name": name,
            "res_model": res_model,
            "view_mode": "form",
            "target": "new",
            "context": dict(context, default_ticket_id=self.id),
        }

    def _get_form_action(self):
        self.ensure_one()
        return {
            "type": "ir.actions.act_window",
            "res_model": self._name,
            "res_id": self.id,
            "view_mode": "form",
            "target": "current",
        }

    def action_reset_priority(self):
        for ticket in self.filtered("matrix_priority"):
            ticket.write(
                {"priority": ticket.matrix_priority, "priority_override": False}
            )

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
