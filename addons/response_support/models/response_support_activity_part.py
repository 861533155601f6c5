from odoo import fields, models


class ResponseSupportActivityPart(models.Model):
    """A spare part used during a support activity (现场备件), listed on the
    service form the customer signs."""

    _name = "response.support.activity.part"
    _description = "Spare Part Used"
    _order = "activity_id, id"

    activity_id = fields.Many2one(
        "response.support.activity", required=True, ondelete="cascade", index=True
    )
    company_id = fields.Many2one(
        related="activity_id.company_id", store=True, index=True
    )
    name = fields.Char(string="Spare Part", required=True)
    serial = fields.Char(string="Serial Number")
    quantity = fields.Float(default=1.0, digits="Product Unit of Measure")
    note = fields.Char()
