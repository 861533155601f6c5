from odoo import fields, models

from .response_support_activity_checklist import CHECKLIST_STAGES


class ResponseSupportChecklistTemplate(models.Model):
    """A checklist item every support activity of a catalog entry (and its
    sub-entries) gets; without a catalog entry it applies to every activity."""

    _name = "response.support.checklist.template"
    _description = "Support Checklist Template"
    _order = "catalog_id, stage, sequence, id"

    name = fields.Char(string="Item", required=True, translate=True)
    sequence = fields.Integer(default=10)
    catalog_id = fields.Many2one(
        "response.support.catalog",
        string="Catalog Entry",
        ondelete="cascade",
        index=True,
        help="Empty: every activity gets this item.",
    )
    applies_to = fields.Selection(
        [("all", "All Activities"), ("onsite", "On-site"), ("remote", "Remote")],
        required=True,
        default="all",
    )
    stage = fields.Selection(CHECKLIST_STAGES, required=True, default="before")
    company_id = fields.Many2one(
        "res.company", default=lambda self: self.env.company, index=True
    )
    active = fields.Boolean(default=True)
