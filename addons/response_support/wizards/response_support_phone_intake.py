import re

from odoo import api, fields, models
from odoo.tools import plaintext2html

from ..models.helpdesk_ticket import REPORTER_ROLES
from ..models.response_support_priority_matrix import IMPACTS, URGENCIES

# digits compared when matching a caller's number to a contact (ignores +86, spaces…)
PHONE_MATCH_DIGITS = 8


class ResponseSupportPhoneIntake(models.TransientModel):
    """Record a phone call in under a minute: the caller's number finds the contact,
    their organisation, system and contract; the desk adds what the caller says."""

    _name = "response.support.phone.intake"
    _description = "Phone Intake"

    phone = fields.Char(string="Caller Number", required=True)
    partner_id = fields.Many2one(
        "res.partner",
        string="Caller",
        compute="_compute_partner_id",
        store=True,
        readonly=False,
    )
    reporter_name = fields.Char(
        compute="_compute_reporter",
        store=True,
        readonly=False,
    )
    reporter_organization = fields.Char(
        string="Organisation",
        compute="_compute_reporter",
        store=True,
        readonly=False,
    )
    reporter_email = fields.Char(
        string="Email", compute="_compute_reporter", store=True, readonly=False
    )
    reporter_role = fields.Selection(REPORTER_ROLES, string="Role", default="user")
    commercial_partner_id = fields.Many2one(related="partner_id.commercial_partner_id")
    system_id = fields.Many2one(
        "response.support.system",
        string="System / Platform",
        compute="_compute_system_id",
        store=True,
        readonly=False,
        domain="[('partner_id', '=?', commercial_partner_id)]",
    )
    contract_id = fields.Many2one(
        "response.support.contract",
        string="O&M Contract",
        compute="_compute_contract_id",
        store=True,
        readonly=False,
    )
    catalog_id = fields.Many2one("response.support.catalog", string="Service Catalog")
    name = fields.Char(string="Title", required=True)
    description = fields.Text(required=True)
    impact = fields.Selection(IMPACTS)
    urgency = fields.Selection(URGENCIES)
    no_attachment = fields.Boolean(string="Reporter Has No Attachment", default=True)

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

    def _prepare_ticket_vals(self):
        self.ensure_one()
        return {
            "name": self.name,
            "description": plaintext2html(self.description),
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
        return self.env["helpdesk.ticket"].create(self._prepare_ticket_vals())

    def action_create(self):
        """Save the call as a ticket, complete or not: a call is never lost."""
        return self._create_ticket()._get_form_action()

    def action_create_dispatch(self):
        """Save the call and dispatch it at once. When intake items are missing the
        error lists them, the dialog stays open, and nothing is saved half-way."""
        ticket = self._create_ticket()
        ticket.action_dispatch()
        return ticket._get_form_action()
