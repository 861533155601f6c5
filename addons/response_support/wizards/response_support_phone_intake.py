import re

from odoo import Command, api, fields, models
from odoo.exceptions import UserError
from odoo.tools import plaintext2html

from ..models.helpdesk_ticket import COVERAGE_STATES, REPORTER_ROLES
from ..models.response_support_priority_matrix import IMPACTS, URGENCIES

# digits compared when matching a caller's number to a contact (ignores +86, spaces…)
PHONE_MATCH_DIGITS = 8


class ResponseSupportPhoneIntake(models.TransientModel):
    """Record a phone call in under a minute: the caller's number finds the contact,
    their organisation, system and contract; the desk adds what the caller says."""

    _name = "response.support.phone.intake"
    _description = "Phone Intake"

    phone = fields.Char(string="Caller Number", required=True)
    # the stored computes are precomputed: in the wizard's INSERT, not an UPDATE
    partner_id = fields.Many2one(
        "res.partner",
        string="Caller",
        compute="_compute_partner_id",
        store=True,
        readonly=False,
        precompute=True,
    )
    reporter_name = fields.Char(
        compute="_compute_reporter",
        store=True,
        readonly=False,
        precompute=True,
    )
    reporter_organization = fields.Char(
        string="Organisation",
        compute="_compute_reporter",
        store=True,
        readonly=False,
        precompute=True,
    )
    reporter_email = fields.Char(
        string="Email",
        compute="_compute_reporter",
        store=True,
        readonly=False,
        precompute=True,
    )
    reporter_role = fields.Selection(REPORTER_ROLES, string="Role", default="user")
    commercial_partner_id = fields.Many2one(related="partner_id.commercial_partner_id")
    system_id = fields.Many2one(
        "response.support.system",
        string="System / Platform",
        compute="_compute_system_id",
        store=True,
        readonly=False,
        precompute=True,
        domain="[('partner_id', '=?', commercial_partner_id)]",
    )
    contract_id = fields.Many2one(
        "response.support.contract",
        string="O&M Contract",
        compute="_compute_contract_id",
        store=True,
        readonly=False,
        precompute=True,
    )
    catalog_id = fields.Many2one("response.support.catalog", string="Service Catalog")
    name = fields.Char(string="Title", required=True)
    description = fields.Text(required=True)
    impact = fields.Selection(IMPACTS)
    urgency = fields.Selection(URGENCIES)
    no_attachment = fields.Boolean(string="Reporter Has No Attachment", default=True)
    attachment_ids = fields.Many2many(
        "ir.attachment",
        relation="response_support_phone_intake_attachment_rel",
        string="Attachments",
        help="Screenshots or photos the caller sent (§5.1 item 6).",
    )
    coverage_state = fields.Selection(
        COVERAGE_STATES, string="Coverage", compute="_compute_coverage_state"
    )
    scope_decision = fields.Selection(
        [("chargeable", "Accepted as Chargeable")], readonly=True
    )
    open_ticket_ids = fields.Many2many(
        "helpdesk.ticket",
        string="Open Tickets of the Caller",
        compute="_compute_open_ticket_ids",
        help="Open tickets of the caller and of their organisation: a second report "
        "of the same fault is linked, not recorded twice.",
    )

    @api.depends("phone")
    def _compute_partner_id(self):
        for wizard in self:
            wizard.partner_id = self._find_partner(wizard.phone)

    @api.model
    def _find_partner(self, phone):
        """The contact whose phone or mobile ends with the same digits as ``phone``."""
        digits = re.sub(r"\D", "", phone or "")[-PHONE_MATCH_DIGITS:]
        if len(digits) < 6:
            return self.env["res.partner"]
        tail = digits[-4:]
        candidates = self.env["res.partner"].search(
            ["|", ("phone", "like", tail), ("mobile", "like", tail)], limit=200
        )
        return candidates.filtered(
            lambda p: any(
                re.sub(r"\D", "", number or "").endswith(digits)
                for number in (p.phone, p.mobile)
            )
        )[:1]

    @api.depends("partner_id")
    def _compute_reporter(self):
        for wizard in self:
            partner = wizard.partner_id
            if partner:
                wizard.reporter_name = partner.name
                wizard.reporter_email = partner.email
                wizard.reporter_organization = partner.commercial_partner_id.name

    @api.depends("partner_id")
    def _compute_system_id(self):
        only = self.env["response.support.system"]._get_only_system_by_partner(
            self.partner_id.commercial_partner_id
        )
        for wizard in self:
            wizard.system_id = only.get(wizard.partner_id.commercial_partner_id, False)

    @api.depends("system_id", "partner_id")
    def _compute_contract_id(self):
        today = fields.Date.context_today(self)
        for wizard in self:
            wizard.contract_id = self.env["response.support.contract"]._find_for_ticket(
                wizard.system_id, wizard.partner_id, today, self.env.company
            )

    @api.depends("system_id", "contract_id", "catalog_id", "partner_id")
    def _compute_coverage_state(self):
        for wizard in self:
            wizard.coverage_state = (
                wizard._new_ticket().coverage_state if wizard.contract_id else False
            )

    @api.depends("partner_id")
    def _compute_open_ticket_ids(self):
        partners = self.partner_id.commercial_partner_id
        tickets = self.env["helpdesk.ticket"].search(
            [
                ("commercial_partner_id", "in", partners.ids),
                ("stage_id.closed", "=", False),
            ],
            order="create_date desc",
        )
        for wizard in self:
            commercial = wizard.partner_id.commercial_partner_id
            wizard.open_ticket_ids = tickets.filtered(
                lambda t, c=commercial: c and t.commercial_partner_id == c
            )

    def _new_ticket(self):
        """The ticket this call would record, not saved (no ticket number is used):
        its coverage and missing intake items are the ticket's own rules."""
        self.ensure_one()
        vals = dict(
            self._prepare_ticket_vals(),
            company_id=self.env.company.id,
            scope_decision=self.scope_decision,
            attachment_ids=[Command.set(self.attachment_ids.ids)],
        )
        return self.env["helpdesk.ticket"].new(vals)

    def _check_dispatchable(self):
        """Raise before anything is saved when the call cannot be dispatched: the
        error names what is missing, and no ticket (it does not exist yet)."""
        self.ensure_one()
        ticket = self._new_ticket()
        missing = ticket._get_intake_missing()
        if missing:
            raise UserError(
                self.env._(
                    "This call cannot be dispatched yet. Confirm with the caller and "
                    "fill in:\n%(items)s\nOr save it as a draft.",
                    items="\n".join(f"- {item}" for item in missing),
                )
            )
        if not ticket._get_dispatch_team():
            raise UserError(
                self.env._(
                    "Service catalog %(catalog)s has no default team: save the call "
                    "as a draft and choose the team in the dispatch dialog.",
                    catalog=self.catalog_id.display_name,
                )
            )

    def _prepare_ticket_vals(self):
        self.ensure_one()
        return {
            "name": self.name,
            "description": plaintext2html(self.description or ""),
            "channel_id": self.env.ref(
                "helpdesk_mgmt.helpdesk_ticket_channel_phone"
            ).id,
            "partner_id": self.partner_id.id,
            "partner_name": self.reporter_name,
            "partner_email": self.reporter_email,
            "reporter_phone": self.phone,
            "reporter_organization": self.reporter_organization,
            "reporter_role": self.reporter_role,
            "system_id": self.system_id.id,
            "contract_id": self.contract_id.id,
            "catalog_id": self.catalog_id.id,
            "impact": self.impact,
            "urgency": self.urgency,
            "no_attachment": self.no_attachment,
        }

    def _create_ticket(self):
        self.ensure_one()
        ticket = self.env["helpdesk.ticket"].create(self._prepare_ticket_vals())
        if self.attachment_ids:
            self.attachment_ids.write({"res_model": ticket._name, "res_id": ticket.id})
        if self.scope_decision:
            ticket._set_scope_decision(self.scope_decision)
        return ticket

    def action_create(self):
        """Save the call as a ticket, complete or not: a call is never lost."""
        return self._create_ticket()._get_form_action()

    def action_create_dispatch(self):
        """Save the call and dispatch it at once. When intake items are missing the
        error lists them, the dialog stays open, and nothing is saved half-way:
        the check runs before the ticket (and its number) is created."""
        self._check_dispatchable()
        ticket = self._create_ticket()
        ticket.action_dispatch()
        return ticket._get_form_action()

    def _reopen(self):
        self.ensure_one()
        return {
            "type": "ir.actions.act_window",
            "res_model": self._name,
            "res_id": self.id,
            "view_mode": "form",
            "target": "new",
            "name": self.env._("Record a Call"),
        }

    def action_accept_chargeable(self):
        """The request is out of scope or the contract expired: the desk accepts it
        as chargeable; the ticket records the decision when it is saved."""
        self.ensure_one()
        self.env["helpdesk.ticket"]._check_desk_action(
            self.env._("accept a request as chargeable")
        )
        self.scope_decision = "chargeable"
        return self._reopen()

    def action_reject_out_of_scope(self):
        """Record the call and reject it as out of scope at once."""
        self.ensure_one()
        ticket = self._create_ticket()
        ticket.action_reject_out_of_scope()
        return ticket._get_form_action()
