from odoo import api, fields, models

CHECKLIST_STAGES = [
    ("before", "Before Starting"),
    ("leave", "Before Leaving"),
]


class ResponseSupportActivityChecklist(models.Model):
    """An item of a support activity's checklist: preparation (tools, spare parts,
    blank service form, safety; remote access secure, stable and available) before
    the work starts, and what is due before leaving (site left clean)."""

    _name = "response.support.activity.checklist"
    _description = "Support Activity Checklist Item"
    _order = "activity_id, stage, sequence, id"

    activity_id = fields.Many2one(
        "response.support.activity", required=True, ondelete="cascade", index=True
    )
    company_id = fields.Many2one(
        related="activity_id.company_id", store=True, index=True
    )
    sequence = fields.Integer(default=10)
    name = fields.Char(string="Item", required=True)
    stage = fields.Selection(CHECKLIST_STAGES, required=True, default="before")
    done = fields.Boolean()
    done_by_id = fields.Many2one(
        "res.users",
        string="Checked By",
        compute="_compute_done_by",
        store=True,
    )
    done_date = fields.Datetime(
        string="Checked On", compute="_compute_done_by", store=True
    )

    @api.depends("done")
    def _compute_done_by(self):
        for line in self:
            line.done_by_id = self.env.user if line.done else False
            line.done_date = fields.Datetime.now() if line.done else False
