from markupsafe import Markup

from odoo import api, fields, models, tools
from odoo.exceptions import UserError

from .helpdesk_ticket_access import has_private_flag


class HelpdeskTicket(models.Model):
    """Intake (§5.1): the six confirmations the desk must make before a ticket
    leaves intake, the decision on out-of-scope or expired requests, and the three
    intake outcomes (resolve at the desk, dispatch, raise a possible emergency)."""

    # one file per concern of the standard, on purpose (see helpdesk_ticket.py)
    _inherit = "helpdesk.ticket"  # pylint: disable=consider-merging-classes-inherited

    scope_decision = fields.Selection(
        [("chargeable", "Accepted as Chargeable"), ("rejected", "Rejected")],
        tracking=True,
        readonly=True,
        copy=False,
        groups="base.group_user",
    )
    scope_decision_user_id = fields.Many2one(
        "res.users",
        string="Scope Decided By",
        readonly=True,
        copy=False,
        groups="base.group_user",
    )
    scope_decision_date = fields.Datetime(
        string="Scope Decided On",
        readonly=True,
        copy=False,
        groups="base.group_user",
    )
    # -- intake outcome
    intake_missing = fields.Text(
        string="Missing Intake Items",
        compute="_compute_intake_missing",
        groups="base.group_user",
    )
    intake_outcome = fields.Selection(
        [
            ("desk", "Resolved at the Desk"),
            ("assigned", "Assigned to an Engineer"),
            ("emergency", "Raised as Possible Emergency"),
        ],
        readonly=True,
        copy=False,
        tracking=True,
        groups="base.group_user",
    )

    # ------------------------------------------------------------------ computes

    @api.depends(
        "system_id",
        "contract_id",
        "partner_name",
        "partner_email",
        "reporter_phone",
        "reporter_organization",
        "reporter_role",
        "name",
        "description",
        "catalog_id",
        "sla_level_id",
        "impact",
        "urgency",
        "no_attachment",
        "attachment_ids",
        "coverage_state",
        "scope_decision",
    )
    def _compute_intake_missing(self):
        for ticket in self:
            ticket.intake_missing = "\n".join(ticket._get_intake_missing())

    # ------------------------------------------------------------------ intake

    def _get_intake_missing(self):
        """The §5.1 confirmations this ticket still lacks, as translated labels.
        Integrators add their own checks by extending this list."""
        self.ensure_one()
        _ = self.env._
        missing = []
        if not self.system_id and not self.contract_id:
            missing.append(_("the system or platform (and so the O&M contract)"))
        elif not self.system_id:
            missing.append(_("the system or platform"))
        elif not self.contract_id:
            missing.append(_("the O&M contract of the system"))
        if not self.partner_name:
            missing.append(_("the reporter's name"))
        if not self.reporter_organization:
            missing.append(_("the reporter's organisation"))
        if not (self.reporter_phone or self.partner_email):
            missing.append(_("a phone number or email to reach the reporter"))
        if not self.reporter_role:
            missing.append(_("the reporter's role in the incident"))
        if not self.name:
            missing.append(_("a title"))
        if tools.is_html_empty(self.description):
            missing.append(_("a precise description of the symptoms"))
        if not self.catalog_id:
            missing.append(_("the service catalog entry"))
        if self.contract_id and not self.sla_level_id:
            missing.append(_("the SLA level"))
        if (
            self.coverage_state in ("out_of_scope", "expired")
            and not self.scope_decision
        ):
            missing.append(
                _(
                    "a decision on the out-of-scope or expired request "
                    "(chargeable or reject)"
                )
            )
        if not self.impact:
            missing.append(_("the impact scope"))
        if not self.urgency:
            missing.append(_("the urgency"))
        if not self.no_attachment and not self.attachment_ids:
            missing.append(
                _("attachments, or the confirmation that the reporter has none")
            )
        return missing

    def _check_intake_complete(self):
        errors = []
        for ticket in self:
            missing = ticket._get_intake_missing()
            if missing:
                errors.append(
                    self.env._(
                        "Ticket %(ticket)s cannot leave intake yet. Confirm with the "
                        "reporter and fill in:\n%(items)s",
                        ticket=ticket.display_name,
                        items="\n".join(f"- {item}" for item in missing),
                    )
                )
        if errors:
            raise UserError("\n\n".join(errors))

    def _check_intake_write(self, vals):
        """Leaving an intake stage (helpdesk_mgmt's "unattended" stages) needs the six
        confirmations, unless the target stage is exempt (cancel, reject) or the
        write is an emergency resolving its other reports (a private flag, see
        _resolve_children: a client cannot skip the check)."""
        if not vals.get("stage_id") or has_private_flag("skip_intake"):
            return
        stage = self.env["helpdesk.ticket.stage"].browse(vals["stage_id"])
        if stage.unattended or stage.intake_exempt:
            return
        self.filtered(lambda t: t.stage_id.unattended)._check_intake_complete()

    def _get_working_stage(self):
        """The first open, attended stage of the ticket's team, where dispatched
        tickets go."""
        self.ensure_one()
        stages = self.team_id._get_applicable_stages()
        return stages.filtered(lambda s: not s.unattended and not s.closed)[:1]

    def _get_default_team(self):
        self.ensure_one()
        return self.catalog_id.team_id or self.contract_id.team_ids[:1]

    # ------------------------------------------------------------------ actions

    def action_accept_chargeable(self):
        self._check_desk_action(self.env._("accept a request as chargeable"))
        self._set_scope_decision("chargeable")

    def action_reject_out_of_scope(self):
        self._check_desk_action(self.env._("reject a request out of scope"))
        self._set_scope_decision("rejected")
        stage = self.env.ref("helpdesk_mgmt.helpdesk_ticket_stage_rejected", False)
        if stage:
            self.stage_id = stage

    def _set_scope_decision(self, decision):
        not_needed = self.filtered(
            lambda t: t.coverage_state not in ("out_of_scope", "expired")
        )
        if not_needed:
            raise UserError(
                self.env._(
                    "Ticket %(ticket)s is covered by its contract: no scope decision "
                    "is needed.",
                    ticket=not_needed[0].display_name,
                )
            )
        self._write_system_fields(
            {
                "scope_decision": decision,
                "scope_decision_user_id": self.env.user.id,
                "scope_decision_date": fields.Datetime.now(),
            }
        )

    def action_dispatch(self):
        """Intake outcome 2: hand the ticket to the engineer team of its service
        catalog entry (then of its contract) and that team's assignment method,
        whatever team and engineer helpdesk_mgmt's auto-assignment filled in when
        the ticket was recorded. The desk chooses otherwise in the dispatch
        dialog (action_dispatch_dialog)."""
        self._check_desk_action(self.env._("dispatch a ticket"))
        self._check_intake_complete()
        for ticket in self:
            ticket._dispatch()
        return True

    def action_dispatch_dialog(self):
        """The dispatch dialog: shows the target team and engineer, which the desk
        may change, before the dispatch is confirmed."""
        self.ensure_one()
        self._check_desk_action(self.env._("dispatch a ticket"))
        return self._open_ticket_wizard(
            "response.support.ticket.dispatch", self.env._("Dispatch"), {}
        )

    def _get_dispatch_team(self):
        """The team a dispatch sends the ticket to: the catalog's, the contract's,
        else the team already on the ticket."""
        self.ensure_one()
        return self._get_default_team() or self.team_id

    def _dispatch(self, team=None, user=None):
        """Dispatch to ``team`` / ``user`` when the desk chose them in the dialog
        (an empty ``user``: the team's queue), else to the dispatch team and its
        assignment method."""
        self.ensure_one()
        team = team or self._get_dispatch_team()
        if not team:
            raise UserError(
                self.env._(
                    "Choose the engineer team for ticket %(ticket)s, or set a "
                    "default team on service catalog %(catalog)s.",
                    ticket=self.display_name,
                    catalog=self.catalog_id.display_name,
                )
            )
        # the team first: helpdesk_mgmt clears an engineer who is not a member
        self.team_id = team
        vals = {
            "intake_outcome": "assigned",
            "user_id": (user if user is not None else team._get_assignee(self)).id,
        }
        stage = self._get_working_stage()
        if stage:
            vals["stage_id"] = stage.id
        self._write_system_fields(vals)
        self._post_note(
            self._desk_env()._(
                "Dispatched to %(assignee)s.",
                assignee=self._get_assignee_label(),
            )
        )

    def action_resolve_at_desk(self):
        """Intake outcome 1: the desk solved it; next comes the follow-up call."""
        self._check_desk_action(self.env._("resolve a ticket at the desk"))
        self._check_intake_complete()
        self._check_resolution_recorded()
        stage = self.env.ref("response_support.helpdesk_ticket_stage_resolved")
        self._write_system_fields(
            {
                "intake_outcome": "desk",
                "resolved_date": fields.Datetime.now(),
                "stage_id": stage.id,
            }
        )
        for ticket in self:
            ticket._post_note(ticket._desk_env()._("Resolved at the service desk."))
        return True

    def action_raise_emergency(self):
        """Intake outcome 3: a possible emergency goes straight to the technical
        support managers, whatever intake items are still open."""
        self._check_desk_action(self.env._("raise a possible emergency"))
        managers = self._get_managers()
        for ticket in self:
            ticket._write_system_fields(
                {"intake_outcome": "emergency", "emergency_state": "possible"}
            )
            desk = ticket._in_desk_lang()  # the note is the desk's to read
            missing = desk._get_intake_missing()
            body = Markup("<p>%s</p>") % desk.env._(
                "Raised as a possible emergency to the technical support manager."
            )
            if missing:
                body += Markup("<p>%s</p><ul>%s</ul>") % (
                    desk.env._("Still to confirm:"),
                    Markup().join(Markup("<li>%s</li>") % m for m in missing),
                )
            ticket.message_subscribe(partner_ids=managers.partner_id.ids)
            ticket.message_post(
                body=body,
                subtype_xmlid="mail.mt_comment",
                partner_ids=managers.partner_id.ids,
            )
            for manager in managers:
                ticket.activity_schedule(
                    "response_support.mail_activity_type_emergency",
                    user_id=manager.id,
                    summary=desk.env._("Possible emergency: confirm or downgrade"),
                )
        return True
