from odoo import api, models


class ResponseSupportSlaTermMixin(models.AbstractModel):
    """Records that make up the SLA terms or the working time of something else —
    the targets and thresholds of an SLA level, the attendances, leaves and
    make-up working days of a calendar: creating, changing or deleting them
    replans the running clocks of what they belong to, in one batch."""

    _name = "response.support.sla.term.mixin"
    _description = "Part of SLA Terms or Working Time"

    # fields whose change alters the terms; None: every field
    _sla_term_fields = None

    def _get_sla_term_owners(self):
        """The SLA levels or calendars these records belong to (each has
        ``_note_sla_change``)."""
        raise NotImplementedError

    @api.model_create_multi
    def create(self, vals_list):
        with self.env["response.support.sla.clock"]._batch_external_changes():
            records = super().create(vals_list)
            records._get_sla_term_owners()._note_sla_change()
        return records

    def write(self, vals):
        if self._sla_term_fields is not None and not self._sla_term_fields & set(vals):
            return super().write(vals)
        with self.env["response.support.sla.clock"]._batch_external_changes():
            owners = self._get_sla_term_owners()
            res = super().write(vals)
            (owners | self._get_sla_term_owners())._note_sla_change()
        return res

    def unlink(self):
        with self.env["response.support.sla.clock"]._batch_external_changes():
            self._get_sla_term_owners()._note_sla_change()
            return super().unlink()
