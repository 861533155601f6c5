from odoo import api, fields, models
from odoo.exceptions import ValidationError


class ResponseSupportUserSkill(models.Model):
    """An engineer's level (1 to 5) in a skill: the rows of the team's skills
    matrix (定岗定职) and what skill-aware dispatch filters on."""

    _name = "response.support.user.skill"
    _description = "Engineer Skill Level"
    _order = "user_id, skill_id"
    _rec_name = "skill_id"

    user_id = fields.Many2one(
        "res.users",
        string="Engineer",
        required=True,
        ondelete="cascade",
        index=True,
        domain="[('share', '=', False)]",
    )
    skill_id = fields.Many2one(
        "response.support.skill", required=True, ondelete="cascade", index=True
    )
    level = fields.Integer(
        required=True,
        default=1,
        aggregator="max",
        help="1 beginner, 2 practitioner, 3 competent (works alone), 4 expert, "
        "5 master (trains others).",
    )
    company_id = fields.Many2one(related="skill_id.company_id", store=True, index=True)
    team_ids = fields.Many2many(related="user_id.helpdesk_team_ids", string="Teams")

    _sql_constraints = [
        (
            "user_skill_uniq",
            "unique (user_id, skill_id)",
            "An engineer has one level per skill.",
        ),
    ]

    @api.constrains("level")
    def _check_level(self):
        if any(not 1 <= line.level <= 5 for line in self):
            raise ValidationError(
                self.env._("A skill level is between 1 (beginner) and 5 (master).")
            )
