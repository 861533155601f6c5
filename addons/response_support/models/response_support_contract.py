from datetime import timedelta
from typing import NamedTuple

from odoo import api, fields, models, tools
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

# contract fields that decide which tickets it covers (cached, see _get_route)
CONTRACT_ROUTING_FIELDS = {"active", "company_id", "partner_id", "system_ids"}


class ContractRoute(NamedTuple):
    """A contract as the routing of tickets sees it: its customer, its systems
    and its phases ``(phase id, first day, last day)`` in date order."""

    id: int
    partner_id: int
    system_ids: frozenset
    phases: tuple

    def phase_on(self, day):
        """The id of the phase valid on ``day``, or False."""
        return next((p[0] for p in self.phases if p[1] <= day <= p[2]), False)


class PhaseRoute(NamedTuple):
    """A contract phase as a ticket's SLA sees it: its kind (CONTRACT_PHASES),
    its SLA level, the calendar its clocks count in (the phase's, else the
    level's; False: 7×24) and its service scope (catalog ids)."""

    phase: str
    sla_level_id: int
    calendar_id: int
    catalog_ids: frozenset


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
        contracts = super().create(vals_list)
        contracts._clear_routing_cache()
        return contracts

    def write(self, vals):
        # phases edited through the contract: the clocks follow once, at the end
        with self.env["response.support.sla.clock"]._batch_external_changes():
            res = super().write(vals)
            if CONTRACT_ROUTING_FIELDS & set(vals):
                self._clear_routing_cache()
        return res

    def unlink(self):
        res = super().unlink()
        self._clear_routing_cache()
        return res

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
        if not isinstance(self.id, int):  # a contract being edited in a form
            valid = self.phase_ids.filtered(lambda p: p.date_start <= day <= p.date_end)
            return valid[:1]
        phase_id = self._get_route().phase_on(day)
        return self.env["response.support.contract.phase"].browse(phase_id)

    @api.model
    def _find_for_ticket(self, system, partner, day, company):
        """The contract that covers a ticket: a contract of the system valid on
        ``day`` first, then any valid contract of the reporter's company, then the
        most recent contract of the system, else of the reporter's company (an
        expired contract is still the right one to warn about). Decided on the
        cached routes (``_get_candidate_ids``, ``_get_route``): no query once the
        registry knows the customer's contracts."""
        system_id = system._origin.id if system else False
        partner_id = partner.commercial_partner_id._origin.id if partner else False
        if not (system_id or partner_id) or not company:
            return self.browse()
        routes = [
            self.browse(contract_id)._get_route()
            for contract_id in self._get_candidate_ids(
                system_id, partner_id, company._origin.id
            )
        ]
        of_system = [r for r in routes if system_id in r.system_ids]
        of_partner = [r for r in routes if partner_id and r.partner_id == partner_id]
        for candidates in (of_system, of_partner):
            valid = [r for r in candidates if r.phase_on(day)]
            if valid:
                return self.browse(valid[0].id)
        return self.browse([r.id for r in (of_system or of_partner)[:1]])

    @api.model
    def _find_for_tickets(self, tickets):
        """{ticket: contract} as ``_find_for_ticket`` decides."""
        return {
            ticket: self._find_for_ticket(
                ticket.system_id,
                ticket.commercial_partner_id,
                ticket._reported_day(),
                ticket.company_id,
            )
            for ticket in tickets
        }

    @api.model
    @tools.ormcache("system_id", "partner_id", "company_id")
    def _get_candidate_ids(self, system_id, partner_id, company_id):
        """Ids of the active contracts of the system or of the customer (a
        commercial partner) in ``company_id``, most recent first. Cached in the
        registry until a contract's routing fields or a phase change (they clear
        it, see ``_clear_routing_cache``). As superuser: the contract of a ticket
        is the desk's rule, whoever records the ticket; the domain keeps to the
        ticket's company, as the multi-company rule would."""
        of_customer = []
        if partner_id:
            of_customer.append([("partner_id", "=", partner_id)])
        if system_id:
            of_customer.append([("system_ids", "in", [system_id])])
        domain = expression.AND(
            [[("company_id", "=", company_id)], expression.OR(of_customer)]
        )
        contracts = self.sudo().with_context(active_test=True).search(domain)
        return tuple(contracts.ids)

    @tools.ormcache("self.id")
    def _get_route(self):
        """What a ticket's routing reads of this contract (see ``ContractRoute``),
        cached in the registry like ``_get_candidate_ids``. Archived systems
        still route their tickets to the contract they are listed on."""
        contract = self.sudo().with_context(active_test=False)
        return ContractRoute(
            contract.id,
            contract.partner_id.id,
            frozenset(contract.system_ids.ids),
            tuple(
                (phase.id, phase.date_start, phase.date_end)
                for phase in contract.phase_ids
            ),
        )

    def _clear_routing_cache(self):
        """Contracts, phases, SLA levels or catalogs changed what routes a ticket:
        drop the cached routes (all the registry's ormcaches; a rollback drops
        them again, other workers follow at their next request)."""
        self.env.registry.clear_cache()


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
            phases.contract_id._clear_routing_cache()
            phases._note_sla_change()
        return phases

    def write(self, vals):
        with self.env["response.support.sla.clock"]._batch_external_changes():
            if "contract_id" in vals:
                self._note_sla_change()  # the contract the phases leave
            res = super().write(vals)
            if (PHASE_SLA_FIELDS | {"phase", "catalog_ids"}) & set(vals):
                self.contract_id._clear_routing_cache()
            if PHASE_SLA_FIELDS & set(vals):
                self._note_sla_change()
        return res

    def unlink(self):
        with self.env["response.support.sla.clock"]._batch_external_changes():
            self._note_sla_change()
            res = super().unlink()
            self.env["response.support.contract"]._clear_routing_cache()
        return res

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

    @tools.ormcache("self.id")
    def _get_route(self):
        """What a ticket's SLA reads of this phase (see ``PhaseRoute``), cached in
        the registry until the phase, its SLA level's calendar or the catalog
        tree change (archived catalog entries are out of scope). As superuser,
        like the contract's route."""
        phase = self.sudo()
        return PhaseRoute(
            phase.phase,
            phase.sla_level_id.id,
            (phase.calendar_id or phase.sla_level_id.calendar_id).id,
            frozenset(phase.with_context(active_test=True).catalog_ids.ids),
        )

    def _covers(self, catalog):
        """True when ``catalog`` (or one of its parents) is in this phase's scope."""
        self.ensure_one()
        if not catalog:
            return True
        if isinstance(self.id, int):
            scope_ids = self._get_route().catalog_ids
        else:  # a phase being edited in a form
            scope_ids = set(self.catalog_ids._origin.ids)
        return bool(scope_ids & catalog._get_ancestor_ids())

    def _get_phase_code(self):
        """The kind of phase (CONTRACT_PHASES), False for no phase."""
        if len(self) != 1 or not isinstance(self.id, int):
            return self.phase if len(self) == 1 else False
        return self._get_route().phase

    def _get_sla_level(self):
        self.ensure_one()
        if not isinstance(self.id, int):
            return self.sla_level_id
        level_id = self._get_route().sla_level_id
        return self.env["response.support.sla.level"].browse(level_id)

    def _get_calendar(self):
        self.ensure_one()
        if not isinstance(self.id, int):
            return self.calendar_id or self.sla_level_id.calendar_id
        return self.env["resource.calendar"].browse(self._get_route().calendar_id)
