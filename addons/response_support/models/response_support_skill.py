from odoo import fields, models


class ResponseSupportSkill(models.Model):
    """An engineer speciality (§2: hardware, software, system, database,
    development, and the finer ones a company adds).

    Why a small model of our own rather than Odoo Community's ``hr_skills``:
    ``hr_skills`` needs ``hr`` (employees, departments, work contacts, the
    Employees app and its menus) and keeps skills on ``hr.employee``, so every
    engineer would need an employee record linked to their user before dispatch
    could see their skills. Our desks assign ``res.users`` (helpdesk_mgmt team
    members); an ``hr`` dependency would install half a dozen modules for two
    tables and force HR records on companies that run HR elsewhere. The model is
    shaped like ``hr_skills`` (a skill, a level per person) so that a bridge
    module can sync the two where ``hr`` is installed."""

    _name = "response.support.skill"
    _description = "Engineer Skill"
    _order = "sequence, name, id"

    name = fields.Char(required=True, translate=True)
    code = fields.Char()
    sequence = fields.Integer(default=10)
    description = fields.Text(translate=True)
    active = fields.Boolean(default=True)
    company_id = fields.Many2one(
        "res.company", index=True, help="Empty: a skill of every company."
    )

    _sql_constraints = [
        ("code_uniq", "unique (code)", "A skill code must be unique."),
    ]
