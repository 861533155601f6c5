from odoo import api, fields, models
from odoo.tools.misc import format_datetime

# ticket fields whose change can start, stop, pause or retarget an SLA clock
SLA_TRIGGER_FIELDS = {
    "stage_id",
    "priority",
    "impact",
    "urgency",
    "sla_level_id",
    "contract_id",
    "system_id",
    "partner_id",
    "reported_date",
    "company_id",
    "responded_date",
    "onsite_requested_date",
    "onsite_arrival_date",
}


class HelpdeskTicket(models.Model):
    """SLA (§5.2 response, time-limited handling, arrival): the ticket's side of
    its clocks — which clocks it needs, when they start, pause, stop, retarget or
    cancel, the first response, and what warnings and breaches do on the ticket.
    The clock engine (working time, planning, scheduler) is
    ``response.support.sla.clock``."""

    _inherit = "helpdesk.ticket"

    # -- SLA clocks
    responded_date = fields.Datetime(
        string="Responded On",
        readonly=True,
        copy=False,
        help="First response: an engineer acknowledged the ticket or answered the "
        "customer.",
    )
    onsite_requested_date = fields.Datetime(
        string="On-site Requested On", copy=False, tracking=True
    )
    onsite_arrival_date = fields.Datetime(
        string="On-site Arrival", copy=False, tracking=True
    )
    sla_clock_ids = fields.One2many(
        "response.support.sla.clock", "ticket_id", string="SLA Clocks"
    )
    sla_status = fields.Selection(
        [
            ("running", "On Track"),
            ("at_risk", "At Risk"),
            ("paused", "Paused"),
            ("met", "Met"),
            ("breached", "Breached"),
        ],
        string="SLA Status",
        compute="_compute_sla_status",
        store=True,
        index=True,
    )
    sla_deadline = fields.Datetime(
        string="Next SLA Deadline",
        compute="_compute_sla_status",
        store=True,
        index=True,
    )

    # ------------------------------------------------------------------ computes

    @api.depends(
        "sla_clock_ids.status",
        "sla_clock_ids.deadline",
        "sla_clock_ids.fired_threshold_ids",
    )
    def _compute_sla_status(self):
        # one fetch for every ticket's clocks, not one per ticket
        self.sla_clock_ids.fetch(
            ["status", "deadline", "breached", "fired_threshold_ids"]
        )
        for ticket in self:
            clocks = ticket.sla_clock_ids.filtered(lambda c: c.status != "cancelled")
            running = clocks.filtered(lambda c: c.status == "running")
            ticket.sla_deadline = min(running.mapped("deadline"), default=False)
            if any(c.breached for c in clocks):
                ticket.sla_status = "breached"
            elif running.filtered("fired_threshold_ids"):
                ticket.sla_status = "at_risk"
            elif running:
                ticket.sla_status = "running"
            elif clocks.filtered(lambda c: c.status == "paused"):
                ticket.sla_status = "paused"
            elif clocks:
                ticket.sla_status = "met"
            else:
                ticket.sla_status = False

    # ------------------------------------------------------------------ SLA clocks

    def _get_sla_states_before_write(self, vals):
        """{ticket: SLA state} before a write that may move the clocks, else {}."""
        if not self._sla_relevant(vals):
            return {}
        return {ticket: ticket._sla_state() for ticket in self}

    def _sync_sla_after_write(self, vals, before):
        """Bring the clocks in line after a write; tickets that just reached a
        resolved stage get their resolution follow-ups."""
        if not before:
            return
        self._sync_sla_clocks(before)
        if "stage_id" in vals:
            self.filtered(
                lambda t: not before[t]["resolved"] and t._is_sla_resolved()
            )._on_resolved()

    def _sla_relevant(self, vals):
        if self.env.context.get("response_support_sla_sync"):
            return False  # a write made by the clock synchronisation itself
        return bool(SLA_TRIGGER_FIELDS & set(vals))

    def _is_sla_resolved(self):
        self.ensure_one()
        stage = self.stage_id
        return stage.sla_resolved or (stage.closed and not stage.intake_exempt)

    def _is_sla_cancelled(self):
        self.ensure_one()
        return self.stage_id.closed and self.stage_id.intake_exempt

    def _sla_state(self):
        """What decides the clocks, to compare before and after a write."""
        self.ensure_one()
        return {
            "paused": self.stage_id.sla_pause,
            "resolved": self._is_sla_resolved(),
            "cancelled": self._is_sla_cancelled(),
            "targets": (self.sla_target_id, self._get_sla_calendar()),
        }

    def _get_sla_calendar(self):
        """The calendar the clocks count in: the contract phase's, else the SLA
        level's; empty means around the clock (7×24)."""
        self.ensure_one()
        if self.contract_phase_id:
            return self.contract_phase_id._get_calendar()
        return self.sla_level_id.calendar_id

    def _prepare_sla_clock_vals(self, kind, start=None):
        """Values of a new ``kind`` clock, or {} when the SLA sets no target."""
        self.ensure_one()
        target = self.sla_target_id
        minutes = target[f"{kind}_minutes"] if target else 0
        if kind == "onsite" and not self.onsite_requested_date:
            minutes = 0
        if not minutes:
            return {}
        if start is None:
            start = (
                self.onsite_requested_date if kind == "onsite" else self.reported_date
            )
        return {
            "ticket_id": self.id,
            "kind": kind,
            "sla_level_id": self.sla_level_id.id,
            "calendar_id": self._get_sla_calendar().id,
            "target_minutes": minutes,
            "start_date": start,
            "anchor_date": start,
            "anchor_used_minutes": 0.0,
        }

    def _sync_sla_clocks(self, before=None):
        """Bring the clocks in line with the ticket: start missing ones, retarget,
        pause or resume, stop (met or breached), cancel or reopen."""
        now = fields.Datetime.now()
        before = before or {}
        to_start = {}
        for ticket in self:
            existing = set(ticket.sla_clock_ids.mapped("kind"))
            kinds = [
                kind
                for kind in ("response", "resolution", "onsite")
                if kind not in existing and ticket._prepare_sla_clock_vals(kind)
            ]
            if kinds:
                to_start[ticket] = kinds
        if to_start:
            # clocks are maintained by the system, never edited by hand: users who
            # may write the ticket drive them, through sudo
            self.env["response.support.sla.clock"].sudo()._start_clocks(to_start)
        for ticket in self:
            ticket._sync_sla_clock_states(before.get(ticket), now)

    def _sync_sla_clock_states(self, old, now):
        self.ensure_one()
        clocks = self.sla_clock_ids.sudo()  # system-maintained, see _sync_sla_clocks
        if not clocks:
            return
        state = self._sla_state()
        if old and old["targets"] != state["targets"]:
            changes = clocks._retarget(now)
            self._post_sla_retarget(changes)
        by_kind = {clock.kind: clock for clock in clocks}
        if state["cancelled"]:
            clocks._cancel(now)
            return
        if old and old["resolved"] and not state["resolved"]:
            self.with_context(response_support_sla_sync=True).resolved_date = False
            by_kind.get("resolution", clocks.browse())._reopen(now)
        if state["resolved"]:
            resolved = self.resolved_date or now
            self.with_context(response_support_sla_sync=True).write(
                {
                    "resolved_date": resolved,
                    "responded_date": self.responded_date or resolved,
                }
            )
            clocks.filtered(lambda c: c.kind != "onsite")._stop(self.resolved_date)
        if self.responded_date and "response" in by_kind:
            by_kind["response"]._stop(self.responded_date)
        if self.onsite_arrival_date and "onsite" in by_kind:
            by_kind["onsite"]._stop(self.onsite_arrival_date)
        if state["paused"]:
            clocks._pause(now)
        elif old and old["paused"]:
            clocks._resume(now)

    def _post_sla_retarget(self, changes):
        self.ensure_one()
        for clock, (old, new) in changes.items():
            self._post_note(
                self.env._(
                    "SLA targets changed: %(clock)s deadline %(old)s → %(new)s "
                    "(%(minutes)s working minutes, clock not restarted).",
                    clock=clock.display_name,
                    old=format_datetime(self.env, old) if old else "-",
                    new=format_datetime(self.env, new) if new else "-",
                    minutes=clock.target_minutes,
                )
            )

    def _post_sla_warning(self, clock, threshold, partners):
        self.ensure_one()
        body = self.env._(
            "SLA warning: %(clock)s has used %(percent)s%% of its target of "
            "%(minutes)s working minutes; deadline %(deadline)s.",
            clock=clock.display_name,
            percent=threshold.percent,
            minutes=clock.target_minutes,
            deadline=format_datetime(self.env, clock.deadline)
            if clock.deadline
            else "-",
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
        self._escalate(
            self.env._(
                "%(clock)s reached %(percent)s%% of its SLA target.",
                clock=clock.display_name,
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
        self.message_post(
            body=self.env._(
                "SLA breached: %(clock)s passed its deadline %(deadline)s.",
                clock=clock.display_name,
                deadline=format_datetime(self.env, clock.deadline),
            ),
            message_type="notification",
            subtype_xmlid="mail.mt_note",
            partner_ids=partners.ids,
        )
        if "escalate" in superseded.mapped("action") and not clock.done_date:
            self._escalate(
                self.env._(
                    "%(clock)s breached its SLA target.", clock=clock.display_name
                ),
                trigger="sla",
            )

    def action_acknowledge(self):
        """The engineer takes the ticket: this is the first response."""
        self.filtered(lambda t: not t.responded_date).write(
            {"responded_date": fields.Datetime.now()}
        )
        return True

    def _message_post_after_hook(self, message, msg_vals):
        """A reply to the customer by an internal user is a first response."""
        result = super()._message_post_after_hook(message, msg_vals)
        if (
            not self.responded_date
            and message.message_type == "comment"
            and message.subtype_id == self.env.ref("mail.mt_comment")
            and message.author_id.user_ids.filtered(lambda u: not u.share)
        ):
            self.responded_date = message.date or fields.Datetime.now()
        return result
