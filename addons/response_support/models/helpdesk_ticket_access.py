from odoo import models
from odoo.exceptions import AccessError

# ticket fields a technical support engineer may not change: the desk and the
# managers own the contract and its SLA (§4)
DESK_ONLY_FIELDS = {"sla_level_id", "contract_id"}


class HelpdeskTicket(models.Model):
    """Roles (§4) on the ticket: what a technical support engineer may not do,
    checked on the server for every write."""

    # one file per concern of the standard, on purpose (see helpdesk_ticket.py)
    _inherit = "helpdesk.ticket"  # pylint: disable=consider-merging-classes-inherited

    def _get_default_channel(self):
        """The channel of a ticket recorded without one: an engineer who is not on
        the desk records the direct requests reaching them (email, phone, a
        colleague) as "engineer-direct"."""
        if self.env.su or not self._is_field_engineer():
            return self.env["helpdesk.ticket.channel"]
        return (
            self.env.ref("response_support.helpdesk_ticket_channel_engineer", False)
            or self.env["helpdesk.ticket.channel"]
        )

    def _is_field_engineer(self):
        """Whether the current user is a technical support engineer without the
        service desk's rights (closing, contract and SLA level)."""
        user = self.env.user
        return user.has_group(
            "response_support.group_response_support_engineer"
        ) and not user.has_group("response_support.group_response_support_desk")

    def _check_role_write(self, vals):
        """A technical support engineer does not close tickets (the desk closes
        after the follow-up call) nor change their contract or SLA level; the
        helpers are the manager's to choose."""
        if self.env.su or not self:
            return
        if vals.get("stage_id") and self._is_field_engineer():
            stage = self.env["helpdesk.ticket.stage"].browse(vals["stage_id"])
            if stage.closed:
                raise AccessError(
                    self.env._(
                        "Only the service desk closes tickets, after the follow-up "
                        "call with the customer. Move ticket %(ticket)s to a "
                        "resolved stage instead of %(stage)s.",
                        ticket=self[:1].display_name,
                        stage=stage.display_name,
                    )
                )
        changed = self._get_changed_fields(vals, DESK_ONLY_FIELDS)
        if changed and self._is_field_engineer():
            raise AccessError(
                self.env._(
                    "Only the service desk or a technical support manager may change "
                    "%(fields)s of ticket %(ticket)s: ask the desk.",
                    fields=", ".join(
                        self._fields[name]._description_string(self.env)
                        for name in sorted(changed)
                    ),
                    ticket=self[:1].display_name,
                )
            )
        if "helper_user_ids" in vals and not self.env.user.has_group(
            "response_support.group_response_support_manager"
        ):
            raise AccessError(
                self.env._(
                    "Only a technical support manager brings in helpers from other "
                    "teams."
                )
            )
