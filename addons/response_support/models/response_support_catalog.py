from odoo import api, fields, models, tools
from odoo.exceptions import ValidationError


class ResponseSupportCatalog(models.Model):
    """Service catalog entry (服务目录); entries with a parent are sub-catalogs."""

    _name = "response.support.catalog"
    _description = "Service Catalog"
    _parent_store = True
    _order = "complete_name"
    _rec_name = "complete_name"
    _rec_names_search = ["complete_name", "code"]

    name = fields.Char(required=True, translate=True)
    code = fields.Char(index=True)
    complete_name = fields.Char(
        compute="_compute_complete_name", store=True, recursive=True
    )
    parent_id = fields.Many2one(
        "response.support.catalog",
        string="Parent Catalog",
        index=True,
        ondelete="restrict",
    )
    parent_path = fields.Char(index=True)
    child_ids = fields.One2many(
        "response.support.catalog", "parent_id", string="Sub-catalogs"
    )
    team_id = fields.Many2one(
        "helpdesk.ticket.team",
        string="Default Team",
        compute="_compute_team_id",
        store=True,
        readonly=False,
        recursive=True,
        help="Engineer team that handles requests of this catalog entry by default. "
        "Sub-catalogs inherit their parent's team unless they set their own.",
    )
    skill_id = fields.Many2one(
        "response.support.skill",
        string="Required Skill",
        compute="_compute_skill_id",
        store=True,
        readonly=False,
        recursive=True,
        help="Dispatch proposes only engineers of the team with this skill at the "
        "minimum level (the team's fallback applies when none is free). "
        "Sub-catalogs inherit their parent's skill unless they set their own.",
    )
    skill_min_level = fields.Integer(
        string="Minimum Skill Level",
        compute="_compute_skill_id",
        store=True,
        readonly=False,
        recursive=True,
        help="1 beginner … 5 master.",
    )
    checklist_template_ids = fields.One2many(
        "response.support.checklist.template",
        "catalog_id",
        string="Support Checklist",
        help="Items the support activities of this entry and its sub-entries check.",
    )
    company_id = fields.Many2one(
        "res.company", default=lambda self: self.env.company, index=True
    )
    description = fields.Text()
    active = fields.Boolean(default=True)

    _sql_constraints = [
        (
            "code_company_uniq",
            "unique (code, company_id)",
            "A catalog code must be unique per company.",
        ),
    ]

    @api.depends("name", "parent_id.complete_name")
    def _compute_complete_name(self):
        for entry in self:
            entry.complete_name = (
                f"{entry.parent_id.complete_name} / {entry.name}"
                if entry.parent_id
                else entry.name
            )

    @api.depends("parent_id.team_id")
    def _compute_team_id(self):
        for entry in self:
            if not entry.team_id and entry.parent_id:
                entry.team_id = entry.parent_id.team_id

    @api.depends("parent_id.skill_id", "parent_id.skill_min_level")
    def _compute_skill_id(self):
        for entry in self:
            if not entry.skill_id and entry.parent_id.skill_id:
                entry.skill_id = entry.parent_id.skill_id
                entry.skill_min_level = entry.parent_id.skill_min_level
            elif not entry.skill_min_level:
                entry.skill_min_level = 1

    @api.constrains("parent_id")
    def _check_parent_id(self):
        if self._has_cycle():
            raise ValidationError(
                self.env._("A catalog entry cannot be its own parent.")
            )

    def write(self, vals):
        res = super().write(vals)
        if {"parent_id", "active"} & set(vals):
            # the scope of contract phases covers the sub-entries of an entry
            self.env["response.support.contract"]._clear_routing_cache()
        return res

    def _get_ancestor_ids(self):
        """Ids of this entry and of its parents (``parent_path``), cached in the
        registry for stored entries until an entry moves."""
        self.ensure_one()
        if not isinstance(self.id, int):  # an entry being edited in a form
            return frozenset(int(i) for i in (self.parent_path or "").split("/") if i)
        return self._get_stored_ancestor_ids()

    @tools.ormcache("self.id")
    def _get_stored_ancestor_ids(self):
        return frozenset(int(i) for i in self.sudo().parent_path.split("/") if i)
