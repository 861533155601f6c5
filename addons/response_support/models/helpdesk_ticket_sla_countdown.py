from odoo import api, fields, models


class HelpdeskTicket(models.Model):
    """The SLA countdown read at a glance: the working time left (or overdue) on
    the ticket's most pressing open clock, in that clock's calendar, as "12 min
    left" / "35 min late". Not stored: computed at each read, which the browser
    widget repeats every minute."""

    # one file per concern of the standard, on purpose (see helpdesk_ticket.py)
    _inherit = "helpdesk.ticket"  # pylint: disable=consider-merging-classes-inherited

    sla_remaining_minutes = fields.Float(
        string="SLA Working Minutes Left",
        compute="_compute_sla_countdown",
        help="Working minutes left on the most pressing open SLA clock; negative "
        "when it is overdue.",
    )
    sla_countdown = fields.Char(
        string="SLA Countdown",
        compute="_compute_sla_countdown",
        help="Working time left on the most pressing open SLA clock, in its "
        "working calendar.",
    )
    sla_countdown_state = fields.Selection(
        [
            ("running", "On Track"),
            ("at_risk", "At Risk"),
            ("paused", "Paused"),
            ("breached", "Breached"),
        ],
        string="SLA Countdown State",
        compute="_compute_sla_countdown",
    )

    @api.depends("sla_clock_ids.deadline", "sla_clock_ids.status")
    def _compute_sla_countdown(self):
        clocks = self.sla_clock_ids.filtered(
            lambda c: c.status in ("running", "paused", "breached") and not c.done_date
        )
        # one working-time fetch per calendar for all the tickets' clocks
        used = clocks._used_minutes_at(fields.Datetime.now()) if clocks else {}
        by_ticket = {}
        for clock in clocks:
            by_ticket.setdefault(clock.ticket_id, []).append(clock)
        for ticket in self:
            mine = by_ticket.get(ticket)
            if not mine:
                ticket.sla_remaining_minutes = 0
                ticket.sla_countdown = False
                ticket.sla_countdown_state = False
                continue
            # a running clock before a paused one, then the least time left
            clock = min(
                mine,
                key=lambda c: (c.status == "paused", c.target_minutes - used[c]),
            )
            remaining = clock.target_minutes - used[clock]
            ticket.sla_remaining_minutes = remaining
            ticket.sla_countdown = ticket._format_sla_countdown(remaining, clock)
            if remaining < 0 or clock.breached:
                ticket.sla_countdown_state = "breached"
            elif clock.status == "paused":
                ticket.sla_countdown_state = "paused"
            elif clock.fired_threshold_ids:
                ticket.sla_countdown_state = "at_risk"
            else:
                ticket.sla_countdown_state = "running"

    def _format_working_minutes(self, minutes):
        """ "3 h 20 min" / "12 min" (whole minutes, rounded up while time is
        left: "0 min left" would read as overdue)."""
        minutes = int(abs(minutes) + 0.999)
        hours, minutes = divmod(minutes, 60)
        if not hours:
            return self.env._("%(minutes)s min", minutes=minutes)
        if not minutes:
            return self.env._("%(hours)s h", hours=hours)
        return self.env._("%(hours)s h %(minutes)s min", hours=hours, minutes=minutes)

    def _format_sla_countdown(self, remaining, clock):
        """The countdown text of ``clock`` with ``remaining`` working minutes."""
        time = self._format_working_minutes(remaining)
        kinds = clock._fields["kind"]._description_selection(self.env)
        kind = dict(kinds)[clock.kind]
        if remaining < 0:
            return self.env._("%(clock)s: %(time)s late", clock=kind, time=time)
        if clock.status == "paused":
            return self.env._("%(clock)s paused: %(time)s left", clock=kind, time=time)
        return self.env._("%(clock)s: %(time)s left", clock=kind, time=time)

    def _get_portal_sla_lines(self):
        """The committed deadlines of the ticket as the customer reads them on the
        portal: [{label, deadline, done, state, css}], one per clock that counts."""
        self.ensure_one()
        # the portal page is shown only once the customer's access to the ticket
        # was checked; its clocks are the ticket's own data, read for display only
        clocks = self.sudo().sla_clock_ids.filtered(lambda c: c.status != "cancelled")
        kinds = dict(
            self.env["response.support.sla.clock"]
            ._fields["kind"]
            ._description_selection(self.env)
        )
        _ = self.env._
        states = {
            "running": (_("In progress, on time so far"), "text-bg-info"),
            "paused": (_("Paused while we wait for information"), "text-bg-secondary"),
            "met": (_("Met on time"), "text-bg-success"),
            "breached": (_("Missed: we are late"), "text-bg-danger"),
        }
        lines = []
        for clock in clocks.sorted(
            lambda c: ("response", "resolution", "onsite").index(c.kind)
        ):
            state, css = states[clock.status]
            if (
                clock.status == "running"
                and clock.deadline
                and clock.deadline < fields.Datetime.now()
            ):
                state, css = states["breached"]
            lines.append(
                {
                    "label": kinds[clock.kind],
                    "deadline": clock.deadline,
                    "done": clock.done_date,
                    "state": state,
                    "css": css,
                }
            )
        return lines
