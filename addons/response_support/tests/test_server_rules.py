from freezegun import freeze_time

from odoo import http
from odoo.exceptions import AccessError, UserError
from odoo.tests import new_test_user, tagged

from .common import ResponseSupportCase, ResponseSupportHttpCase

# values a client could send for the fields only the system sets
SYSTEM_VALUES = {
    "responded_date": "2026-03-02 03:00:00",
    "resolved_date": "2026-03-02 04:00:00",
    "emergency_state": "confirmed",
    "escalation_level": "emergency",
    "scope_decision": "chargeable",
    "scope_decision_date": "2026-03-02 03:00:00",
    "intake_outcome": "desk",
}


class ServerRulesCommon:
    """Two teams: the engineer's (software) and another (hardware, with its own
    engineer); a second company the desk does not work for."""

    @classmethod
    def setUpClass(cls):
        super().setUpClass()
        cls._add_hardware_engineer()
        cls.customer_b = cls.env["res.partner"].create(
            {"name": "Test Gas Company", "is_company": True}
        )
        cls.reporter_b = cls.env["res.partner"].create(
            {"name": "Han Meimei", "parent_id": cls.customer_b.id}
        )
        cls.system_b = cls.env["response.support.system"].create(
            {"name": "Gas SCADA", "code": "T-GS", "partner_id": cls.customer_b.id}
        )
        cls.company_b = cls.env["res.company"].create({"name": "RS Company B"})

    def _team_ticket(self, **overrides):
        """A ticket of the engineer's team, assigned to them."""
        vals = {
            "name": "Software: mine",
            "team_id": self.team_software.id,
            "user_id": self.engineer_user.id,
            "stage_id": self.stage_progress.id,
        }
        vals.update(overrides)
        return self._create_ticket(**vals)

    def _other_team_ticket(self, **overrides):
        vals = {
            "name": "Hardware: someone else's",
            "team_id": self.team_hardware.id,
            "user_id": self.hw_engineer.id,
            "stage_id": self.stage_progress.id,
        }
        vals.update(overrides)
        return self._create_ticket(**vals)

    def _company_b_ticket(self):
        return self.env["helpdesk.ticket"].create(
            {
                "name": "Company B: secret outage",
                "description": "<p>Only company B may know.</p>",
                "company_id": self.company_b.id,
                "emergency_state": "possible",
            }
        )

    def _sla_records(self, ticket):
        """The clocks, pauses and escalations of ``ticket`` (made here when the
        ticket has none)."""
        clock = ticket.sla_clock_ids[:1]
        pause = self.env["response.support.sla.pause"].create(
            {"clock_id": clock.id, "start_date": "2026-03-02 03:00:00"}
        )
        ticket._escalate("Needs the manager")
        return {
            "response.support.sla.clock": ticket.sla_clock_ids,
            "response.support.sla.pause": pause,
            "response.support.escalation": ticket.escalation_ids,
        }


@freeze_time("2026-03-02 03:00:00")
@tagged("post_install", "-at_install")
class TestServerRules(ServerRulesCommon, ResponseSupportCase):
    # ------------------------------------------------------------------ record rules

    def test_engineer_reads_sla_records_of_readable_tickets_only(self):
        own = self._sla_records(self._team_ticket())
        other_ticket = self._other_team_ticket()
        other = self._sla_records(other_ticket)
        for model, records in other.items():
            with self.subTest(model=model):
                self.assertTrue(records and own[model])
                Model = self.env[model].with_user(self.engineer_user)
                found = Model.search([("id", "in", (records | own[model]).ids)])
                self.assertEqual(found, own[model])
                with self.assertRaises(AccessError):
                    records.with_user(self.engineer_user).read(["ticket_id"])
                every = self.env[model].with_user(self.desk_user).search([])
                self.assertEqual(every & (records | own[model]), records | own[model])
        # a followed ticket is readable, so are its clocks
        other_ticket.message_subscribe(partner_ids=self.engineer_user.partner_id.ids)
        for model, records in other.items():
            with self.subTest(model=model, follower=True):
                records.with_user(self.engineer_user).read(["ticket_id"])

    def test_plain_helpdesk_user_reads_sla_records_of_own_tickets(self):
        """helpdesk_mgmt's "personal tickets" users keep their scope on the clocks."""
        own_user = new_test_user(
            self.env, login="rs_hd_own", groups="helpdesk_mgmt.group_helpdesk_user_own"
        )
        mine = self._sla_records(self._other_team_ticket(user_id=own_user.id))
        other = self._sla_records(self._other_team_ticket())
        for model, records in mine.items():
            with self.subTest(model=model):
                records.with_user(own_user).read(["ticket_id"])
                with self.assertRaises(AccessError):
                    other[model].with_user(own_user).read(["ticket_id"])

    def test_follower_engineer_reads_but_does_not_write(self):
        ticket = self._other_team_ticket()
        ticket.message_subscribe(partner_ids=self.engineer_user.partner_id.ids)
        as_engineer = ticket.with_user(self.engineer_user)
        self.assertEqual(as_engineer.read(["name"])[0]["name"], ticket.name)
        with self.assertRaises(AccessError):
            as_engineer.write({"impact": "high"})
        self.assertEqual(ticket.impact, "medium")
        # a comment is still theirs to post, and it is a first response
        as_engineer.message_post(
            body="Seen this on our side too.",
            message_type="comment",
            subtype_xmlid="mail.mt_comment",
        )
        self.assertTrue(ticket.responded_date)
        # their own team's tickets stay writable
        self._team_ticket().with_user(self.engineer_user).write({"impact": "high"})

    def test_plain_helpdesk_user_still_writes_followed_tickets(self):
        """helpdesk_mgmt's follower rule is untouched for its own users."""
        own_user = new_test_user(
            self.env, login="rs_hd_own", groups="helpdesk_mgmt.group_helpdesk_user_own"
        )
        ticket = self._other_team_ticket()
        ticket.message_subscribe(partner_ids=own_user.partner_id.ids)
        ticket.with_user(own_user).write({"impact": "high"})
        self.assertEqual(ticket.impact, "high")

    # ------------------------------------------------------------------ engineer fields

    def test_engineer_cannot_change_what_decides_the_contract(self):
        self.engineer_user.company_ids = [(4, self.company_b.id)]
        ticket = self._team_ticket()
        as_engineer = ticket.with_user(self.engineer_user)
        changes = {
            "system_id": self.system_b.id,
            "partner_id": self.reporter_b.id,
            "reported_date": "2026-04-01 02:00:00",
            "company_id": self.company_b.id,
        }
        for name, value in changes.items():
            with self.subTest(field=name), self.assertRaises(AccessError):
                as_engineer.write({name: value})
        self.assertEqual(ticket.contract_id, self.contract)
        # unchanged values, as a form sends them, are no change
        as_engineer.write(
            {
                "system_id": self.system.id,
                "partner_id": self.reporter.id,
                "reported_date": "2026-03-02 02:00:00",
                "company_id": self.company.id,
            }
        )
        # the desk changes them
        ticket.with_user(self.desk_user).write({"reported_date": "2025-06-01 02:00:00"})
        self.assertEqual(ticket.contract_phase, "construction")

    def test_engineer_create_is_checked_as_write(self):
        Ticket = self.env["helpdesk.ticket"].with_user(self.engineer_user)
        refused = {
            "stage_id": self.stage_done.id,
            "contract_id": self.contract.id,
            "sla_level_id": self.level_gold.id,
            "helper_user_ids": [(6, 0, self.hw_engineer.ids)],
        }
        for name, value in refused.items():
            with self.subTest(field=name), self.assertRaises(AccessError):
                Ticket.create(self._complete_vals(**{name: value}))
        # a direct request: the engineer records reporter and system, the
        # contract follows from them
        ticket = Ticket.create(self._complete_vals(team_id=self.team_software.id))
        self.assertEqual(ticket.contract_id, self.contract)

    # ------------------------------------------------------------------ system fields

    def test_system_fields_are_written_by_nobody_directly(self):
        ticket = self._team_ticket()
        for user in (self.engineer_user, self.desk_user, self.manager_user):
            for name, value in SYSTEM_VALUES.items():
                with self.subTest(user=user.login, field=name):
                    with self.assertRaises(AccessError):
                        ticket.with_user(user).write({name: value})
            with self.subTest(user=user.login, field="scope_decision_user_id"):
                with self.assertRaises(AccessError):
                    ticket.with_user(user).scope_decision_user_id = user
        # a context key is no way around it
        with self.assertRaises(AccessError):
            ticket.with_user(self.manager_user).with_context(
                response_support_system_write=True, system_write=True
            ).write({"escalation_level": "emergency"})
        self.assertEqual(ticket.escalation_level, "engineer")
        self.assertFalse(ticket.responded_date)
        # nor at creation; the default a form sends is no value of the user's
        Ticket = self.env["helpdesk.ticket"].with_user(self.desk_user)
        with self.assertRaises(AccessError):
            Ticket.create(self._complete_vals(responded_date="2026-03-02 02:05:00"))
        created = Ticket.create(self._complete_vals(escalation_level="engineer"))
        self.assertEqual(created.escalation_level, "engineer")

    def test_system_fields_are_set_by_their_code_paths(self):
        ticket = self._team_ticket()
        ticket.with_user(self.engineer_user).action_acknowledge()
        self.assertEqual(str(ticket.responded_date), "2026-03-02 03:00:00")
        ticket.with_user(self.desk_user).action_raise_emergency()
        self.assertEqual(ticket.emergency_state, "possible")
        self.assertEqual(ticket.intake_outcome, "emergency")
        ticket.with_user(self.manager_user).action_confirm_emergency()
        self.assertEqual(ticket.escalation_level, "emergency")
        ticket.with_user(self.engineer_user).write(
            dict(self.RESOLUTION_VALS, stage_id=self.stage_resolved.id)
        )
        self.assertTrue(ticket.resolved_date)

    # ------------------------------------------------------------------ desk actions

    def test_desk_actions_are_refused_to_engineers(self):
        ticket = self._team_ticket(
            stage_id=self.env.ref("helpdesk_mgmt.helpdesk_ticket_stage_new").id,
            resolution="<p>Restarted the service.</p>",
        )
        out_of_scope = self._team_ticket(catalog_id=self.cat_development.id)
        self.assertEqual(out_of_scope.coverage_state, "out_of_scope")
        as_engineer = ticket.with_user(self.engineer_user)
        for action in (
            as_engineer.action_dispatch,
            as_engineer.action_resolve_at_desk,
            as_engineer.action_raise_emergency,
            out_of_scope.with_user(self.engineer_user).action_accept_chargeable,
            out_of_scope.with_user(self.engineer_user).action_reject_out_of_scope,
        ):
            with self.subTest(action=action.__name__):
                with self.assertRaisesRegex(AccessError, "service desk"):
                    action()
        self.assertFalse(ticket.intake_outcome or ticket.emergency_state)
        self.assertFalse(out_of_scope.scope_decision)
        # the desk may
        ticket.with_user(self.desk_user).action_dispatch()
        self.assertEqual(ticket.intake_outcome, "assigned")
        out_of_scope.with_user(self.desk_user).action_accept_chargeable()
        self.assertEqual(out_of_scope.scope_decision, "chargeable")

    def test_skip_intake_context_key_is_no_way_around_intake(self):
        ticket = self._create_ticket(impact=False)  # still in intake
        with self.assertRaisesRegex(UserError, "impact scope"):
            ticket.with_user(self.desk_user).with_context(
                response_support_skip_intake=True
            ).write({"stage_id": self.stage_done.id})
        self.assertFalse(ticket.closed)

    # ------------------------------------------------------------------ emergencies

    def test_linking_reports_is_the_desk_s_and_needs_read_access(self):
        parent = self._team_ticket(name="Network outage")
        parent.with_user(self.desk_user).action_raise_emergency()
        mine = self._team_ticket(name="Also down")
        with self.assertRaises(AccessError):
            mine.with_user(self.engineer_user).emergency_parent_id = parent
        with self.assertRaises(AccessError):
            (parent | mine).with_user(
                self.engineer_user
            ).action_link_emergency_children()
        self.assertFalse(mine.emergency_parent_id)
        # one outage, many customers: the desk links another customer's report
        other_customer = self._create_ticket(
            name="Gas: down too", partner_id=self.reporter_b.id, system_id=False
        )
        (parent | other_customer).with_user(
            self.desk_user
        ).action_link_emergency_children()
        self.assertEqual(other_customer.emergency_parent_id, parent)
        # but not to a ticket they may not read (its title would show)
        secret = self._company_b_ticket()
        with self.assertRaises(AccessError):
            mine.with_user(self.desk_user).emergency_parent_id = secret
        with self.assertRaises(AccessError):
            parent.with_user(self.desk_user).write(
                {"emergency_child_ids": [(4, secret.id)]}
            )
        with self.assertRaises(AccessError):
            (secret | mine).with_user(self.desk_user).action_link_emergency_children()
        self.assertFalse(mine.emergency_parent_id)
        self.assertFalse(secret.emergency_child_ids)


@freeze_time("2026-03-02 03:00:00")
@tagged("post_install", "-at_install")
class TestServerRulesOverRpc(ServerRulesCommon, ResponseSupportHttpCase):
    """The same rules through the web client's JSON-RPC endpoint and the portal
    routes: what a client can send, not only what Python code calls."""

    def _assert_refused(self, error, exception, text=""):
        self.assertTrue(error, "the call should have been refused")
        self.assertEqual(error["data"]["name"], exception)
        self.assertIn(text, error["data"]["message"])

    def test_rpc_desk_action_is_refused_to_an_engineer(self):
        ticket = self._team_ticket(
            stage_id=self.env.ref("helpdesk_mgmt.helpdesk_ticket_stage_new").id
        )
        __, error = self._call_kw(
            "rs_engineer", "helpdesk.ticket", "action_dispatch", [ticket.ids]
        )
        self._assert_refused(error, "odoo.exceptions.AccessError", "service desk")
        self.assertFalse(ticket.intake_outcome)

    def test_rpc_system_field_is_refused_to_the_manager(self):
        ticket = self._team_ticket()
        __, error = self._call_kw(
            "rs_manager",
            "helpdesk.ticket",
            "write",
            [ticket.ids, {"resolved_date": "2026-03-02 04:00:00"}],
            {"context": {"response_support_system_write": True}},
        )
        self._assert_refused(error, "odoo.exceptions.AccessError", "Resolved On")
        self.assertFalse(ticket.resolved_date)

    def test_rpc_engineer_field_and_create_checks(self):
        ticket = self._team_ticket()
        __, error = self._call_kw(
            "rs_engineer",
            "helpdesk.ticket",
            "write",
            [ticket.ids, {"system_id": self.system_b.id}],
        )
        self._assert_refused(error, "odoo.exceptions.AccessError", "System")
        self.assertEqual(ticket.system_id, self.system)
        __, error = self._call_kw(
            "rs_engineer",
            "helpdesk.ticket",
            "create",
            [self._complete_vals(name="Closed at birth", stage_id=self.stage_done.id)],
        )
        self._assert_refused(error, "odoo.exceptions.AccessError", "closes tickets")
        self.assertFalse(
            self.env["helpdesk.ticket"].search([("name", "=", "Closed at birth")])
        )

    def test_rpc_skip_intake_context_key_is_ignored(self):
        ticket = self._create_ticket(impact=False)
        __, error = self._call_kw(
            "rs_desk",
            "helpdesk.ticket",
            "write",
            [ticket.ids, {"stage_id": self.stage_done.id}],
            {"context": {"response_support_skip_intake": True}},
        )
        self._assert_refused(error, "odoo.exceptions.UserError", "cannot leave intake")
        self.assertFalse(ticket.closed)

    def test_rpc_record_rules(self):
        own = self._sla_records(self._team_ticket())
        other_ticket = self._other_team_ticket()
        other = self._sla_records(other_ticket)
        for model in own:
            with self.subTest(model=model):
                result, error = self._call_kw(
                    "rs_engineer", model, "search_read", [[]], {"fields": ["id"]}
                )
                self.assertFalse(error)
                found = {row["id"] for row in result}
                self.assertTrue(set(own[model].ids) <= found)
                self.assertFalse(set(other[model].ids) & found)
        other_ticket.message_subscribe(partner_ids=self.engineer_user.partner_id.ids)
        __, error = self._call_kw(
            "rs_engineer",
            "helpdesk.ticket",
            "write",
            [other_ticket.ids, {"name": "Renamed by a follower"}],
        )
        self._assert_refused(error, "odoo.exceptions.AccessError")
        self.assertEqual(other_ticket.name, "Hardware: someone else's")

    def test_rpc_emergency_link_needs_read_access(self):
        mine = self._team_ticket()
        secret = self._company_b_ticket()
        __, error = self._call_kw(
            "rs_desk",
            "helpdesk.ticket",
            "write",
            [mine.ids, {"emergency_parent_id": secret.id}],
        )
        self._assert_refused(error, "odoo.exceptions.AccessError")
        __, error = self._call_kw(
            "rs_desk",
            "helpdesk.ticket",
            "action_link_emergency_children",
            [(secret | mine).ids],
        )
        self._assert_refused(error, "odoo.exceptions.AccessError")
        self.assertFalse(mine.emergency_parent_id)

    # ------------------------------------------------------------------ portal routes

    def _close(self, ticket, stage):
        return self.url_open(
            "/ticket/close",
            data={
                "csrf_token": http.Request.csrf_token(self),
                "ticket_id": ticket.id,
                "stage_id": stage.id,
            },
            allow_redirects=False,
        )

    def test_close_route_uses_the_internal_user_s_own_rights(self):
        ticket = self._team_ticket(
            stage_id=self.stage_resolved.id, **self.RESOLUTION_VALS
        )
        self._confirm_followup(ticket)
        self.authenticate("rs_engineer", "rs_engineer")
        self.assertEqual(self._close(ticket, self.stage_done).status_code, 403)
        self.assertFalse(ticket.closed, "an engineer does not close")
        # a follower who may only read the ticket cannot close it either
        plain = new_test_user(self.env, login="rs_plain", groups="base.group_user")
        ticket.message_subscribe(partner_ids=plain.partner_id.ids)
        self.authenticate("rs_plain", "rs_plain")
        self.assertEqual(self._close(ticket, self.stage_done).status_code, 403)
        self.assertFalse(ticket.closed)
        # the desk closes with its own rights
        self.authenticate("rs_desk", "rs_desk")
        self.assertEqual(self._close(ticket, self.stage_done).status_code, 302)
        self.assertTrue(ticket.closed)

    def test_submitted_ticket_is_a_post_with_csrf(self):
        portal = self._create_portal_user("rs_portal", self.reporter)
        self.assertTrue(portal)
        self.authenticate("rs_portal", "rs_portal")
        query = "subject=Created+by+a+link&description=An+image+tag+did+it"
        response = self.url_open(f"/submitted/ticket?{query}", allow_redirects=False)
        self.assertEqual(response.status_code, 405)
        response = self.url_open(
            "/submitted/ticket",
            data={"subject": "Created by a link", "description": "no token"},
            allow_redirects=False,
        )
        self.assertEqual(response.status_code, 400)
        self.assertFalse(
            self.env["helpdesk.ticket"].search([("name", "=", "Created by a link")])
        )

    def test_portal_close_never_changes_another_organisation_s_ticket(self):
        portal = self._create_portal_user("rs_portal", self.reporter)
        parent = self._team_ticket(name="Water: network outage")
        parent.with_user(self.desk_user).action_raise_emergency()
        colleague = self.env["res.partner"].create(
            {"name": "Wang Fang", "parent_id": self.customer.id}
        )
        same_org = self._team_ticket(name="Water: down too", partner_id=colleague.id)
        other_org = self._create_ticket(
            name="Gas: down too",
            partner_id=self.reporter_b.id,
            system_id=False,
            stage_id=self.stage_progress.id,
        )
        (parent | same_org | other_org).with_user(
            self.desk_user
        ).action_link_emergency_children()
        self.authenticate(portal.login, portal.login)
        # the customer confirms the solution instead of closing (test_followup.py):
        # "Done" is refused and leaves every ticket as it was
        self.assertEqual(self._close(parent, self.stage_done).status_code, 400)
        self.assertFalse(parent.closed)
        self.assertEqual(same_org.stage_id, self.stage_progress)
        self.assertEqual(other_org.stage_id, self.stage_progress)
