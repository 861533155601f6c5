from collections import defaultdict
from contextvars import ContextVar

from markupsafe import Markup

from odoo import api, fields, models
from odoo.tools.misc import format_datetime

# ticket fields whose change can start, stop, pause or retarget an SLA clock
SLA_TRIGGER_FIELDS = {
    "team_id",
    "catalog_id",
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
}

# ids of the tickets whose SLA dates (resolved, responded) the clock synchronisation
# itself is writing: that write must not synchronise again. A ContextVar, not a
# context key: a client cannot send it to leave clocks unsynchronised.
_SLA_SYSTEM_WRITE = ContextVar("response_support_sla_system_write", default=frozenset())


class HelpdeskTicket(models.Model):
    """SLA (§5.2 response, time-limited handling, arrival): the ticket's side of
    its clocks — which clocks it needs, when they start, pause, stop, retarget or
    cancel, the first response, and what warnings and breaches do on the ticket.
    The clock engine (working time, planning, scheduler) is
    ``response.support.sla.clock``."""

    # one file per concern of the standard, on purpose (see helpdesk_ticket.py)
    _inherit = "helpdesk.ticket"  # pylint: disable=consider-merging-classes-inherited

    # -- SLA clocks
    responded_date = fields.Datetime(
        string="Responded On",
        readonly=True,
        copy=False,
        help="First response: an engineer acknowledged the ticket or answered the "
        "customer.",
    )
    sla_clock_ids = fields.One2many(
        "response.support.sla.clock", "ticket_id", string="SLA Clocks", copy=False
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
                lambda t: t.response_support_process
                and not before[t]["resolved"]
                and t._is_sla_resolved()
            )._on_resolved()

    def _sla_relevant(self, vals):
        if self and set(self.ids) <= _SLA_SYSTEM_WRITE.get():
            return False  # a write made by the clock synchronisation itself
        return bool(SLA_TRIGGER_FIELDS & set(vals))

    def _write_sla_system_fields(self, vals):
        """Write the dates the clock synchronisation derives (resolved, responded)
        without synchronising again: a private code path, see _SLA_SYSTEM_WRITE."""
        if not self:
            return
        token = _SLA_SYSTEM_WRITE.set(_SLA_SYSTEM_WRITE.get() | set(self.ids))
        try:
            self._write_system_fields(vals)  # fields only the system sets
        finally:
            _SLA_SYSTEM_WRITE.reset(token)

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
            "process": self.response_support_process,
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
        minutes = target._get_minutes(kind) if target else 0
        if not minutes:
            return {}
        if start is None:
            start = self.reported_date
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
        """Bring the clocks in line with the tickets: start missing ones, retarget,
        pause or resume, stop (met or breached), cancel or reopen. ``before``:
        {ticket: SLA state before the write}."""
        now = fields.Datetime.now()
        before = before or {}
        to_start = {}
        for ticket in self.filtered("response_support_process"):
            existing = set(ticket.sla_clock_ids.mapped("kind"))
            kinds = [
                kind
                for kind in ("response", "resolution")
                if kind not in existing and ticket._prepare_sla_clock_vals(kind)
            ]
            if kinds:
                to_start[ticket] = kinds
        if to_start:
            # clocks are maintained by the system, never edited by hand: users who
            # may write the ticket drive them, through sudo
            self.env["response.support.sla.clock"].sudo()._start_clocks(to_start)
        self._sync_sla_clock_states(before, now)

    def _sync_sla_terms(self):
        """The SLA terms or the working time of these tickets changed outside them
        (contract phase, SLA level, targets, thresholds, calendar, leaves): the
        clocks of the open ones are retargeted and replanned in one batch, with a
        note where a deadline moves. Closed tickets keep the SLA they were handled
        under."""
        tickets = self.filtered(lambda t: not t.stage_id.closed)
        # an unknown old target forces the retarget, which keeps what did not change
        before = {ticket: dict(ticket._sla_state(), targets=None) for ticket in tickets}
        tickets._sync_sla_clocks(before)

    def _sync_sla_clock_states(self, before, now):
        """Each transition once for all the tickets that make it (one working-time
        fetch per calendar, not one per ticket)."""
        tickets = self.filtered("sla_clock_ids")
        if not tickets:
            return
        Clock = self.env["response.support.sla.clock"].sudo()  # see _sync_sla_clocks
        state = {ticket: ticket._sla_state() for ticket in tickets}
        old = {ticket: before.get(ticket) or {} for ticket in tickets}

        def clocks_of(some_tickets, kinds=None):
            clocks = some_tickets.sla_clock_ids.sudo()
            return clocks.filtered(lambda c: c.kind in kinds) if kinds else clocks

        retargeted = tickets.filtered(
            lambda t: old[t] and old[t]["targets"] != state[t]["targets"]
        )
        retargeted._post_sla_retarget(clocks_of(retargeted)._retarget(now))
        # moved out of the process (a team that does not adopt it): the clocks stop
        # without a verdict, like a cancelled ticket's, and the ticket says why
        left = tickets.filtered(
            lambda t: not state[t]["process"]
            and clocks_of(t).filtered(lambda c: not c.done_date)
        )
        cancelled = tickets.filtered(
            lambda t: state[t]["cancelled"] or not state[t]["process"]
        )
        clocks_of(cancelled)._cancel(now)
        left._post_left_process_note()
        live = tickets - cancelled
        clocks_of(
            live.filtered(
                lambda t: old[t].get("cancelled") or old[t].get("process") is False
            )
            # the clocks of a cancelled support activity stay cancelled
        ).filtered(lambda c: c.cancelled and c.activity_id.state != "cancel")._reopen(
            now
        )
        reopened = live.filtered(
            lambda t: old[t].get("resolved") and not state[t]["resolved"]
        )
        reopened._write_sla_system_fields({"resolved_date": False})
        clocks_of(reopened, ["resolution"])._reopen(now)
        resolved = live.filtered(lambda t: state[t]["resolved"])
        resolved._set_sla_resolved_dates(now)
        stops = {}
        for clock in clocks_of(resolved, ["response", "resolution"]):
            stops[clock] = clock.ticket_id.resolved_date
        for clock in clocks_of(live, ["response"]):
            if clock.ticket_id.responded_date:
                stops.setdefault(clock, clock.ticket_id.responded_date)
        Clock.union(*stops)._stop(stops)
        paused = live.filtered(lambda t: state[t]["paused"])
        clocks_of(paused)._pause(now)
        resumed = (live - paused).filtered(lambda t: old[t].get("paused"))
        clocks_of(resumed)._resume(now)

    def _post_left_process_note(self):
        for ticket in self:
            ticket._post_note(
                ticket._desk_env()._(
                    "This ticket left the response-support process (team "
                    "%(team)s): its SLA clocks are cancelled.",
                    team=ticket.team_id.display_name or "-",
                )
            )

    def _set_sla_resolved_dates(self, now):
        """Resolved tickets: resolved on ``now`` unless already, and responded by
        then at the latest; one write per set of values."""
        groups = defaultdict(list)
        for ticket in self:
            resolved = ticket.resolved_date or now
            vals = {}
            if not ticket.resolved_date:
                vals["resolved_date"] = resolved
            if not ticket.responded_date:
                vals["responded_date"] = resolved
            if vals:
                groups[tuple(sorted(vals.items()))].append(ticket.id)
        for vals, ids in groups.items():
            self.browse(ids)._write_sla_system_fields(dict(vals))

    def _post_sla_retarget(self, changes):
        """A note on each ticket whose clocks got new targets or deadlines, in one
        batch. ``changes``: {clock: (old deadline, new deadline, retargeted)}, as
        the clocks' ``_retarget`` returns."""
        lines = defaultdict(list)
        for clock, (old, new, retargeted) in changes.items():
            desk = clock.ticket_id._desk_env()  # the note is the desk's to read
            values = {
                "clock": clock.with_env(desk).display_name,
                "old": format_datetime(desk, old) if old else "-",
                "new": format_datetime(desk, new) if new else "-",
                "minutes": clock.target_minutes,
            }
            lines[clock.ticket_id].append(
                desk._(
                    "SLA targets changed: %(clock)s deadline %(old)s → %(new)s "
                    "(%(minutes)s working minutes, clock not restarted).",
                    **values,
                )
                if retargeted
                else desk._(
                    "SLA working time changed: %(clock)s deadline %(old)s → "
                    "%(new)s (%(minutes)s working minutes).",
                    **values,
                )
            )
        if not lines:
            return
        tickets = self.browse([ticket.id for ticket in lines])
        # one message per ticket; _message_log_batch escapes the text of each line
        tickets._message_log_batch(
            {ticket.id: Markup("<br/>").join(lines[ticket]) for ticket in tickets},
            author_id=self.env.user.partner_id.id,
        )

    def action_acknowledge(self):
        """The engineer takes the ticket: this is the first response."""
        self.filtered(lambda t: not t.responded_date)._write_system_fields(
            {"responded_date": fields.Datetime.now()}
        )
        return True

    def _message_post_after_hook(self, message, msg_vals):
        """A reply to the customer by an internal user is a first response (not a
        message of the reporter, even when the reporter is an employee)."""
        result = super()._message_post_after_hook(message, msg_vals)
        if (
            not self.responded_date
            and message.message_type == "comment"
            and message.subtype_id == self.env.ref("mail.mt_comment")
            and message.author_id.user_ids.filtered(lambda u: not u.share)
            # an employee reporting an incident of their own is the customer here
            and message.author_id != self.partner_id
        ):
            # sudo(): mail let the author post (they may read the ticket) and the
            # first response is the system's to record, even for a follower who
            # may not write the ticket
            self.sudo()._write_system_fields(
                {"responded_date": message.date or fields.Datetime.now()}
            )
        return result
