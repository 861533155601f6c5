from odoo import api, fields, models
from odoo.exceptions import AccessError, UserError, ValidationError

from .helpdesk_ticket_access import private_flag
from .response_support_escalation import ESCALATION_LADDER, ESCALATION_LEVELS

EMERGENCY_STATES = [
    ("possible", "Possible Emergency"),
    ("confirmed", "Confirmed Emergency"),
    ("downgraded", "Downgraded"),
]


class HelpdeskTicket(models.Model):
    """Escalation (§4.1 ⑦, §4.3 ④): the ladder engineer → manager → emergency with
    its records, helpers from other teams, possible and confirmed emergencies
    (§5.1 outcome 3) with their other reports, and complaints routed to the
    managers."""

    # one file per concern of the standard, on purpose (see helpdesk_ticket.py)
    _inherit = "helpdesk.ticket"  # pylint: disable=consider-merging-classes-inherited

    emergency_state = fields.Selection(
        EMERGENCY_STATES,
        readonly=True,
        copy=False,
        tracking=True,
        index=True,
        groups="base.group_user",
    )
    emergency_parent_id = fields.Many2one(
        "helpdesk.ticket",
        string="Emergency Ticket",
        index="btree_not_null",
        ondelete="set null",
        copy=False,
        tracking=True,
        help="The emergency this ticket is another report of: it is resolved with it.",
        groups="base.group_user",
    )
    emergency_child_ids = fields.One2many(
        "helpdesk.ticket",
        "emergency_parent_id",
        string="Other Reports",
        help="Other reports of the same outage, resolved together with this ticket.",
        groups="base.group_user",
    )
    complained_ticket_id = fields.Many2one(
        "helpdesk.ticket",
        string="Complaint About",
        index="btree_not_null",
        ondelete="set null",
        help="The ticket whose handling the customer complains about.",
        groups="base.group_user",
    )
    escalation_level = fields.Selection(
        ESCALATION_LEVELS,
        default="engineer",
        required=True,
        tracking=True,
        copy=False,
        groups="base.group_user",
    )
    escalation_ids = fields.One2many(
        "response.support.escalation",
        "ticket_id",
        string="Escalations",
        groups="base.group_user",
    )
    helper_user_ids = fields.Many2many(
        "res.users",
        relation="response_support_ticket_helper_rel",
        column1="ticket_id",
        column2="user_id",
        string="Helpers",
        domain="[('share', '=', False)]",
        copy=False,  # the manager brings helpers in per ticket, not a duplicate
        tracking=True,
        help="Engineers from other teams the technical support manager coordinates "
        "on this ticket.",
        groups="base.group_user",
    )

    # ------------------------------------------------------------------ constraints

    @api.constrains("emergency_parent_id")
    def _check_emergency_parent_id(self):
        if self._has_cycle("emergency_parent_id"):
            raise ValidationError(
                self.env._(
                    "A ticket cannot be another report of itself, directly or "
                    "through other reports."
                )
            )

    # ------------------------------------------------------------------ escalation

    # ------------------------------------------------------------------ escalation

    def action_escalate(self):
        self.ensure_one()
        return self._open_escalate_wizard("escalate", self.env._("Escalate"))

    def _open_escalate_wizard(self, mode, name):
        return self._open_ticket_wizard(
            "response.support.ticket.escalate", name, {"default_mode": mode}
        )

    def _escalate_manually(self, reason):
        """升级上报: one step up the ladder, with the reason of the user."""
        self._check_reason(reason)
        top = self.filtered(lambda t: t.escalation_level == ESCALATION_LADDER[-1])
        if top:
            raise UserError(
                self.env._(
                    "Ticket %(ticket)s is already handled as an emergency: there is "
                    "no higher level.",
                    ticket=top[0].display_name,
                )
            )
        return self._escalate(reason, trigger="manual")

    def _get_next_escalation_level(self):
        self.ensure_one()
        position = ESCALATION_LADDER.index(self.escalation_level)
        return ESCALATION_LADDER[min(position + 1, len(ESCALATION_LADDER) - 1)]

    def _prepare_escalation_vals(self, level, reason, trigger):
        self.ensure_one()
        return {
            "ticket_id": self.id,
            "from_level": self.escalation_level,
            "to_level": level,
            "reason": reason,
            "trigger": trigger,
            "user_id": self.env.user.id,
        }

    def _escalate(self, reason, trigger="sla", level=None):
        """Raise the escalation level one step (or to ``level``), record it, bring
        in the technical support managers as followers and give each an
        activity. A ticket already at that level or higher is left alone."""
        vals_list = []
        for ticket in self:
            new_level = level or ticket._get_next_escalation_level()
            if ESCALATION_LADDER.index(new_level) <= ESCALATION_LADDER.index(
                ticket.escalation_level
            ):
                continue
            vals_list.append(
                ticket._prepare_escalation_vals(new_level, reason, trigger)
            )
            ticket._write_system_fields({"escalation_level": new_level})
            ticket._notify_escalation(reason)
        # escalation records are the system's log of the ladder: whoever may write
        # the ticket escalates it, nobody edits the log
        return self.env["response.support.escalation"].sudo().create(vals_list)

    def _notify_escalation(self, reason):
        self.ensure_one()
        managers = self._get_managers()
        self.message_subscribe(partner_ids=managers.partner_id.ids)
        self._post_note(
            self._desk_env()._(
                "Escalated to %(level)s. Reason: %(reason)s",
                level=self._in_desk_lang()._get_selection_label("escalation_level"),
                reason=reason,
            )
        )
        for manager in managers:
            self.activity_schedule(
                "response_support.mail_activity_type_escalation",
                user_id=manager.id,
                summary=reason,
            )

    def _on_resolved(self):
        """Follow-ups of tickets that just reached a resolved stage: their open
        escalations are resolved, their other reports resolved with them."""
        now = fields.Datetime.now()
        # the system closes its own escalation log, see _escalate
        self.escalation_ids.sudo().filtered(lambda e: not e.resolved_date).write(
            {"resolved_date": now}
        )
        # children are read with sudo: the engineer may not see them
        for ticket in self:
            ticket._resolve_children()

    def _resolve_children(self):
        """Resolve the open other reports of this emergency in its stage, with its
        solution."""
        self.ensure_one()
        # the children were linked to this emergency by the desk or a manager: who
        # may resolve the emergency resolves its reports, in whatever team they are
        children = self.sudo().emergency_child_ids.filtered(
            lambda t: not t._is_sla_resolved() and not t.stage_id.closed
        )
        if self.env.user.share:
            # a customer closing their own ticket from the portal never changes
            # another organisation's ticket
            children = children.filtered(
                lambda t: t.commercial_partner_id == self.commercial_partner_id
            )
        if not children:
            return
        # the children are resolved with the emergency, whatever their intake says:
        # a private flag, not a context key a client could send
        with private_flag("skip_intake"), private_flag("closed_with_parent"):
            children.write(
                {"stage_id": self.stage_id.id, "resolution": self.resolution}
            )
        for child in children:
            child._post_note(
                child._desk_env()._(
                    "Resolved together with emergency %(ticket)s.",
                    ticket=self.display_name,
                )
            )

    # ------------------------------------------------------------------ emergencies

    def _get_managers(self):
        """The technical support managers (active internal users) who are told of
        escalations, emergencies, complaints and SLA warnings; integrators may
        narrow it."""
        group = self.env.ref("response_support.group_response_support_manager")
        return group.users.filtered(lambda u: not u.share and u.active)

    def _is_manager(self):
        return self.env.user.has_group(
            "response_support.group_response_support_manager"
        )

    def _check_manager(self):
        if not self._is_manager():
            raise AccessError(
                self.env._(
                    "Only a technical support manager confirms or downgrades an "
                    "emergency."
                )
            )

    def action_confirm_emergency(self):
        """The manager confirms the emergency: every manager is notified at once
        and the ticket goes to the top of the escalation ladder."""
        self._check_manager()
        not_possible = self.filtered(lambda t: t.emergency_state != "possible")
        if not_possible:
            raise UserError(
                self.env._(
                    "Ticket %(ticket)s is not a possible emergency: raise it first.",
                    ticket=not_possible[0].display_name,
                )
            )
        managers = self._get_managers()
        reason = self.env._("Emergency confirmed by %(user)s.", user=self.env.user.name)
        for ticket in self:
            ticket._write_system_fields({"emergency_state": "confirmed"})
            ticket.activity_feedback(
                ["response_support.mail_activity_type_emergency"], feedback=reason
            )
            ticket._escalate(reason, trigger="manual", level="emergency")
            ticket.message_post(
                body=self.env._(
                    "Confirmed emergency: every technical support manager is "
                    "notified. Coordinate the response on this ticket."
                ),
                subtype_xmlid="mail.mt_comment",
                partner_ids=managers.partner_id.ids,
            )
        return True

    def action_downgrade_emergency(self):
        self.ensure_one()
        self._check_manager()
        return self._open_escalate_wizard(
            "downgrade", self.env._("Downgrade Emergency")
        )

    def _downgrade_emergency(self, reason):
        """The manager downgrades the emergency to a normal ticket, with a reason;
        its emergency escalations are resolved."""
        self._check_manager()
        self._check_reason(reason)
        now = fields.Datetime.now()
        for ticket in self:
            escalations = ticket.escalation_ids.filtered(
                lambda e: e.to_level == "emergency" and not e.resolved_date
            )
            vals = {"emergency_state": "downgraded"}
            if escalations:
                vals["escalation_level"] = escalations[-1].from_level
            ticket._write_system_fields(vals)
            # the system's escalation log, see _escalate
            escalations.sudo().write({"resolved_date": now})
            ticket.activity_feedback(
                ["response_support.mail_activity_type_emergency"], feedback=reason
            )
            ticket._post_note(
                ticket._desk_env()._(
                    "Emergency downgraded by %(user)s. Reason: %(reason)s",
                    user=self.env.user.name,
                    reason=reason,
                )
            )
        return True

    def action_link_emergency_children(self):
        """Link the selected tickets as other reports of the one selected emergency."""
        self._check_desk_action(self.env._("link other reports to an emergency"))
        self.check_access("read")  # ids sent over RPC: titles are shown below
        parent = self.filtered(lambda t: t.emergency_state in ("possible", "confirmed"))
        if len(parent) != 1:
            raise UserError(
                self.env._(
                    "Select exactly one emergency ticket and the other reports of the "
                    "same outage."
                )
            )
        children = self - parent
        if not children:
            raise UserError(
                self.env._("Select the other reports to link to the emergency too.")
            )
        children.write({"emergency_parent_id": parent.id})
        parent._post_note(
            parent._desk_env()._(
                "Linked other reports of the same outage: %(tickets)s",
                tickets=", ".join(children.mapped("display_name")),
            )
        )
        return True

    # ------------------------------------------------------------------ complaints

    def _route_complaint(self):
        """投诉: a complaint goes to the technical support managers (followers and an
        activity each); the ticket complained about gets a note."""
        if not self:
            return
        managers = self._get_managers()
        for ticket in self:
            ticket.message_subscribe(partner_ids=managers.partner_id.ids)
            for manager in managers:
                ticket.activity_schedule(
                    "response_support.mail_activity_type_complaint",
                    user_id=manager.id,
                )
            ticket._post_note(
                ticket._desk_env()._(
                    "Complaint routed to the technical support managers."
                )
            )
            if ticket.complained_ticket_id:
                ticket.complained_ticket_id._post_note(
                    ticket.complained_ticket_id._desk_env()._(
                        "Customer complaint %(ticket)s about this ticket.",
                        ticket=ticket.display_name,
                    )
                )

    def _get_new_complaints(self, vals):
        """Tickets this write turns into complaints (routed after the write)."""
        if vals.get("ticket_type") != "complaint":
            return self.browse()
        return self.filtered(lambda t: t.ticket_type != "complaint")
