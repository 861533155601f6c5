from odoo import api, fields, models


class ResponseSupportSystem(models.Model):
    """A customer's system or platform (业务系统/平台) that the desk supports."""

    _name = "response.support.system"
    _description = "Supported System"
    _inherit = ["mail.thread"]
    _order = "partner_id, code, name"
    _rec_names_search = ["name", "code"]

    name = fields.Char(required=True, tracking=True)
    code = fields.Char(required=True, tracking=True, index=True)
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
    contract_ids = fields.Many2many(
        "response.support.contract",
        relation="response_support_contract_system_rel",
        column1="system_id",
        column2="contract_id",
        string="Contracts",
    )
    description = fields.Text()
    site_rules = fields.Text(
        help="The customer's rules engineers follow on site or connected (管理制度): "
        "access, safety, change windows.",
    )
    active = fields.Boolean(default=True)

    _sql_constraints = [
        (
            "code_company_uniq",
            "unique (code, company_id)",
            "A system code must be unique per company.",
        ),
    ]

    @api.depends("name", "code")
    def _compute_display_name(self):
        for system in self:
            system.display_name = (
                f"[{system.code}] {system.name}" if system.code else system.name
            )

    @api.model
    def _get_only_system_by_partner(self, partners):
        """{customer: system} for the customers in ``partners`` that run exactly one
        system (the default system of their reporters), in one query."""
        systems = self.search_fetch(
            [("partner_id", "in", partners.ids)], ["partner_id"]
        )
        by_partner = {}
        for system in systems:
            by_partner[system.partner_id] = (
                self.browse() if system.partner_id in by_partner else system
            )
        return {partner: system for partner, system in by_partner.items() if system}
