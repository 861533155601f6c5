from odoo import api, fields, models, tools

from .response_support_priority_matrix import TICKET_PRIORITIES


class ResponseSupportSlaLevel(models.Model):
    """SLA level (SLA级别) of a contract phase: targets per priority and the calendar
    the targets are counted in."""

    _name = "response.support.sla.level"
    _description = "SLA Level"
    _inherit = ["mail.thread"]
    _order = "sequence, id"

    name = fields.Char(required=True, translate=True, tracking=True)
    sequence = fields.Integer(default=10)
    calendar_id = fields.Many2one(
        "resource.calendar",
        string="Working Calendar",
        tracking=True,
        help="Calendar the targets are counted in. Leave empty to count around the "
        "clock (7×24).",
    )
    target_ids = fields.One2many(
        "response.support.sla.target", "level_id", string="Targets", copy=True
    )
    threshold_ids = fields.One2many(
        "response.support.sla.threshold",
        "level_id",
        string="Warnings and Escalation",
        copy=True,
    )
    company_id = fields.Many2one(
        "res.company", default=lambda self: self.env.company, index=True
    )
    description = fields.Text()
    active = fields.Boolean(default=True)

    def write(self, vals):
        # targets and thresholds edited through the level: one pass at the end
        with self.env["response.support.sla.clock"]._batch_external_changes():
            res = super().write(vals)
            if {"calendar_id", "target_ids", "threshold_ids"} & set(vals):
                self._note_sla_change()
        return res

    def _note_sla_change(self):
        """Targets, thresholds or calendar of these levels changed: the clocks of
        the open tickets under them follow (closed tickets keep their history)."""
        # cached terms and routes (_get_target_ids, phase routes) are dropped
        self.env["response.support.contract"]._clear_routing_cache()
        if not self:
            return
        # sudo: the editor of a level may not see all its tickets; only their ids
        # go on, to the system-maintained clocks
        tickets = (
            self.env["helpdesk.ticket"]
            .sudo()
            .search([("sla_level_id", "in", self.ids), ("stage_id.closed", "=", False)])
        )
        self.env["response.support.sla.clock"]._note_external_change(tickets=tickets)

    def _get_target(self, priority):
        """The target line of this level for a ticket priority (empty if none)."""
        self.ensure_one()
        return self.target_ids.filtered(lambda t: t.priority == priority)[:1]

    def _get_target_map(self):
        """{(level id, priority): target} of these levels, as ``_get_target``
        finds them, from the registry's cache for stored levels (no query)."""
        result = {}
        Target = self.env["response.support.sla.target"]
        for level in self:
            if isinstance(level.id, int):
                pairs = [(p, Target.browse(t)) for p, t in level._get_target_ids()]
            else:  # a level being edited in a form
                pairs = [(target.priority, target) for target in level.target_ids]
            for priority, target in pairs:
                result.setdefault((level.id, priority), target)
        return result

    def _get_thresholds(self):
        """The warning thresholds of this level, their ids from the registry's
        cache for a stored level (no query when it has none)."""
        self.ensure_one()
        if not isinstance(self.id, int):
            return self.threshold_ids
        Threshold = self.env["response.support.sla.threshold"]
        return Threshold.browse(self._get_threshold_ids())

    @tools.ormcache("self.id")
    def _get_threshold_ids(self):
        """Ids of this stored level's thresholds in their order, cached in the
        registry until its terms change (``_note_sla_change``)."""
        return tuple(self.sudo().threshold_ids.ids)

    @tools.ormcache("self.id")
    def _get_target_ids(self):
        """((priority, target id), …) of this stored level in the targets' order,
        cached in the registry until its terms change (``_note_sla_change``)."""
        return tuple((t.priority, t.id) for t in self.sudo().target_ids)


class ResponseSupportSlaTarget(models.Model):
    """Response, resolution and on-site arrival targets of one SLA level for one
    priority, in minutes."""

    _name = "response.support.sla.target"
    _inherit = ["response.support.sla.term.mixin"]
    _description = "SLA Target"
    _order = "level_id, priority desc"

    level_id = fields.Many2one(
        "response.support.sla.level", required=True, ondelete="cascade", index=True
    )
    priority = fields.Selection(TICKET_PRIORITIES, required=True)
    response_minutes = fields.Integer(
        string="Response (min)", required=True, help="Time to first response."
    )
    resolution_minutes = fields.Integer(
        string="Resolution (min)", required=True, help="Time to resolution."
    )
    onsite_minutes = fields.Integer(
        string="On-site Arrival (min)",
        help="Time from an on-site request to the engineer's arrival. "
        "Zero when on-site support is not part of the level.",
    )
    support_minutes = fields.Integer(
        string="Support Time (min)",
        help="Maximum working time of one support activity, on site or connected "
        "(支持时间要求). Zero: no limit.",
    )

    _sql_constraints = [
        (
            "level_priority_uniq",
            "unique (level_id, priority)",
            "An SLA level has one target line per priority.",
        ),
        (
            "minutes_positive",
            "CHECK (response_minutes > 0 AND resolution_minutes > 0 "
            "AND onsite_minutes >= 0 AND support_minutes >= 0)",
            "SLA targets must be positive numbers of minutes.",
        ),
    ]

    def _get_sla_term_owners(self):
        return self.level_id

    def _get_minutes(self, kind):
        """The target's minutes for a ``kind`` of clock (response, resolution,
        onsite, support), cached in the registry for stored targets until the
        level's terms change."""
        self.ensure_one()
        if not isinstance(self.id, int):
            return self[f"{kind}_minutes"]
        return self._get_stored_minutes(kind)

    @tools.ormcache("self.id", "kind")
    def _get_stored_minutes(self, kind):
        return self.sudo()[f"{kind}_minutes"]

    @api.depends("level_id.name", "priority")
    def _compute_display_name(self):
        labels = dict(self._fields["priority"]._description_selection(self.env))
        for target in self:
            target.display_name = (
                f"{target.level_id.name} / {labels.get(target.priority, '')}"
            )
