from odoo import fields, models


class ResUsers(models.Model):
    _inherit = "res.users"

    response_support_skill_ids = fields.One2many(
        "response.support.user.skill", "user_id", string="Skills"
    )
