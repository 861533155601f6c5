from odoo import api, fields, models
from odoo.tools.misc import format_datetime


class HelpdeskTicket(models.Model):
    """Notification channels (§4.1 notify and escalate, §5.1 emergencies): the
    ticket events the managers route to WeCom / DingTalk / Feishu group robots.
    Each hook only queues (``response.support.notification``) in the event's
    transaction; the delivery cron sends."""

    # one file per concern of the standard, on purpose (see helpdesk_ticket.py)
    _inherit = "helpdesk.ticket"  # pylint: disable=consider-merging-classes-inherited

    # ------------------------------------------------------------------ hooks

    def _post_sla_warning_now(self, clock, threshold, partners):
        result = super()._post_sla_warning_now(clock, threshold, partners)
        self._queue_notifications("sla_warning", clock=clock, threshold=threshold)
        return result

    @api.model
    def _post_sla_warnings(self, warnings):
        result = super()._post_sla_warnings(warnings)
        self._queue_notifications_batch(
            "sla_warning",
            [
                (ticket, {"clock": clock, "threshold": threshold})
                for ticket, clock, threshold, _partners in warnings
            ],
        )
        return result

    def _on_sla_breach(self, clock, superseded=None):
        result = super()._on_sla_breach(clock, superseded=superseded)
        self._queue_notifications("sla_breach", clock=clock)
        return result

    def _notify_escalation(self, reason):
        result = super()._notify_escalation(reason)
        self._queue_notifications("escalation", reason=reason)
        return result

    def action_raise_emergency(self):
        result = super().action_raise_emergency()
        self._queue_notifications("emergency_raised")
        return result

    def action_confirm_emergency(self):
        result = super().action_confirm_emergency()
        self._queue_notifications("emergency_confirmed")
        return result

    def _route_complaint(self):
        result = super()._route_complaint()
        self._queue_notifications("complaint")
        return result

    # ------------------------------------------------------------------ queue

    def _queue_notifications(self, event, clock=None, threshold=None, reason=None):
        """Queue ``event`` of these tickets for each active channel a route sends
        it to (one message per ticket and channel); returns the notifications."""
        details = {"clock": clock, "threshold": threshold, "reason": reason}
        return self._queue_notifications_batch(
            event, [(ticket, details) for ticket in self]
        )

    @api.model
    def _queue_notifications_batch(self, event, items):
        """``_queue_notifications`` for ``items``, ``[(ticket, {"clock": …,
        "threshold": …, "reason": …})]``: each ticket's event with its own clock
        and threshold (the warnings of a scheduler pass), one route search and
        one working-time fetch per calendar for all."""
        Notification = self.env["response.support.notification"]
        if not items:
            return Notification
        tickets = self.browse(list(dict.fromkeys(ticket.id for ticket, _d in items)))
        # routes and outbox are the managers' configuration and the system's
        # queue: whoever may trigger the event (desk, engineer, scheduler, portal
        # complaint) queues it, without reading or editing the channels
        routes = (
            self.env["response.support.notify.route"]
            .sudo()
            .search(
                [
                    ("event", "=", event),
                    ("active", "=", True),
                    ("team_id", "in", tickets.sudo().team_id.ids + [False]),
                ]
            )
        )
        if not routes:
            return Notification
        clocks = self.env["response.support.sla.clock"].union(
            *(details["clock"] for _t, details in items if details.get("clock"))
        )
        used = clocks._used_minutes_at(fields.Datetime.now()) if clocks else {}
        vals_list = []
        # the message names the team, the assignee and the clocks: read as the
        # system, and sent only to the channels the managers configured
        for ticket, details in items:
            ticket = ticket.sudo()
            threshold = details.get("threshold")
            channels = routes.filtered(
                lambda r, t=ticket, th=threshold: r._matches(t, th)
            ).channel_id
            if not channels:
                continue
            vals = ticket._prepare_notification_vals(
                event,
                details.get("clock"),
                threshold,
                details.get("reason"),
                used=used,
            )
            vals_list += [dict(vals, channel_id=channel.id) for channel in channels]
        return Notification.sudo().create(vals_list)

    def _prepare_notification_vals(
        self, event, clock=None, threshold=None, reason=None, used=None
    ):
        """The event's message in the team's language: title, lines (what
        happened, team, assignee, working time left) and link; ``used`` ({clock:
        working minutes used now}) spares a working-time fetch per clock."""
        self.ensure_one()
        lang = self.team_id._get_notify_lang()
        ticket = self.with_context(lang=lang)
        env = ticket.env
        labels = dict(
            env["response.support.notification"]
            ._fields["event"]
            ._description_selection(env)
        )
        lines = [ticket._get_notification_event_line(event, clock, threshold, reason)]
        lines.append(
            env._(
                "Team: %(team)s · Assignee: %(user)s · Priority: %(priority)s",
                team=ticket.team_id.display_name or "-",
                user=ticket.user_id.name or "-",
                priority=ticket._get_selection_label("priority"),
            )
        )
        left = ticket._get_notification_time_left(clock, lang, used)
        if left:
            lines.append(left)
        return {
            "ticket_id": self.id,
            "event": event,
            "title": f"[{labels[event]}] {self.display_name}",
            "body": "\n".join(lines),
            "url": f"{self.get_base_url()}/odoo/helpdesk.ticket/{self.id}",
            "lang": lang,
        }

    def _get_notification_event_line(self, event, clock, threshold, reason):
        self.ensure_one()
        _ = self.env._
        if event == "sla_warning" and clock and threshold:
            return _(
                "%(clock)s has used %(percent)s%% of its target of %(minutes)s "
                "working minutes.",
                clock=clock.display_name,
                percent=threshold.percent,
                minutes=clock.target_minutes,
            )
        if event == "sla_breach" and clock:
            return _("%(clock)s passed its deadline.", clock=clock.display_name)
        if event == "escalation":
            return _(
                "Escalated to %(level)s. Reason: %(reason)s",
                level=self._get_selection_label("escalation_level"),
                reason=reason or "-",
            )
        if event == "emergency_raised":
            return _("Raised as a possible emergency to the technical support manager.")
        if event == "emergency_confirmed":
            return _(
                "Confirmed emergency: every technical support manager is notified. "
                "Coordinate the response on this ticket."
            )
        if event == "complaint" and self.complained_ticket_id:
            return _(
                "Customer complaint about %(ticket)s.",
                ticket=self.complained_ticket_id.display_name,
            )
        if event == "complaint":
            return _("Complaint routed to the technical support managers.")
        return reason or self.name

    def _get_notification_time_left(self, clock, lang, used=None):
        """ "Working time left: 1 h 20 min (deadline …)" of ``clock``, else of the
        ticket's running clock due first; empty when no clock runs."""
        self.ensure_one()
        clocks = self.sla_clock_ids.filtered(
            lambda c: c.status in ("running", "paused")
        )
        clock = (
            clock or clocks.sorted(lambda c: c.deadline or fields.Datetime.now())[:1]
        )
        if not clock or clock.status == "cancelled":
            return ""
        now = fields.Datetime.now()
        if not used or clock not in used:
            used = clock._used_minutes_at(now)
        left = max(int(round(clock.target_minutes - used[clock])), 0)
        tz = clock.calendar_id.tz or self.team_id.user_id.tz or "UTC"
        return self.env._(
            "Working time left: %(hours)s h %(minutes)s min (deadline %(deadline)s)",
            hours=left // 60,
            minutes=left % 60,
            deadline=format_datetime(self.env, clock.deadline, tz=tz, lang_code=lang)
            if clock.deadline
            else "-",
        )
