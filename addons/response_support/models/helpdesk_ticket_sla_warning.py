from odoo import models
from odoo.tools.misc import format_datetime


class HelpdeskTicket(models.Model):
    """SLA warnings and breaches on the ticket (§4.1 ⑦ escalation control): what a
    warning threshold's action does (``_sla_action_<action>``, a hook for new
    actions), who it tells, and the one breach note. The scheduler that decides
    when is ``response.support.sla.clock``."""

    # one file per concern of the standard, on purpose (see helpdesk_ticket.py)
    _inherit = "helpdesk.ticket"  # pylint: disable=consider-merging-classes-inherited

    def _post_sla_warning(self, clock, threshold, partners):
        self.ensure_one()
        desk = self._desk_env()  # the scheduler writes it for the desk to read
        body = desk._(
            "SLA warning: %(clock)s has used %(percent)s%% of its target of "
            "%(minutes)s working minutes; deadline %(deadline)s.",
            clock=clock.with_env(desk).display_name,
            percent=threshold.percent,
            minutes=clock.target_minutes,
            deadline=format_datetime(desk, clock.deadline) if clock.deadline else "-",
        )
        self.message_post(
            body=body,
            message_type="notification",
            subtype_xmlid="mail.mt_note",
            partner_ids=partners.ids,
        )

    def _sla_warning_partners(self, action):
        """Who a warning of ``action`` notifies (hook for new actions); a breach
        that supersedes warnings notifies them too."""
        self.ensure_one()
        if action == "notify_assignee":
            return self.user_id.partner_id or self.team_id.user_ids.partner_id
        if action == "notify_manager":
            return self.team_id.user_id.partner_id | self._get_managers().partner_id
        if action == "escalate":
            return self._get_managers().partner_id
        return self.env["res.partner"]

    def _sla_action_notify_assignee(self, clock, threshold):
        self._post_sla_warning(
            clock, threshold, self._sla_warning_partners(threshold.action)
        )

    def _sla_action_notify_manager(self, clock, threshold):
        self._post_sla_warning(
            clock, threshold, self._sla_warning_partners(threshold.action)
        )

    def _sla_action_escalate(self, clock, threshold):
        self._post_sla_warning(
            clock, threshold, self._sla_warning_partners(threshold.action)
        )
        desk = self._desk_env()
        self._escalate(
            desk._(
                "%(clock)s reached %(percent)s%% of its SLA target.",
                clock=clock.with_env(desk).display_name,
                percent=threshold.percent,
            ),
            trigger="sla",
        )

    def _on_sla_breach(self, clock, superseded=None):
        """The clock was breached, found by the scheduler or at completion: one
        note, to those the ``superseded`` warnings (not sent before the breach)
        would have notified; if one of them escalates and the clock still runs,
        the ticket is escalated."""
        self.ensure_one()
        superseded = superseded or self.env["response.support.sla.threshold"]
        partners = self.env["res.partner"]
        for action in set(superseded.mapped("action")):
            partners |= self._sla_warning_partners(action)
        desk = self._desk_env()  # the scheduler writes it for the desk to read
        self.message_post(
            body=desk._(
                "SLA breached: %(clock)s passed its deadline %(deadline)s.",
                clock=clock.with_env(desk).display_name,
                deadline=format_datetime(desk, clock.deadline),
            ),
            message_type="notification",
            subtype_xmlid="mail.mt_note",
            partner_ids=partners.ids,
        )
        if "escalate" in superseded.mapped("action") and not clock.done_date:
            self._escalate(
                desk._(
                    "%(clock)s breached its SLA target.",
                    clock=clock.with_env(desk).display_name,
                ),
                trigger="sla",
            )
