from datetime import timedelta

from odoo import api, fields, models
from odoo.exceptions import ValidationError
from odoo.osv import expression

CONTRACT_PHASES = [
    ("construction", "Under Construction"),
    ("warranty", "Free Maintenance Period"),
    ("service", "Paid O&M Service"),
]
# phase fields that decide the SLA of its tickets (the scope decides the coverage)
PHASE_SLA_FIELDS = {
    "contract_id",
    "date_start",
    "date_end",
    "sla_level_id",
    "calendar_id",
}


class ResponseSupportContract(models.Model):
    """O&M contract (运维项目/合同) of a customer. Its coverage is the sequence of its
    phases; the phase valid on a ticket's date gives SLA level, scope and calendar."""

    _name = "response.support.contract"
    _description = "O&M Contract"
    _inherit = ["mail.thread", "mail.activity.mixin"]
    _order = "date_end desc, id desc"
    _rec_names_search = ["name", "code", "partner_id"]

    # days before the end of a contract when it counts as "expiring soon"
    _expiry_warning_days = 30

    name = fields.Char(required=True, tracking=True)
    code = fields.Char(
        string="Reference",
        required=True,
        copy=False,
        readonly=True,
        default="/",
        index=True,
    )
    partner_id = fields.Many2one(
        "res.partner",
        string="Customer",
        required=True,
        tracking=True,
        index=True,
        domain="[('is_company', '=', True)]",
    )
    company_id = fields.Many2one(
        "res.company", required=True, default=lambda self: self.env.company, index=True
    )
    user_id = fields.Many2one(
        "res.users",
        string="Account Manager",
        default=lambda self: self.env.user,
        tracking=True,
    )
    system_ids = fields.Many2many(
        "response.support.system",
        relation="response_support_contract_system_rel",
        column1="contract_id",
        column2="system_id",
        string="Systems",
        domain="[('partner_id', '=', partner_id)]",
    )
    team_ids = fields.Many2many(
        "helpdesk.ticket.team",
        relation="response_support_contract_team_rel",
        column1="contract_id",
        column2="team_id",
        string="Engineer Teams",
        help="Teams that handle this contract's tickets when the service catalog "
        "names none.",
    )
    phase_ids = fields.One2many(
        "response.support.contract.phase",
        "contract_id",
        string="Phases",
        copy=True,
    )
    current_phase_id = fields.Many2one(
        "response.support.contract.phase",
        compute="_compute_current_phase_id",
        string="Current Phase Period",
    )
    current_phase = fields.Selection(
        CONTRACT_PHASES,
        compute="_compute_current_phase_id",
        search="_search_current_phase",
    )
    date_start = fields.Date(compute="_compute_dates", store=True)
    date_end = fields.Date(compute="_compute_dates", store=True, index=True)
    state = fields.Selection(
        [
            ("draft", "Not Started"),
            ("active", "Active"),
            ("expired", "Expired"),
        ],
        compute="_compute_state",
        search="_search_state",
    )
    is_expiring = fields.Boolean(
        string="Expiring Soon",
        compute="_compute_state",
        search="_search_is_expiring",
    )
    ticket_ids = fields.One2many("helpdesk.ticket", "contract_id", string="Tickets")
    ticket_count = fields.Integer(compute="_compute_ticket_count")
    note = fields.Html()
    active = fields.Boolean(default=True)
    sla_report_partner_id = fields.Many2one(
        "res.partner",
        string="SLA Report Contact",
        domain="[('commercial_partner_id', '=', partner_id)]",
        help="The customer's contact who receives the monthly SLA report; the "
        "report is in their language.",
    )
    sla_report_send = fields.Boolean(
        string="E-mail Monthly SLA Report",
        help="Send the monthly SLA report to the report contact when it is "
        "generated at the start of the month.",
    )
    sla_report_ids = fields.One2many(
        "response.support.sla.report", "contract_id", string="SLA Reports"
    )

    _sql_constraints = [
        (
            "code_company_uniq",
            "unique (code, company_id)",
            "A contract reference must be unique per company.",
        ),
    ]

    @api.depends("phase_ids.date_start", "phase_ids.date_end")
    def _compute_dates(self):
        for contract in self:
            phases = contract.phase_ids
            contract.date_start = min(phases.mapped("date_start"), default=False)
            contract.date_end = max(phases.mapped("date_end"), default=False)

    @api.depends("phase_ids.date_start", "phase_ids.date_end")
    def _compute_current_phase_id(self):
        today = fields.Date.context_today(self)
        for contract in self:
            phase = contract._get_phase(today)
            contract.current_phase_id = phase
            contract.current_phase = phase.phase

    def _search_current_phase(self, operator, value):
        if operator not in ("=", "in"):
            raise ValidationError(
                self.env._("Unsupported search on the current phase.")
            )
        today = fields.Date.context_today(self)
        values = [value] if operator == "=" else value
        # one phase must satisfy every condition, not one phase each
        return [
            (
                "phase_ids",
                "any",
                [
                    ("phase", "in", values),
                    ("date_start", "<=", today),
                    ("date_end", ">=", today),
                ],
            )
        ]

    @api.depends("date_start", "date_end")
    def _compute_state(self):
        today = fields.Date.context_today(self)
        soon = today + timedelta(days=self._expiry_warning_days)
        for contract in self:
            contract.state = contract._state_on(today)
            contract.is_expiring = (
                contract.state == "active" and contract.date_end <= soon
            )

    def _state_on(self, day):
        self.ensure_one()
        if not self.date_start or day < self.date_start:
            return "draft"
        return "expired" if day > self.date_end else "active"

    def _search_state(self, operator, value):
        if operator not in ("=", "in"):
            raise ValidationError(self.env._("Unsupported search on the state."))
        today = fields.Date.context_today(self)
        domains = {
            "draft": ["|", ("date_start", "=", False), ("date_start", ">", today)],
            "active": [("date_start", "<=", today), ("date_end", ">=", today)],
            "expired": [("date_end", "<", today)],
        }
        values = [value] if operator == "=" else value
        return expression.OR([domains[state] for state in values])

    def _search_is_expiring(self, operator, value):
        today = fields.Date.context_today(self)
        soon = today + timedelta(days=self._expiry_warning_days)
        domain = [("date_end", ">=", today), ("date_end", "<=", soon)]
        positive = (operator == "=") == bool(value)
        return domain if positive else ["!"] + ["&"] + domain

    def _compute_ticket_count(self):
        counts = dict(
            self.env["helpdesk.ticket"]._read_group(
                [("contract_id", "in", self.ids)], ["contract_id"], ["__count"]
            )
        )
        for contract in self:
            contract.ticket_count = counts.get(contract, 0)

    @api.model_create_multi
    def create(self, vals_list):
        for vals in vals_list:
            if vals.get("code", "/") == "/":
                seq = self.env["ir.sequence"]
                if vals.get("company_id"):
                    seq = seq.with_company(vals["company_id"])
                vals["code"] = seq.next_by_code("response.support.contract") or "/"
        return super().create(vals_list)

    def write(self, vals):
        # phases edited through the contract: the clocks follow once, at the end
        with self.env["response.support.sla.clock"]._batch_external_changes():
            return super().write(vals)

    def action_view_tickets(self):
        self.ensure_one()
        action = self.env["ir.actions.act_window"]._for_xml_id(
            "helpdesk_mgmt.helpdesk_ticket_action"
        )
        action["domain"] = [("contract_id", "=", self.id)]
        action["context"] = {"default_contract_id": self.id}
        return action

    def _get_phase(self, day):
        """The phase of this contract valid on ``day`` (a date), or an empty record."""
        self.ensure_one()
        return self.phase_ids.filtered(lambda p: p.date_start <= day <= p.date_end)[:1]

    @api.model
    def _find_for_ticket(self, system, partner, day, company):
        """The contract that covers a ticket: a contract of the system valid on
        ``day`` first, then any valid contract of the reporter's company, then the
        most recent contract of the system, else of the reporter's company (an
        expired contract is still the right one to warn about)."""
        partner = partner.commercial_partner_id
        candidates = self._search_for_tickets(system, partner, company)
        return candidates._select_for_ticket(system, partner, day, company)

    @api.model
    def _find_for_tickets(self, tickets):
        """{ticket: contract} as ``_find_for_ticket`` decides, with one search for
        all the tickets."""
        candidates = self._search_for_tickets(
            tickets.system_id, tickets.commercial_partner_id, tickets.company_id
        )
        return {
            ticket: candidates._select_for_ticket(
                ticket.system_id,
                ticket.commercial_partner_id,
                ticket._reported_day(),
                ticket.company_id,
            )
            for ticket in tickets
        }

    @api.model
    def _search_for_tickets(self, systems, partners, companies):
        """The contracts of ``systems`` or of the companies ``partners``, most
        recent first, with their phases and systems."""
        if not systems and not partners:
            return self.browse()
        contracts = self.search_fetch(
            [
                ("company_id", "in", companies.ids + [False]),
                "|",
                ("system_ids", "in", systems.ids),
                ("partner_id", "in", partners.ids),
            ],
            ["company_id", "partner_id"],
        )
        # all the phases' columns in one query: the ticket reads its phase's SLA
        # level and calendar next
        contracts.phase_ids.mapped("date_start")
        return contracts

    def _select_for_ticket(self, system, partner, day, company):
        """Among these candidates (most recent first), the contract of a ticket;
        see ``_find_for_ticket``."""
        mine = self.filtered(lambda c: not c.company_id or c.company_id == company)
        of_system = (
            mine.filtered(lambda c: system in c.system_ids) if system else self.browse()
        )
        of_partner = (
            mine.filtered(lambda c: c.partner_id == partner)
            if partner
            else self.browse()
        )
        for contracts in (of_system, of_partner):
            valid = contracts.filtered(lambda c: c._get_phase(day))
            if valid:
                return valid[:1]
        return (of_system or of_partner)[:1]


class ResponseSupportContractPhase(models.Model):
    """A period of a contract with its own SLA level, scope and calendar: under
    construction, free maintenance period, paid O&M service."""

    _name = "response.support.contract.phase"
    _description = "O&M Contract Phase"
    _order = "contract_id, date_start"

    contract_id = fields.Many2one(
        "response.support.contract", required=True, ondelete="cascade", index=True
    )
    company_id = fields.Many2one(related="contract_id.company_id", store=True)
    phase = fields.Selection(CONTRACT_PHASES, required=True, default="service")
    date_start = fields.Date(string="Start", required=True)
    date_end = fields.Date(string="End", required=True)
    sla_level_id = fields.Many2one(
        "response.support.sla.level", string="SLA Level", required=True
    )
    catalog_ids = fields.Many2many(
        "response.support.catalog",
        relation="response_support_phase_catalog_rel",
        column1="phase_id",
        column2="catalog_id",
        string="Service Scope",
        help="Service-catalog entries covered in this phase; a sub-catalog is covered "
        "when it or one of its parents is listed.",
    )
    calendar_id = fields.Many2one(
        "resource.calendar",
        string="Working Calendar",
        help="Overrides the SLA level's calendar for this phase.",
    )
    note = fields.Char()

    @api.depends("phase", "date_start", "date_end")
    def _compute_display_name(self):
        labels = dict(self._fields["phase"]._description_selection(self.env))
        for phase in self:
            phase.display_name = (
                f"{labels.get(phase.phase, '')} ({phase.date_start} – {phase.date_end})"
            )

    @api.constrains("date_start", "date_end", "contract_id")
    def _check_dates(self):
        for phase in self:
            if phase.date_end < phase.date_start:
                raise ValidationError(
                    self.env._(
                        "Phase %(phase)s ends before it starts: set an end date on or "
                        "after %(start)s.",
                        phase=phase.display_name,
                        start=phase.date_start,
                    )
                )
            overlap = phase.contract_id.phase_ids.filtered(
                lambda p, ph=phase: p != ph
                and p.date_start <= ph.date_end
                and ph.date_start <= p.date_end
            )
            if overlap:
                raise ValidationError(
                    self.env._(
                        "Phases of contract %(contract)s overlap: %(a)s and %(b)s. "
                        "Each day may belong to one phase only.",
                        contract=phase.contract_id.display_name,
                        a=phase.display_name,
                        b=overlap[0].display_name,
                    )
                )

    @api.model_create_multi
    def create(self, vals_list):
        with self.env["response.support.sla.clock"]._batch_external_changes():
            phases = super().create(vals_list)
            phases._note_sla_change()
        return phases

    def write(self, vals):
        with self.env["response.support.sla.clock"]._batch_external_changes():
            if "contract_id" in vals:
                self._note_sla_change()  # the contract the phases leave
            res = super().write(vals)
            if PHASE_SLA_FIELDS & set(vals):
                self._note_sla_change()
        return res

    def unlink(self):
        with self.env["response.support.sla.clock"]._batch_external_changes():
            self._note_sla_change()
            return super().unlink()

    def _note_sla_change(self):
        """The open tickets of these phases' contracts may get another phase, SLA
        level, scope or calendar: their clocks follow (closed tickets keep theirs,
        see helpdesk.ticket._is_sla_history)."""
        contracts = self.contract_id
        if not contracts:
            return
        # sudo: the editor of the contract may not see all its tickets; only their
        # ids go on, to the system-maintained clocks
        tickets = (
            self.env["helpdesk.ticket"]
            .sudo()
            .search(
                [
                    ("contract_id", "in", contracts.ids),
                    ("stage_id.closed", "=", False),
                ]
            )
        )
        self.env["response.support.sla.clock"]._note_external_change(tickets=tickets)

    def _covers(self, catalog):
        """True when ``catalog`` (or one of its parents) is in this phase's scope."""
        self.ensure_one()
        if not catalog:
            return True
        scope_ids = set(self.catalog_ids.ids)
        ancestors = {int(i) for i in catalog.parent_path.split("/") if i}
        return bool(scope_ids & ancestors)

    def _get_calendar(self):
        self.ensure_one()
        return self.calendar_id or self.sla_level_id.calendar_id
