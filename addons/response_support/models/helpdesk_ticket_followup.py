from datetime import timedelta

from markupsafe import Markup
from pytz import timezone, utc

from odoo import api, fields, models, tools
from odoo.exceptions import UserError

from .helpdesk_ticket_access import has_private_flag
from .response_support_sla_clock import WorkingTime

# follow-up results that allow the closure of a resolved ticket
CLOSING_RESULTS = ("solved", "no_answer_closure")


class HelpdeskTicket(models.Model):
    """Handling result, follow-up call and confirmed closure (§4.1 ②⑥, §5 ¶2):
    resolving needs the result and the cause; a resolved ticket waits in the
    desk's follow-up queue; only the desk or a manager closes it, and only after
    the customer confirmed the solution (call or portal) or the no-answer rule
    allows it. The calls themselves are ``response.support.followup`` records."""

    # one file per concern of the standard, on purpose (see helpdesk_ticket.py)
    _inherit = "helpdesk.ticket"  # pylint: disable=consider-merging-classes-inherited

    resolution_cause = fields.Html(
        string="Cause Analysis",
        help="What was found to cause the incident; recorded with the solution "
        "before the ticket is resolved.",
    )
    followup_ids = fields.One2many(
        "response.support.followup", "ticket_id", string="Follow-up Calls", copy=False
    )
    followup_state = fields.Selection(
        [("pending", "Awaiting Follow-up"), ("confirmed", "Closure Confirmed")],
        string="Follow-up",
        compute="_compute_followup_state",
        store=True,
        index=True,
        help="Awaiting follow-up: the ticket is resolved and the customer has not "
        "confirmed the solution yet. Closure confirmed: the customer confirmed it, "
        "or the no-answer rule allowed the closure.",
    )
    closure_followup_id = fields.Many2one(
        "response.support.followup",
        string="Closure Confirmed By",
        compute="_compute_followup_state",
        store=True,
        help="The follow-up that allowed the closure: who confirmed, and how.",
    )
    followup_satisfaction = fields.Selection(
        related="closure_followup_id.satisfaction",
        string="Satisfaction",
        store=True,
    )
    reopen_count = fields.Integer(
        string="Reopened",
        compute="_compute_reopen_count",
        store=True,
        help="How many times the customer did not confirm the solution and the "
        "ticket went back to its engineer.",
    )

    # ------------------------------------------------------------------ computes

    @api.depends(
        "response_support_process",
        "stage_id",
        "resolved_date",
        "followup_ids.result",
        "followup_ids.date",
    )
    def _compute_followup_state(self):
        for ticket in self:
            resolved = ticket.response_support_process and ticket._is_sla_resolved()
            closure = ticket._get_closure_followup() if resolved else False
            ticket.closure_followup_id = closure
            if not resolved or ticket._is_sla_cancelled():
                ticket.followup_state = False
            else:
                ticket.followup_state = "confirmed" if closure else "pending"

    @api.depends("followup_ids.result")
    def _compute_reopen_count(self):
        for ticket in self:
            ticket.reopen_count = len(
                ticket.followup_ids.filtered(lambda f: f.result == "not_solved")
            )

    # ------------------------------------------------------------------ write hook

    def _check_followup_write(self, vals):
        """Hook of the ticket's write, for the tickets of the process: a move to a
        resolving stage needs the handling result and its cause; a move to a
        closing stage (not cancel or reject) needs the desk or a manager and a
        confirmed follow-up since the last resolution, whatever the path (form,
        kanban, RPC, portal route). The other reports of an emergency close with
        it (a private flag, see _resolve_children)."""
        if not vals.get("stage_id") or has_private_flag("closed_with_parent"):
            return
        stage = self.env["helpdesk.ticket.stage"].browse(vals["stage_id"])
        closing = stage.closed and not stage.intake_exempt
        if not (stage.sla_resolved or closing):
            return
        self.filtered(lambda t: not t._is_sla_resolved())._check_resolution_recorded(
            vals
        )
        if not closing:
            return
        to_close = self.filtered(lambda t: not t.stage_id.closed)
        if to_close and not self.env.su:
            to_close._check_desk_action(self.env._("close a ticket"))
        to_close._check_closure_confirmed()

    def _check_followup_create(self):
        """Hook of the ticket's create, for the new tickets of the process: the
        checks of _check_followup_write on the stage a ticket is created in,
        whatever the path (form, kanban quick create, RPC, import, duplicate). A
        new ticket has no follow-up yet, so it is never created in a closing
        stage (cancel and reject excepted), not even by the desk; one created in
        a resolving stage needs its handling result and cause."""
        for ticket in self:
            stage = ticket.stage_id
            if stage.closed and not stage.intake_exempt:
                raise UserError(
                    self.env._(
                        "Ticket %(ticket)s cannot be created in stage %(stage)s: a "
                        "ticket is closed only after the customer confirmed the "
                        "solution in a follow-up. Create it in an open stage, "
                        "resolve it with its handling result, record the follow-up, "
                        "then close it.",
                        ticket=ticket.display_name,
                        stage=stage.display_name,
                    )
                )
            if stage.sla_resolved:
                ticket._check_resolution_recorded()

    def _check_resolution_recorded(self, vals=None):
        """Refuse to resolve a ticket without its handling result and cause
        (values of ``vals`` when given, else the ticket's)."""
        vals = vals or {}
        for ticket in self:
            missing = []
            for name in ("resolution", "resolution_cause"):
                value = vals[name] if name in vals else ticket[name]
                if tools.is_html_empty(value):
                    missing.append(ticket._fields[name]._description_string(self.env))
            if missing:
                raise UserError(
                    self.env._(
                        "Record the handling result of ticket %(ticket)s before "
                        "resolving it: fill in %(fields)s.",
                        ticket=ticket.display_name,
                        fields=", ".join(missing),
                    )
                )

    def _check_closure_confirmed(self):
        for ticket in self:
            if not ticket._get_closure_followup():
                raise UserError(
                    self.env._(
                        "Ticket %(ticket)s cannot be closed yet: the customer has not "
                        "confirmed the solution. Record a follow-up call (or wait for "
                        "the portal confirmation), or close it under the no-answer "
                        "rule once it applies.",
                        ticket=ticket.display_name,
                    )
                )

    # ------------------------------------------------------------------ follow-up

    def _get_current_followups(self):
        """The follow-ups since the last resolution (older ones were answered by a
        reopening)."""
        self.ensure_one()
        since = self.resolved_date
        return self.followup_ids.filtered(
            lambda f: not since or f.date >= since
        ).sorted("date")

    def _get_closure_followup(self):
        """The latest follow-up since the last resolution that allows the
        closure, or an empty recordset."""
        self.ensure_one()
        if not self.resolved_date:
            return self.env["response.support.followup"]
        followups = self._get_current_followups()
        return followups.filtered(lambda f: f.result in CLOSING_RESULTS)[-1:]

    def _check_awaits_followup(self):
        """A follow-up is recorded on a resolved, open ticket of the process."""
        for ticket in self:
            if not (
                ticket.response_support_process
                and ticket._is_sla_resolved()
                and not ticket.stage_id.closed
            ):
                raise UserError(
                    self.env._(
                        "Ticket %(ticket)s is not waiting for a follow-up call: only "
                        "resolved, open tickets are followed up.",
                        ticket=ticket.display_name,
                    )
                )

    def _get_no_answer_closable_date(self):
        """When the no-answer rule of the ticket's team allows its closure: at the
        last failed attempt once there were enough of them, else at the end of
        the N-th working day (in the ticket's SLA calendar) after the first
        failed attempt. None when no rule applies yet."""
        self.ensure_one()
        attempts = self._get_current_followups().filtered(
            lambda f: f.result == "unreached"
        )
        if not attempts:
            return None
        team = self.team_id
        if team.followup_max_attempts and len(attempts) >= team.followup_max_attempts:
            return attempts[team.followup_max_attempts - 1].date
        if team.followup_no_answer_days:
            return self._add_working_days(
                attempts[0].date, team.followup_no_answer_days
            )
        return None

    def _add_working_days(self, moment, days):
        """The end of the ``days``-th working day after the day of ``moment``, in
        the ticket's SLA calendar (its holidays and make-up days included); whole
        days around the clock without a calendar."""
        self.ensure_one()
        calendar = self._get_sla_calendar()
        if not calendar:
            return moment + timedelta(days=days)
        tz = timezone(calendar.tz or "UTC")

        def local_day(value):
            return utc.localize(value).astimezone(tz).date()

        # a window wide enough for the longest holiday (one fetch of intervals)
        walker = WorkingTime(calendar, moment, moment + timedelta(days=7 * days + 31))
        first_day = local_day(moment)
        ends_by_day = {}
        for begin, end in zip(walker.begins, walker.ends, strict=True):
            day = local_day(begin)
            if day > first_day:
                ends_by_day[day] = max(end, ends_by_day.get(day, end))
        days_found = sorted(ends_by_day)
        if len(days_found) < days:
            return None
        return ends_by_day[days_found[days - 1]]

    def _is_no_answer_closable(self):
        self.ensure_one()
        closable = self._get_no_answer_closable_date()
        return bool(closable) and fields.Datetime.now() >= closable

    def _get_close_stage(self):
        """The closing stage of the ticket's team (not cancel or reject)."""
        self.ensure_one()
        stages = self.team_id._get_applicable_stages()
        return stages.filtered(lambda s: s.closed and not s.intake_exempt)[:1]

    def _reopen_after_followup(self, followup):
        """The customer did not confirm the solution: the ticket goes back to its
        engineer's working stage with the customer's words (its resolution clock
        resumes through the SLA synchronisation of the write)."""
        self.ensure_one()
        stage = self._get_working_stage()
        if stage:
            self.write({"stage_id": stage.id})
        words = followup.customer_words or self.env._("(no words recorded)")
        body = Markup("<p>%s</p><blockquote>%s</blockquote>") % (
            self.env._("The customer did not confirm the solution; reopened:"),
            words,
        )
        self.message_post(
            body=body,
            subtype_xmlid="mail.mt_note",
            partner_ids=self.user_id.partner_id.ids,
        )
        if self.user_id:
            self.activity_schedule(
                "mail.mail_activity_data_todo",
                user_id=self.user_id.id,
                summary=self.env._("Reopened after the follow-up call"),
                note=words,
            )

    def _close_after_followup(self):
        """Close the ticket that a follow-up just allowed to close."""
        self.ensure_one()
        stage = self._get_close_stage()
        if not stage:
            raise UserError(
                self.env._(
                    "Team %(team)s has no closing stage: add one before closing "
                    "ticket %(ticket)s.",
                    team=self.team_id.display_name,
                    ticket=self.display_name,
                )
            )
        self.write({"stage_id": stage.id})

    # ------------------------------------------------------------------ actions

    def action_record_followup(self):
        """Open the follow-up call form of this resolved ticket (desk)."""
        self.ensure_one()
        self._check_desk_action(self.env._("record a follow-up call"))
        self._check_awaits_followup()
        return self._open_ticket_wizard(
            "response.support.followup",
            self.env._("Follow-up Call"),
            {"default_partner_id": self.partner_id.id},
        )

    def action_close_confirmed(self):
        """Close tickets whose customer confirmed the solution (desk, manager)."""
        self._check_desk_action(self.env._("close a ticket"))
        for ticket in self:
            ticket._close_after_followup()
        return True

    def action_close_no_answer(self):
        """Close a ticket the customer could not be reached for, once the
        no-answer rule of its team allows it; the closure is marked as such."""
        self._check_desk_action(self.env._("close a ticket without an answer"))
        for ticket in self:
            ticket._check_awaits_followup()
            if not ticket._is_no_answer_closable():
                raise UserError(
                    self.env._(
                        "Ticket %(ticket)s cannot be closed without an answer yet: "
                        "its team's rule asks for more failed follow-up attempts or "
                        "more working days since the first one.",
                        ticket=ticket.display_name,
                    )
                )
            self.env["response.support.followup"].create(
                {"ticket_id": ticket.id, "result": "no_answer_closure"}
            )
        return True

    def _portal_confirm(self, solved, satisfaction=False, words=False):
        """The customer answers on the portal (called with sudo by the portal
        route, after it checked the customer may read this ticket)."""
        self.ensure_one()
        self._check_awaits_followup()
        return self.env["response.support.followup"].create(
            {
                "ticket_id": self.id,
                "channel": "portal",
                "partner_id": self.env.user.partner_id.id,
                "result": "solved" if solved else "not_solved",
                "satisfaction": satisfaction or False,
                "customer_words": words or False,
            }
        )
