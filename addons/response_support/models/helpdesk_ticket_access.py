import contextlib
import contextvars

from odoo import Command, api, fields, models
from odoo.exceptions import AccessError

# ticket fields a technical support engineer may not change: the desk and the
# managers own the contract and its SLA (§4)
DESK_ONLY_FIELDS = {"sla_level_id", "contract_id"}
# fields that decide the contract, its phase and so the SLA level: an engineer
# records them on a ticket they create, but only the desk changes them afterwards
CONTRACT_FIELDS = {"system_id", "partner_id", "reported_date", "company_id"}
# fields only the system sets, each from the code path that owns it (first
# response, resolution, emergencies, escalation ladder, scope decision, intake
# outcome): nobody writes them directly, whatever their role
SYSTEM_FIELDS = {
    "responded_date",
    "resolved_date",
    "emergency_state",
    "escalation_level",
    "scope_decision",
    "scope_decision_user_id",
    "scope_decision_date",
    "intake_outcome",
}
# the other reports of an emergency: linked by the desk or a manager
EMERGENCY_LINK_FIELDS = {"emergency_parent_id", "emergency_child_ids"}

# Flags of the code paths allowed past a business rule ("system_write",
# "skip_intake"). Unlike a context key, which any client sends with an RPC call,
# only Python code can set them: see private_flag().
_PRIVATE_FLAGS = contextvars.ContextVar(
    "response_support_private_flags", default=frozenset()
)


@contextlib.contextmanager
def private_flag(name):
    """Raise the private flag ``name`` for the code run inside the ``with``."""
    token = _PRIVATE_FLAGS.set(_PRIVATE_FLAGS.get() | {name})
    try:
        yield
    finally:
        _PRIVATE_FLAGS.reset(token)


def has_private_flag(name):
    return name in _PRIVATE_FLAGS.get()


class HelpdeskTicket(models.Model):
    """Roles (§4) on the ticket, checked on the server for every create and write
    and at the top of the desk's and the managers' actions: what a technical
    support engineer may not do, which actions belong to the desk, which fields
    only the system sets."""

    # one file per concern of the standard, on purpose (see helpdesk_ticket.py)
    _inherit = "helpdesk.ticket"  # pylint: disable=consider-merging-classes-inherited

    may_close = fields.Boolean(
        compute="_compute_may_close",
        help="Whether the current user may move the ticket to a closing stage: the "
        "form offers engineers only the stages they may use.",
    )

    @api.depends_context("uid")
    @api.depends("response_support_process")
    def _compute_may_close(self):
        engineer = self._is_field_engineer()
        for ticket in self:
            ticket.may_close = not (engineer and ticket.response_support_process)

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

    def _is_desk(self):
        """Whether the current user is on the service desk (managers are too)."""
        return self.env.su or self.env.user.has_group(
            "response_support.group_response_support_desk"
        )

    def _check_desk_action(self, action):
        """Refuse a desk action (``action``: its translated name) to a user who is
        neither on the service desk nor a technical support manager."""
        if not self._is_desk():
            raise AccessError(
                self.env._(
                    "Only the service desk or a technical support manager may "
                    "%(action)s.",
                    action=action,
                )
            )

    def _write_system_fields(self, vals):
        """Write ``vals``, which may hold SYSTEM_FIELDS, from the code path that
        owns them. Private (a client cannot call it) and the flag it raises
        cannot be sent over RPC."""
        with private_flag("system_write"):
            return self.write(vals)

    def _get_written_fields(self, vals, field_names):
        """Those of ``field_names`` whose value in ``vals`` differs from the value
        of a ticket of ``self`` (a form sends unchanged values too)."""
        written = set()
        for name in field_names & set(vals):
            field = self._fields[name]
            for ticket in self:
                new = field.convert_to_cache(vals[name], ticket)
                if new != field.convert_to_cache(ticket[name], ticket):
                    written.add(name)
                    break
        return written

    def _get_field_labels(self, field_names):
        return ", ".join(
            self._fields[name]._description_string(self.env)
            for name in sorted(field_names)
        )

    # ------------------------------------------------------------------ create/write

    def _check_role_create(self, vals_list):
        """The checks of _check_role_write for new tickets: no field only the
        system sets, and an engineer creates no ticket directly in a closing
        stage, with a contract or SLA level, or with helpers. The fields that
        select the contract (CONTRACT_FIELDS) are theirs to record on a request
        that reached them directly: only changing them later is the desk's."""
        if self.env.su:
            return
        given = SYSTEM_FIELDS & {name for vals in vals_list for name in vals}
        # a form sends the defaults of the fields it shows (escalation level)
        defaults = self.default_get(sorted(given)) if given else {}
        for vals in vals_list:
            system = {
                name
                for name in SYSTEM_FIELDS & set(vals)
                if (vals[name] or False) != defaults.get(name, False)
            }
            self._check_system_fields(system)
            if not self._vals_follow_response_support(vals):
                continue  # a plain helpdesk ticket: helpdesk_mgmt's rules only
            if self._is_field_engineer():
                self._check_engineer_stage(vals.get("stage_id"))
                self._check_engineer_fields(
                    {name for name in DESK_ONLY_FIELDS if vals.get(name)}
                )
            self._check_helpers(vals)
            self._check_emergency_link(vals)

    def _check_role_write(self, vals):
        """A technical support engineer does not close tickets (the desk closes
        after the follow-up call) nor change what decides their contract, phase
        and SLA level; the helpers are the manager's to choose; nobody writes
        the fields only the system sets."""
        if self.env.su or not self:
            return
        self._check_system_fields(self._get_written_fields(vals, SYSTEM_FIELDS))
        # the process's role rules apply to its tickets (other teams: plain helpdesk)
        process = self._filter_response_support(vals)
        if not process:
            return
        if process._is_field_engineer():
            process._check_engineer_stage(vals.get("stage_id"))
            process._check_engineer_fields(
                process._get_written_fields(vals, DESK_ONLY_FIELDS | CONTRACT_FIELDS)
            )
        process._check_helpers(vals)
        process._check_emergency_link(vals)

    def _check_system_fields(self, field_names):
        if field_names and not has_private_flag("system_write"):
            raise AccessError(
                self.env._(
                    "%(fields)s of a ticket are set by the system (first response, "
                    "resolution, escalation, emergency, scope decision and intake "
                    "actions), not written directly: use the ticket's buttons.",
                    fields=self._get_field_labels(field_names),
                )
            )

    def _check_engineer_stage(self, stage_id):
        if not stage_id:
            return
        stage = self.env["helpdesk.ticket.stage"].browse(stage_id)
        if stage.closed:
            raise AccessError(
                self.env._(
                    "Only the service desk closes tickets, after the follow-up "
                    "call with the customer. Move ticket %(ticket)s to a "
                    "resolved stage instead of %(stage)s.",
                    ticket=self[:1].display_name or self.env._("(new)"),
                    stage=stage.display_name,
                )
            )

    def _check_engineer_fields(self, field_names):
        if field_names:
            raise AccessError(
                self.env._(
                    "Only the service desk or a technical support manager may change "
                    "%(fields)s of ticket %(ticket)s: ask the desk.",
                    fields=self._get_field_labels(field_names),
                    ticket=self[:1].display_name or self.env._("(new)"),
                )
            )

    def _check_helpers(self, vals):
        if vals.get("helper_user_ids") and not self.env.user.has_group(
            "response_support.group_response_support_manager"
        ):
            raise AccessError(
                self.env._(
                    "Only a technical support manager brings in helpers from other "
                    "teams."
                )
            )

    def _check_emergency_link(self, vals):
        """Only the desk or a manager links other reports to an emergency (or
        unlinks them), and only tickets they may read: the link shows the other
        ticket's title."""
        changed, linked = self._get_emergency_link_changes(vals)
        if not changed:
            return
        self._check_desk_action(self.env._("link other reports to an emergency"))
        linked.check_access("read")

    def _get_emergency_link_changes(self, vals):
        """(whether ``vals`` change the emergency links of ``self``, or of a new
        ticket when ``self`` is empty; the tickets they link it to)."""
        linked = self.browse(vals.get("emergency_parent_id") or [])
        if self:
            changed = bool(self._get_written_fields(vals, {"emergency_parent_id"}))
        else:
            changed = bool(linked)
        for command in vals.get("emergency_child_ids") or []:
            if command[0] == Command.LINK:
                linked |= self.browse(command[1])
                changed = True
            elif command[0] == Command.SET:
                children = self.browse(command[2])
                linked |= children
                changed = changed or any(
                    ticket.emergency_child_ids != children for ticket in self
                )
                changed = changed or (not self and bool(children))
            elif command[0] != Command.UPDATE:
                changed = True
        return changed, linked
