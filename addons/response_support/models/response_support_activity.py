from odoo import api, fields, models
from odoo.exceptions import AccessError, UserError

from .helpdesk_ticket_access import has_private_flag, private_flag
from .response_support_sla_clock import CLOCK_STATUSES

SUPPORT_MODES = [
    ("onsite", "On-site Support"),
    ("hotline", "Hotline"),
    ("remote_access", "Remote Access"),
    ("remote_desktop", "Remote Desktop"),
    ("self_service", "Customer Self-service"),
]
ACTIVITY_STATES = [
    ("draft", "Draft"),
    ("confirmed", "Confirmed with the Customer"),
    ("plan_approved", "Plan Approved"),
    ("on_way", "On the Way / Connecting"),
    ("in_progress", "In Progress"),
    ("signoff", "Awaiting Customer Sign-off"),
    ("done", "Done"),
    ("cancel", "Cancelled"),
]
PLAN_STATES = [
    ("none", "Not Submitted"),
    ("submitted", "Submitted"),
    ("approved", "Approved"),
    ("rejected", "Rejected"),
]
# fields only the activity's buttons set (see ``_check_activity_write``)
ACTIVITY_SYSTEM_FIELDS = {
    "state",
    "plan_state",
    "plan_submitted_by_id",
    "plan_submitted_date",
    "plan_approved_by_id",
    "plan_approved_date",
    "checkin_date",
    "start_date",
    "end_date",
    "signed_on",
    "confirmed_by_customer_date",
    "service_form_id",
}
# the scope agreed with the customer: fixed once the work started (§5.2 一(二))
ACTIVITY_SCOPE_FIELDS = {
    "mode",
    "work_content",
    "procedure",
    "address",
    "access_method",
    "agreed_date",
    "agreed_by",
}
STARTED_STATES = ("in_progress", "signoff", "done")
# what the customer signed or confirmed: frozen once the activity is closed
ACTIVITY_SIGNED_FIELDS = ACTIVITY_SCOPE_FIELDS | {
    "signature",
    "signed_by",
    "customer_confirmed",
    "no_legacy_issue",
    "service_record",
    "result",
    "time_spent",
    "part_ids",
    "legacy_issue_ids",
    "user_ids",
    "contact_id",
}
SYSTEM_FLAG = "response_support_activity_system"


class ResponseSupportActivity(models.Model):
    """A support activity of a ticket (§5.2): an on-site visit (现场支持) or a remote
    session (远程支持: hotline, remote access, remote desktop, customer self-service),
    from the agreement with the customer (需方) to their sign-off. Each one has its
    own arrival clock (on-site) and support-time clock in the SLA engine."""

    _name = "response.support.activity"
    _description = "Support Activity"
    _inherit = ["mail.thread", "mail.activity.mixin", "portal.mixin"]
    _order = "requested_date desc, id desc"

    name = fields.Char(
        string="Reference", required=True, readonly=True, copy=False, default="/"
    )
    ticket_id = fields.Many2one(
        "helpdesk.ticket", required=True, ondelete="cascade", index=True, tracking=True
    )
    company_id = fields.Many2one(
        related="ticket_id.company_id", store=True, index=True, precompute=True
    )
    customer_id = fields.Many2one(
        "res.partner",
        string="Customer",
        related="ticket_id.commercial_partner_id",
        store=True,
        index=True,
    )
    system_id = fields.Many2one(related="ticket_id.system_id", store=True, index=True)
    contract_id = fields.Many2one(related="ticket_id.contract_id", store=True)
    site_rules = fields.Text(
        related="system_id.site_rules",
        string="Customer's Site Rules",
    )
    mode = fields.Selection(
        SUPPORT_MODES, required=True, default="onsite", tracking=True
    )
    is_onsite = fields.Boolean(compute="_compute_is_onsite")
    state = fields.Selection(
        ACTIVITY_STATES, default="draft", required=True, readonly=True, tracking=True
    )
    user_ids = fields.Many2many(
        "res.users",
        relation="response_support_activity_user_rel",
        column1="activity_id",
        column2="user_id",
        string="Engineers",
        default=lambda self: self.env.user,
        domain="[('share', '=', False)]",
    )
    contact_id = fields.Many2one(
        "res.partner",
        string="Customer Contact",
        compute="_compute_contact_id",
        store=True,
        readonly=False,
        tracking=True,
    )
    address = fields.Text(string="Site Address")
    access_method = fields.Char(
        help="How the engineer connects: phone number, VPN, remote desktop tool…"
    )
    requested_date = fields.Datetime(
        string="Requested On",
        required=True,
        default=fields.Datetime.now,
        tracking=True,
        help="When the support was requested: the arrival clock starts here.",
    )
    agreed_date = fields.Datetime(string="Agreed Time", tracking=True)
    agreed_by = fields.Char(
        string="Agreed Time Confirmed By",
        help="The customer's person who confirmed the time.",
    )
    work_content = fields.Text(string="Confirmed Work Content")
    procedure = fields.Text(string="Confirmed Procedure")
    # before (一(一), 二(一)): plan for complex or risky work
    risky = fields.Boolean(
        string="Complex or Risky",
        tracking=True,
        help="The work needs a plan approved by the technical support manager "
        "before it starts.",
    )
    plan_steps = fields.Text(string="Steps")
    plan_risks = fields.Text(string="Risks")
    plan_rollback = fields.Text(string="Rollback")
    plan_attachment_ids = fields.Many2many(
        "ir.attachment",
        relation="response_support_activity_plan_attachment_rel",
        column1="activity_id",
        column2="attachment_id",
        string="Plan Attachments",
    )
    plan_state = fields.Selection(
        PLAN_STATES, default="none", required=True, readonly=True, tracking=True
    )
    plan_submitted_by_id = fields.Many2one("res.users", readonly=True)
    plan_submitted_date = fields.Datetime(readonly=True)
    plan_approved_by_id = fields.Many2one(
        "res.users", string="Plan Approved By", readonly=True
    )
    plan_approved_date = fields.Datetime(string="Plan Approved On", readonly=True)
    plan_reject_reason = fields.Text(string="Plan Rejection Reason")
    checklist_ids = fields.One2many(
        "response.support.activity.checklist", "activity_id", string="Checklist"
    )
    # during (一(二), 二(二))
    checkin_date = fields.Datetime(string="Arrived On Site", readonly=True)
    start_date = fields.Datetime(string="Work Started", readonly=True)
    end_date = fields.Datetime(string="Work Finished", readonly=True)
    request_ids = fields.One2many(
        "response.support.activity.request",
        "activity_id",
        string="Extra Requests and Problems",
    )
    part_ids = fields.One2many(
        "response.support.activity.part", "activity_id", string="Spare Parts Used"
    )
    service_record = fields.Text(string="Work Done")
    result = fields.Text()
    time_spent = fields.Float(
        string="Time Spent (hours)",
        compute="_compute_time_spent",
        store=True,
        readonly=False,
    )
    # before leaving (一(三))
    legacy_issue_ids = fields.One2many(
        "response.support.legacy.issue", "activity_id", string="Legacy Issues"
    )
    no_legacy_issue = fields.Boolean(
        help="The customer and the engineer agree that nothing is left open.",
    )
    signature = fields.Binary(copy=False, attachment=True)
    signed_by = fields.Char(copy=False)
    signed_on = fields.Datetime(copy=False, readonly=True)
    customer_confirmed = fields.Boolean(
        copy=False,
        help="Remote session: the customer confirmed the work (instead of signing).",
    )
    confirmed_by_customer_date = fields.Datetime(copy=False, readonly=True)
    service_form_id = fields.Many2one(
        "ir.attachment",
        string="Service Form",
        copy=False,
        readonly=True,
        help="The signed service form, attached to the ticket at closing.",
    )
    # context for the engineer
    previous_activity_ids = fields.Many2many(
        "response.support.activity",
        string="Earlier Support",
        compute="_compute_history",
    )
    open_legacy_issue_ids = fields.Many2many(
        "response.support.legacy.issue",
        string="Open Legacy Issues of this Customer",
        compute="_compute_history",
    )
    # SLA
    sla_clock_ids = fields.One2many(
        "response.support.sla.clock", "activity_id", string="SLA Clocks"
    )
    arrival_deadline = fields.Datetime(compute="_compute_clock_fields")
    arrival_status = fields.Selection(
        CLOCK_STATUSES,
        string="Arrival",
        compute="_compute_clock_fields",
    )
    arrival_late = fields.Boolean(
        string="Late Arrival", compute="_compute_arrival_late", store=True
    )
    arrival_clock_id = fields.Many2one(
        "response.support.sla.clock", compute="_compute_clock_fields"
    )
    support_clock_id = fields.Many2one(
        "response.support.sla.clock", compute="_compute_clock_fields"
    )

    # ------------------------------------------------------------------ computes

    @api.depends("mode")
    def _compute_is_onsite(self):
        for activity in self:
            activity.is_onsite = activity.mode == "onsite"

    @api.depends("ticket_id")
    def _compute_contact_id(self):
        for activity in self:
            if not activity.contact_id:
                activity.contact_id = activity.ticket_id.partner_id

    @api.depends("start_date", "end_date")
    def _compute_time_spent(self):
        for activity in self:
            if activity.start_date and activity.end_date:
                seconds = (activity.end_date - activity.start_date).total_seconds()
                activity.time_spent = round(seconds / 3600, 2)

    @api.depends("sla_clock_ids.status", "sla_clock_ids.deadline")
    def _compute_clock_fields(self):
        for activity in self:
            arrival = activity.sla_clock_ids.filtered(lambda c: c.kind == "onsite")[:1]
            support = activity.sla_clock_ids.filtered(lambda c: c.kind == "support")[:1]
            activity.arrival_clock_id = arrival
            activity.support_clock_id = support
            activity.arrival_deadline = arrival.deadline
            activity.arrival_status = arrival.status

    @api.depends("sla_clock_ids.status", "sla_clock_ids.kind")
    def _compute_arrival_late(self):
        for activity in self:
            activity.arrival_late = any(
                c.kind == "onsite" and c.status == "breached"
                for c in activity.sla_clock_ids
            )

    @api.depends("customer_id", "system_id", "requested_date")
    def _compute_history(self):
        Issue = self.env["response.support.legacy.issue"]
        customers = self.customer_id
        # one search for every activity's history and one for the open issues
        earlier = self.search(
            [("customer_id", "in", customers.ids), ("state", "!=", "cancel")]
        )
        issues = Issue.search(
            [("customer_id", "in", customers.ids), ("state", "=", "open")]
        )
        for activity in self:
            same = earlier.filtered(
                lambda a, act=activity: a.customer_id == act.customer_id
                and a.system_id == act.system_id
                and a.id != act.id
                and (not act.requested_date or a.requested_date <= act.requested_date)
            )
            activity.previous_activity_ids = same
            activity.open_legacy_issue_ids = issues.filtered(
                lambda i, act=activity: i.customer_id == act.customer_id
                and i.system_id == act.system_id
                and i.activity_id.id != act.id
            )

    def _compute_access_url(self):
        res = super()._compute_access_url()
        for activity in self:
            activity.access_url = f"/my/support/{activity.id}"
        return res

    # ------------------------------------------------------------------ CRUD

    @api.model_create_multi
    def create(self, vals_list):
        self._check_activity_write_vals(vals_list)
        for vals in vals_list:
            if vals.get("name", "/") == "/":
                vals["name"] = self.env["ir.sequence"].next_by_code(
                    "response.support.activity"
                ) or self.env._("New")
        activities = super().create(vals_list)
        activities._add_checklist_lines()
        activities._start_arrival_clocks()
        return activities

    def write(self, vals):
        self._check_activity_write_vals([vals])
        if not has_private_flag(SYSTEM_FLAG):
            started = self.filtered(lambda a: a.state in STARTED_STATES)
            if started and ACTIVITY_SCOPE_FIELDS & set(vals):
                raise UserError(
                    self.env._(
                        "The scope confirmed with the customer is fixed once the work "
                        "started: record an extra request for anything more."
                    )
                )
            closed = self.filtered(lambda a: a.state in ("done", "cancel"))
            if closed and ACTIVITY_SIGNED_FIELDS & set(vals):
                raise UserError(
                    self.env._(
                        "%(activity)s is closed: what the customer signed or "
                        "confirmed cannot change.",
                        activity=closed[0].name,
                    )
                )
            if "signature" in vals and vals["signature"]:
                if self.filtered(lambda a: a.state != "signoff"):
                    raise UserError(
                        self.env._(
                            "The customer signs once the work is finished and the "
                            "activity awaits their sign-off."
                        )
                    )
                vals = dict(vals, signed_on=fields.Datetime.now())
        requested = "requested_date" in vals
        with private_flag(SYSTEM_FLAG):
            res = super().write(vals)
        if requested:
            self._restart_arrival_clocks()
        return res

    def _check_activity_write_vals(self, vals_list):
        """Fields only the buttons set (state, approvals, check-in…)."""
        if has_private_flag(SYSTEM_FLAG):
            return
        for vals in vals_list:
            forbidden = ACTIVITY_SYSTEM_FIELDS & set(vals)
            if forbidden:
                raise UserError(
                    self.env._(
                        "These fields are set by the activity's buttons: %(fields)s",
                        fields=", ".join(sorted(forbidden)),
                    )
                )

    def _write_system(self, vals):
        with private_flag(SYSTEM_FLAG):
            return self.write(vals)

    # ------------------------------------------------------------------ checklist

    def _get_checklist_templates(self):
        """Hook: the checklist templates that apply to this activity."""
        self.ensure_one()
        catalogs = self.env["response.support.catalog"]
        catalog = self.ticket_id.catalog_id
        while catalog:
            catalogs |= catalog
            catalog = catalog.parent_id
        return self.env["response.support.checklist.template"].search(
            [
                ("catalog_id", "in", catalogs.ids + [False]),
                ("applies_to", "in", ["all", "onsite" if self.is_onsite else "remote"]),
                ("company_id", "in", [self.company_id.id, False]),
            ]
        )

    def _get_mandatory_checklist_lines(self):
        """Hook: the items every activity of this mode has (§5.2 一(三), 二(一))."""
        self.ensure_one()
        if self.is_onsite:
            return [
                {
                    "name": self.env._("Site left clean or as found"),
                    "stage": "leave",
                    "sequence": 1000,
                }
            ]
        return [
            {
                "name": self.env._("Access confirmed secure, stable and available"),
                "stage": "before",
                "sequence": 1,
            }
        ]

    def _add_checklist_lines(self):
        lines = []
        for activity in self:
            for template in activity._get_checklist_templates():
                lines.append(
                    {
                        "activity_id": activity.id,
                        "name": template.name,
                        "stage": template.stage,
                        "sequence": template.sequence,
                    }
                )
            for vals in activity._get_mandatory_checklist_lines():
                lines.append(dict(vals, activity_id=activity.id))
        self.env["response.support.activity.checklist"].create(lines)

    # ------------------------------------------------------------------ SLA

    def _prepare_sla_clock_vals(self, kind, start=None):
        """Values of the activity's ``kind`` clock (``onsite``: arrival, ``support``:
        support time), or {} when the ticket's SLA sets no such target."""
        self.ensure_one()
        ticket = self.ticket_id
        if not ticket.response_support_process:
            return {}
        if kind == "onsite" and not self.is_onsite:
            return {}
        target = ticket.sla_target_id
        minutes = target._get_minutes(kind) if target else 0
        if not minutes:
            return {}
        if start is None:
            start = self.requested_date if kind == "onsite" else self.start_date
        return {
            "ticket_id": ticket.id,
            "activity_id": self.id,
            "kind": kind,
            "sla_level_id": ticket.sla_level_id.id,
            "calendar_id": ticket._get_sla_calendar().id,
            "target_minutes": minutes,
            "start_date": start,
            "anchor_date": start,
            "anchor_used_minutes": 0.0,
        }

    def _start_clocks(self, kind):
        vals_list = []
        for activity in self:
            vals = activity._prepare_sla_clock_vals(kind)
            if vals:
                vals_list.append(vals)
        # the clocks are maintained by the system: whoever may run the activity
        # drives them (the caller's rights on the activity were checked)
        clocks = self.env["response.support.sla.clock"].sudo().create(vals_list)
        clocks._recompute_schedule()
        return clocks

    def _start_arrival_clocks(self):
        self.filtered(lambda a: a.is_onsite and a.state != "cancel")._start_clocks(
            "onsite"
        )

    def _restart_arrival_clocks(self):
        """A new request date before the arrival: the arrival clock counts from it."""
        clocks = self.sudo().sla_clock_ids.filtered(
            lambda c: c.kind == "onsite"
            and not c.done_date
            and c.start_date != c.activity_id.requested_date
        )
        if clocks:
            clocks._restart(
                {clock: clock.activity_id.requested_date for clock in clocks}
            )
        self.filtered(lambda a: not a.arrival_clock_id)._start_arrival_clocks()

    def _stop_clocks(self, kind, moment):
        clocks = self.sudo().sla_clock_ids.filtered(
            lambda c: c.kind == kind and not c.done_date
        )
        clocks._stop(moment)

    # ------------------------------------------------------------------ roles

    def _is_manager(self):
        return self.env.user.has_group(
            "response_support.group_response_support_manager"
        )

    def _check_engineer(self):
        """The engineers of the activity, or the desk, run it."""
        desk = self.env.user.has_group("response_support.group_response_support_desk")
        for activity in self:
            if self.env.user not in activity.user_ids and not desk:
                raise AccessError(
                    self.env._(
                        "Only the engineers of %(activity)s or the service desk may "
                        "do this.",
                        activity=activity.name,
                    )
                )

    def _check_state(self, states, action):
        for activity in self:
            if activity.state not in states:
                labels = dict(self._fields["state"]._description_selection(self.env))
                raise UserError(
                    self.env._(
                        "%(activity)s is %(state)s: you cannot %(action)s now.",
                        activity=activity.name,
                        state=labels[activity.state],
                        action=action,
                    )
                )

    # ------------------------------------------------------------------ actions

    def action_confirm(self):
        """Content, time and place (or access) agreed with the customer."""
        self._check_engineer()
        self._check_state(["draft"], self.env._("confirm it"))
        for activity in self:
            missing = [
                label
                for label, value in [
                    (self.env._("agreed time"), activity.agreed_date),
                    (self.env._("who confirmed the time"), activity.agreed_by),
                    (self.env._("work content"), activity.work_content),
                    (self.env._("customer contact"), activity.contact_id),
                    (
                        self.env._("site address")
                        if activity.is_onsite
                        else self.env._("access method"),
                        activity.address
                        if activity.is_onsite
                        else activity.access_method,
                    ),
                ]
                if not value
            ]
            if missing:
                raise UserError(
                    self.env._(
                        "Fill in before confirming with the customer: %(missing)s",
                        missing=", ".join(missing),
                    )
                )
        self._write_system({"state": "confirmed"})
        return True

    def action_submit_plan(self):
        self._check_engineer()
        self._check_state(["draft", "confirmed"], self.env._("submit a plan"))
        for activity in self:
            if not (
                activity.plan_steps and activity.plan_risks and activity.plan_rollback
            ):
                raise UserError(
                    self.env._(
                        "A plan needs its steps, risks and rollback before it is "
                        "submitted."
                    )
                )
        self._write_system(
            {
                "plan_state": "submitted",
                "plan_submitted_by_id": self.env.user.id,
                "plan_submitted_date": fields.Datetime.now(),
                "plan_approved_by_id": False,
                "plan_approved_date": False,
            }
        )
        self.message_post(
            body=self.env._("Plan submitted for approval."),
            subtype_xmlid="mail.mt_note",
        )
        return True

    def _check_plan_reviewer(self):
        if not self._is_manager():
            raise AccessError(
                self.env._("Only a technical support manager approves plans.")
            )
        for activity in self:
            if activity.plan_state != "submitted":
                raise UserError(
                    self.env._(
                        "%(activity)s has no plan waiting for approval.",
                        activity=activity.name,
                    )
                )
            if self.env.user in (activity.user_ids | activity.plan_submitted_by_id):
                raise AccessError(
                    self.env._(
                        "You work on %(activity)s: another manager reviews its plan.",
                        activity=activity.name,
                    )
                )

    def action_approve_plan(self):
        self._check_plan_reviewer()
        self._write_system(
            {
                "plan_state": "approved",
                "plan_approved_by_id": self.env.user.id,
                "plan_approved_date": fields.Datetime.now(),
                "plan_reject_reason": False,
            }
        )
        self.filtered(lambda a: a.state == "confirmed")._write_system(
            {"state": "plan_approved"}
        )
        self.message_post(
            body=self.env._("Plan approved by %(user)s.", user=self.env.user.name),
            subtype_xmlid="mail.mt_note",
        )
        return True

    def action_reject_plan(self):
        self._check_plan_reviewer()
        if self.filtered(lambda a: not a.plan_reject_reason):
            raise UserError(
                self.env._("Write the reason of the rejection before rejecting.")
            )
        self._write_system({"plan_state": "rejected"})
        for activity in self:
            activity.message_post(
                body=self.env._(
                    "Plan rejected by %(user)s: %(reason)s",
                    user=self.env.user.name,
                    reason=activity.plan_reject_reason,
                ),
                subtype_xmlid="mail.mt_note",
            )
        return True

    def _check_ready_to_go(self):
        for activity in self:
            if activity.risky and activity.plan_state != "approved":
                raise UserError(
                    self.env._(
                        "%(activity)s is complex or risky: its plan must be approved "
                        "by the technical support manager first.",
                        activity=activity.name,
                    )
                )

    def action_set_out(self):
        """On the way to the site, or connecting to the customer's system."""
        self._check_engineer()
        self._check_state(["confirmed", "plan_approved"], self.env._("set out"))
        self._check_ready_to_go()
        self._write_system({"state": "on_way"})
        return True

    def action_check_in(self):
        """Arrived on site: stops the arrival clock and tells the customer contact."""
        self._check_engineer()
        self._check_state(["on_way"], self.env._("check in"))
        if self.filtered(lambda a: not a.is_onsite):
            raise UserError(self.env._("Only an on-site visit checks in."))
        now = fields.Datetime.now()
        self._write_system({"checkin_date": now})
        self._stop_clocks("onsite", now)
        self._notify_contact_arrival()
        return True

    def _notify_contact_arrival(self):
        for activity in self.filtered("contact_id"):
            activity.message_post(
                body=self.env._(
                    "%(engineers)s arrived on site at %(time)s (%(activity)s).",
                    engineers=", ".join(activity.user_ids.mapped("name")),
                    time=fields.Datetime.context_timestamp(
                        activity, activity.checkin_date
                    ).strftime("%Y-%m-%d %H:%M"),
                    activity=activity.name,
                ),
                partner_ids=activity.contact_id.ids,
                message_type="comment",
                subtype_xmlid="mail.mt_comment",
            )

    def action_start(self):
        self._check_engineer()
        self._check_state(["on_way"], self.env._("start the work"))
        self._check_ready_to_go()
        for activity in self:
            if activity.is_onsite and not activity.checkin_date:
                raise UserError(self.env._("Check in on site before starting."))
            todo = activity.checklist_ids.filtered(
                lambda line: line.stage == "before" and not line.done
            )
            if todo:
                raise UserError(
                    self.env._(
                        "Complete the preparation checklist first: %(items)s",
                        items=", ".join(todo.mapped("name")),
                    )
                )
        self._write_system(
            {"state": "in_progress", "start_date": fields.Datetime.now()}
        )
        self._start_clocks("support")
        return True

    def action_request_signoff(self):
        self._check_engineer()
        self._check_state(["in_progress"], self.env._("ask for the sign-off"))
        if self.request_ids.filtered(lambda r: r.state == "pending"):
            raise UserError(
                self.env._(
                    "Extra requests or problems still wait for the superior's "
                    "decision."
                )
            )
        now = fields.Datetime.now()
        self._write_system({"state": "signoff", "end_date": now})
        self._stop_clocks("support", now)
        return True

    def action_done(self):
        """Close: the customer signed (on-site) or confirmed (remote), and the
        legacy issues are listed or explicitly none."""
        self._check_engineer()
        self._check_state(["signoff"], self.env._("close it"))
        for activity in self:
            activity._check_can_close()
        self._write_system(
            {
                "state": "done",
                "confirmed_by_customer_date": fields.Datetime.now(),
            }
        )
        self._on_done()
        return True

    def _check_can_close(self):
        self.ensure_one()
        if self.is_onsite and not (self.signature and self.signed_by):
            raise UserError(
                self.env._(
                    "The customer must sign the on-site service form (signature and "
                    "signer's name) before the engineer leaves."
                )
            )
        if not self.is_onsite and not self.customer_confirmed:
            raise UserError(
                self.env._("The customer must confirm the remote session first.")
            )
        if not self.legacy_issue_ids and not self.no_legacy_issue:
            raise UserError(
                self.env._(
                    "List the legacy issues agreed with the customer, or tick "
                    '"No Legacy Issue".'
                )
            )
        todo = self.checklist_ids.filtered(lambda line: not line.done)
        if todo:
            raise UserError(
                self.env._(
                    "Complete the checklist first: %(items)s",
                    items=", ".join(todo.mapped("name")),
                )
            )

    def _on_done(self):
        """Hook: what happens when activities close: the service form (现场服务单)
        is attached to the ticket."""
        self._attach_service_form()

    def _can_be_signed_on_portal(self):
        self.ensure_one()
        return self.is_onsite and self.state == "signoff" and not self.signature

    def _get_report_base_filename(self):
        self.ensure_one()
        return f"{self.ticket_id.number or ''} {self.name}".strip()

    def _get_report_lang(self):
        """The language of the service form: the customer contact's."""
        self.ensure_one()
        return (
            self.contact_id.lang
            or self.customer_id.lang
            or self.env.lang
            or self.company_id.partner_id.lang
        )

    def _attach_service_form(self):
        report = self.env["ir.actions.report"]
        for activity in self:
            content, _type = report._render_qweb_pdf(
                "response_support.response_support_activity_report", activity.ids
            )
            # sudo: the engineer's rights on the activity were checked by the
            # caller; attaching to the ticket needs no right to edit the ticket
            attachment = (
                self.env["ir.attachment"]
                .sudo()
                .create(
                    {
                        "name": f"{activity.ticket_id.number or ''} "
                        f"{activity.name}.pdf".strip(),
                        "raw": content,
                        "mimetype": "application/pdf",
                        "res_model": "helpdesk.ticket",
                        "res_id": activity.ticket_id.id,
                    }
                )
            )
            activity._write_system({"service_form_id": attachment.id})
            activity.ticket_id.sudo().message_post(
                body=self.env._(
                    "Service form of %(activity)s signed and attached.",
                    activity=activity.name,
                ),
                attachment_ids=attachment.ids,
                subtype_xmlid="mail.mt_note",
            )

    def action_cancel(self):
        self._check_engineer()
        self._check_state(
            ["draft", "confirmed", "plan_approved", "on_way", "in_progress"],
            self.env._("cancel it"),
        )
        self._write_system({"state": "cancel"})
        # sudo: the clocks are system-maintained (rights checked above)
        self.sudo().sla_clock_ids._cancel(fields.Datetime.now())
        return True
