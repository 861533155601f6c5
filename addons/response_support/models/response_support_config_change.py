from odoo import api, fields, models
from odoo.exceptions import AccessError
from odoo.tools import html2plaintext

from .helpdesk_ticket_access import has_private_flag, private_flag

# raised while the tracking mixin writes the log: the only way to create rows
LOG_FLAG = "response_support_config_change_log"
OPERATIONS = [
    ("create", "Created"),
    ("write", "Changed"),
    ("unlink", "Deleted"),
]


class ResponseSupportConfigChange(models.Model):
    """One change of the desk's process configuration (§4.2 ①②): who changed
    which field of which record, when, from what to what. Written only by
    ``response.support.config.tracking.mixin``; nobody edits or deletes it."""

    _name = "response.support.config.change"
    _description = "Process Configuration Change"
    _order = "date desc, id desc"

    date = fields.Datetime(required=True, readonly=True, index=True)
    user_id = fields.Many2one(
        "res.users", string="Changed By", required=True, readonly=True, index=True
    )
    operation = fields.Selection(OPERATIONS, required=True, readonly=True)
    model_id = fields.Many2one(
        "ir.model",
        string="Configuration",
        required=True,
        readonly=True,
        ondelete="cascade",
        index=True,
    )
    res_model = fields.Char(
        related="model_id.model", string="Model Name", store=True, index=True
    )
    res_id = fields.Many2oneReference(
        string="Record ID", model_field="res_model", readonly=True
    )
    record_name = fields.Char(string="Record", readonly=True)
    field_id = fields.Many2one(
        "ir.model.fields", string="Field", readonly=True, ondelete="cascade"
    )
    company_id = fields.Many2one(
        "res.company",
        readonly=True,
        index=True,
        help="The company of the changed record; empty when it is shared.",
    )
    old_value = fields.Text(readonly=True)
    new_value = fields.Text(readonly=True)

    @api.model_create_multi
    def create(self, vals_list):
        if not has_private_flag(LOG_FLAG):
            raise AccessError(
                self.env._(
                    "Configuration changes are recorded by the system when the "
                    "configuration is edited; they cannot be created by hand."
                )
            )
        return super().create(vals_list)

    def write(self, vals):
        if not has_private_flag(LOG_FLAG):
            raise AccessError(
                self.env._("Configuration changes are a log: they cannot be edited.")
            )
        return super().write(vals)

    def unlink(self):
        if not has_private_flag(LOG_FLAG):
            raise AccessError(
                self.env._("Configuration changes are a log: they cannot be deleted.")
            )
        return super().unlink()


class ResponseSupportConfigTrackingMixin(models.AbstractModel):
    """Process configuration whose creation, changes and deletion are logged in
    ``response.support.config.change``: one log write per create/write/unlink
    call, whatever the number of records and fields."""

    _name = "response.support.config.tracking.mixin"
    _description = "Tracked Process Configuration"

    # fields never logged, besides the magic ones and one2many (their lines are
    # configuration of their own when they matter)
    _config_untracked_fields = frozenset()

    def _get_config_tracked_fields(self, names=None):
        """The fields of this model whose changes are logged (among ``names``)."""
        skip = set(models.MAGIC_COLUMNS) | self._config_untracked_fields | {"id"}
        return [
            field
            for name, field in self._fields.items()
            if (names is None or name in names)
            and name not in skip
            and field.store
            and field.type not in ("one2many", "binary")
            and not (field.compute and field.readonly)
            and not name.startswith("message_")
        ]

    def _config_value(self, field, value):
        """``value`` of ``field`` as the log shows it."""
        if field.type == "many2one":
            return value.display_name or ""
        if field.type == "many2many":
            return ", ".join(value.mapped("display_name"))
        if field.type == "selection":
            labels = dict(field._description_selection(self.env))
            return labels.get(value, value or "")
        if field.type == "html":
            return html2plaintext(value or "")
        if field.type == "boolean":
            return str(bool(value))
        return "" if value is False or value is None else str(value)

    def _config_line(self):
        """The log line of this record: itself, its name and company."""
        self.ensure_one()
        company = self["company_id"] if "company_id" in self._fields else None
        return {
            "record": self,
            "name": self.display_name,
            "company": company.id if company else False,
        }

    def _config_snapshot(self, fields_):
        return {
            record.id: {
                field.name: record._config_value(field, record[field.name])
                for field in fields_
            }
            for record in self
        }

    def _config_log(self, operation, lines):
        """Write the log rows ``lines`` (dicts of record, field, old, new) in one
        create."""
        if not lines:
            return
        model = self.env["ir.model"]._get(self._name)
        Fields = self.env["ir.model.fields"]  # _get is cached per model
        now = fields.Datetime.now()
        vals_list = []
        for line in lines:
            field_id = line.get("field") and Fields._get(self._name, line["field"]).id
            vals_list.append(
                {
                    "date": now,
                    "user_id": self.env.uid,
                    "operation": operation,
                    "model_id": model.id,
                    "res_id": line["record"].id,
                    "company_id": line.get("company", False),
                    "record_name": line["name"],
                    "field_id": field_id or False,
                    "old_value": line.get("old"),
                    "new_value": line.get("new"),
                }
            )
        # sudo: nobody may write the log; this is its one writer, and the caller
        # was checked by the ACL of the configuration it just changed
        with private_flag(LOG_FLAG):
            self.env["response.support.config.change"].sudo().create(vals_list)

    @api.model_create_multi
    def create(self, vals_list):
        records = super().create(vals_list)
        records._config_log(
            "create",
            [r._config_line() for r in records],
        )
        return records

    def write(self, vals):
        tracked = self._get_config_tracked_fields(set(vals))
        if not tracked:
            return super().write(vals)
        before = self._config_snapshot(tracked)
        res = super().write(vals)
        after = self._config_snapshot(tracked)
        lines = []
        for record in self:
            for field in tracked:
                old = before[record.id][field.name]
                new = after[record.id][field.name]
                if old != new:
                    lines.append(
                        dict(
                            record._config_line(),
                            field=field.name,
                            old=old,
                            new=new,
                        )
                    )
        self._config_log("write", lines)
        return res

    def unlink(self):
        lines = [r._config_line() for r in self]
        model = self.browse()
        res = super().unlink()
        model._config_log("unlink", lines)
        return res


# The process configuration the desk's managers define (§4.2 ①②). Listed here,
# composed with the models' own mixins (the SLA-terms mixin of targets and
# thresholds keeps replanning the clocks; this one only logs).
class HelpdeskTicketStage(models.Model):
    _name = "helpdesk.ticket.stage"
    _inherit = [  # pylint: disable=consider-merging-classes-inherited
        "helpdesk.ticket.stage",
        "response.support.config.tracking.mixin",
    ]


class ResponseSupportSlaLevel(models.Model):
    _name = "response.support.sla.level"
    _inherit = [  # pylint: disable=consider-merging-classes-inherited
        "response.support.sla.level",
        "response.support.config.tracking.mixin",
    ]


class ResponseSupportSlaTarget(models.Model):
    _name = "response.support.sla.target"
    _inherit = [  # pylint: disable=consider-merging-classes-inherited
        "response.support.sla.target",
        "response.support.config.tracking.mixin",
    ]


class ResponseSupportSlaThreshold(models.Model):
    _name = "response.support.sla.threshold"
    _inherit = [  # pylint: disable=consider-merging-classes-inherited
        "response.support.sla.threshold",
        "response.support.config.tracking.mixin",
    ]


class ResponseSupportPriorityMatrix(models.Model):
    _name = "response.support.priority.matrix"
    _inherit = [  # pylint: disable=consider-merging-classes-inherited
        "response.support.priority.matrix",
        "response.support.config.tracking.mixin",
    ]


class ResponseSupportCatalog(models.Model):
    _name = "response.support.catalog"
    _inherit = [  # pylint: disable=consider-merging-classes-inherited
        "response.support.catalog",
        "response.support.config.tracking.mixin",
    ]
