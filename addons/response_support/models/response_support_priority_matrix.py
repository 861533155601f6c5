from odoo import api, fields, models, tools

TICKET_PRIORITIES = [
    ("0", "Low"),
    ("1", "Medium"),
    ("2", "High"),
    ("3", "Very High"),
]
IMPACTS = [
    ("low", "Single User"),
    ("medium", "Department or Several Users"),
    ("high", "Whole Organisation or Core System"),
]
URGENCIES = [
    ("low", "Low"),
    ("medium", "Medium"),
    ("high", "High"),
]


class ResponseSupportPriorityMatrix(models.Model):
    """One cell of the impact × urgency priority matrix (影响范围 × 紧急程度)."""

    _name = "response.support.priority.matrix"
    _description = "Priority Matrix"
    _order = "company_id, impact desc, urgency desc"

    impact = fields.Selection(IMPACTS, required=True)
    urgency = fields.Selection(URGENCIES, required=True)
    priority = fields.Selection(TICKET_PRIORITIES, required=True)
    company_id = fields.Many2one(
        "res.company",
        help="Leave empty for a cell that applies to every company; a company's own "
        "cell wins over it.",
    )

    _sql_constraints = [
        (
            "cell_uniq",
            "unique NULLS NOT DISTINCT (impact, urgency, company_id)",
            "The matrix has one cell per impact, urgency and company.",
        ),
    ]

    @api.model_create_multi
    def create(self, vals_list):
        self.env.registry.clear_cache()  # _get_cells
        return super().create(vals_list)

    def write(self, vals):
        self.env.registry.clear_cache()  # _get_cells
        return super().write(vals)

    def unlink(self):
        self.env.registry.clear_cache()  # _get_cells
        return super().unlink()

    @api.model
    def _lookup_map(self, companies):
        """{(company_id, impact, urgency): priority} for the given companies, company
        cells overriding shared ones; cached per set of companies (the matrix
        changes seldom, tickets are created all day)."""
        return dict(self._get_cells(tuple(sorted(companies.ids))))

    @api.model
    @tools.ormcache("company_ids")
    def _get_cells(self, company_ids):
        """((company_id, impact, urgency), priority) pairs of ``company_ids``;
        cleared by any create, write or unlink of a cell (a rollback clears it
        again)."""
        cells = self.sudo().search_fetch(
            [("company_id", "in", list(company_ids) + [False])],
            ["impact", "urgency", "priority", "company_id"],
        )
        shared = {(c.impact, c.urgency): c.priority for c in cells if not c.company_id}
        result = {}
        for company_id in company_ids:
            result.update({(company_id, i, u): p for (i, u), p in shared.items()})
        for cell in cells.filtered("company_id"):
            result[(cell.company_id.id, cell.impact, cell.urgency)] = cell.priority
        return tuple(result.items())
