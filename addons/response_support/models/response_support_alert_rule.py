from fnmatch import fnmatchcase

from odoo import api, fields, models
from odoo.exceptions import ValidationError

from .response_support_priority_matrix import IMPACTS, URGENCIES


class ResponseSupportAlertRule(models.Model):
    """A routing rule of an alert source: alerts whose labels match every condition
    get its system, catalog entry, impact and urgency (and so their priority through
    the matrix), or are ignored. The first matching rule in sequence wins; what it
    leaves empty comes from the source's defaults."""

    _name = "response.support.alert.rule"
    _description = "Alert Routing Rule"
    _order = "source_id, sequence, id"

    source_id = fields.Many2one(
        "response.support.alert.source", required=True, ondelete="cascade", index=True
    )
    company_id = fields.Many2one(related="source_id.company_id", store=True)
    sequence = fields.Integer(default=10)
    name = fields.Char(required=True)
    conditions = fields.Text(
        required=True,
        default="severity=critical",
        help="One condition per line, 'label=pattern', all of which must match. The "
        "pattern may use * and ? (e.g. host=db-*, environment=prod). Labels are the "
        "Alertmanager labels, the Zabbix tags plus host, trigger and severity, or "
        "the labels of a generic source.",
    )
    action = fields.Selection(
        [("route", "Route"), ("ignore", "Ignore")], required=True, default="route"
    )
    system_id = fields.Many2one(
        "response.support.system",
        string="System",
        domain="[('company_id', '=', company_id)]",
    )
    catalog_id = fields.Many2one("response.support.catalog", string="Catalog")
    impact = fields.Selection(IMPACTS)
    urgency = fields.Selection(URGENCIES)

    @api.constrains("conditions")
    def _check_conditions(self):
        for rule in self:
            try:
                rule._get_conditions()
            except ValueError as error:
                raise ValidationError(
                    self.env._(
                        "Rule %(rule)s: write one condition per line as "
                        "'label=pattern' (%(error)s).",
                        rule=rule.name,
                        error=error,
                    )
                ) from error

    def _get_conditions(self):
        """[(label, pattern)] of the rule; ValueError on a malformed line."""
        self.ensure_one()
        conditions = []
        for line in (self.conditions or "").splitlines():
            line = line.strip()
            if not line:
                continue
            label, sep, pattern = line.partition("=")
            if not sep or not label.strip():
                raise ValueError(line)
            conditions.append((label.strip(), pattern.strip()))
        if not conditions:
            raise ValueError(self.env._("no condition"))
        return conditions

    def _matches(self, labels):
        """Whether every condition matches ``labels`` ({name: value})."""
        self.ensure_one()
        return all(
            label in labels and fnmatchcase(str(labels[label]), pattern)
            for label, pattern in self._get_conditions()
        )
