import ast

from freezegun import freeze_time

from odoo import fields, http
from odoo.exceptions import AccessError, UserError
from odoo.tests import tagged

from .common import ResponseSupportCase, ResponseSupportHttpCase


def dt(value):
    return fields.Datetime.to_datetime(value)


class FollowupCommon:
    @classmethod
    def setUpClass(cls):
        super().setUpClass()
        # the module's data sets these; tests must not depend on configuration
        cls.stage_resolved.sla_resolved = True
        cls.team_software.write(
            {
                "followup_max_attempts": 3,
                "followup_no_answer_days": 0,
                "followup_auto_close": False,
            }
        )
        cls.Followup = cls.env["response.support.followup"]

    def _working_ticket(self, **overrides):
        """A ticket of the engineer's team, being handled by them."""
        vals = {
            "team_id": self.team_software.id,
            "user_id": self.engineer_user.id,
            "stage_id": self.stage_progress.id,
        }
        vals.update(overrides)
        return self._create_ticket(**vals)

    def _resolved_ticket(self, **overrides):
        ticket = self._working_ticket(**overrides)
        ticket.with_user(self.engineer_user).write(
            dict(self.RESOLUTION_VALS, stage_id=self.stage_resolved.id)
        )
        return ticket


@tagged("post_install", "-at_install")
class TestFollowup(FollowupCommon, ResponseSupportCase):
    # ------------------------------------------------------------------ resolving

    def test_resolve_is_refused_without_result_and_cause(self):
        ticket = self._working_ticket()
        as_engineer = ticket.with_user(self.engineer_user)
        with self.assertRaisesRegex(UserError, "fill in Solution, Cause Analysis"):
            as_engineer.stage_id = self.stage_resolved
        as_engineer.resolution = "<p>Restarted the billing service.</p>"
        with self.assertRaisesRegex(UserError, "fill in Cause Analysis"):
            as_engineer.stage_id = self.stage_resolved
        # an empty paragraph, as the editor leaves it, is no cause
        with self.assertRaisesRegex(UserError, "fill in Cause Analysis"):
            as_engineer.write(
                {"resolution_cause": "<p><br></p>", "stage_id": self.stage_resolved.id}
            )
        self.assertEqual(ticket.stage_id, self.stage_progress)
        # both given in the same write (a kanban drag after editing the form)
        as_engineer.write(
            {
                "resolution_cause": "<p>Out of memory.</p>",
                "stage_id": self.stage_resolved.id,
            }
        )
        self.assertEqual(ticket.stage_id, self.stage_resolved)
        self.assertEqual(ticket.followup_state, "pending")

    def test_plain_helpdesk_tickets_resolve_and_close_as_before(self):
        plain_team = self.env["helpdesk.ticket.team"].create({"name": "Facilities"})
        ticket = self.env["helpdesk.ticket"].create(
            {"name": "Door", "description": "<p>stuck</p>", "team_id": plain_team.id}
        )
        self.assertFalse(ticket.response_support_process)
        ticket.with_user(self.desk_user).stage_id = self.stage_done
        self.assertTrue(ticket.closed)
        self.assertFalse(ticket.followup_state)

    # ------------------------------------------------------------------ create

    def test_no_role_creates_a_ticket_closed(self):
        """A new ticket has no follow-up: nobody creates one in a closing stage
        (checked like a move to that stage), whichever way the stage comes."""
        vals = self._complete_vals(
            team_id=self.team_software.id, stage_id=self.stage_done.id
        )
        Ticket = self.env["helpdesk.ticket"]
        for user in (self.desk_user, self.manager_user):
            with self.subTest(user=user.login):
                with self.assertRaisesRegex(UserError, "cannot be created in stage"):
                    Ticket.with_user(user).create(dict(vals))
        with self.assertRaisesRegex(AccessError, "Only the service desk closes"):
            Ticket.with_user(self.engineer_user).create(dict(vals))
        with self.assertRaisesRegex(UserError, "cannot be created in stage"):
            Ticket.create(dict(vals))  # nor the system (no follow-up exists)
        # a kanban quick create in the Done column: the stage is a default
        with self.assertRaisesRegex(UserError, "cannot be created in stage"):
            Ticket.with_user(self.desk_user).with_context(
                default_stage_id=self.stage_done.id
            ).create(self._complete_vals())
        # cancel and reject close without a follow-up; plain helpdesk as before
        cancelled = Ticket.with_user(self.desk_user).create(
            dict(vals, stage_id=self.stage_cancelled.id)
        )
        self.assertTrue(cancelled.closed)
        plain_team = self.env["helpdesk.ticket.team"].create({"name": "Facilities"})
        plain = Ticket.with_user(self.desk_user).create(
            {
                "name": "Door",
                "description": "<p>stuck</p>",
                "team_id": plain_team.id,
                "stage_id": self.stage_done.id,
            }
        )
        self.assertTrue(plain.closed)

    def test_a_ticket_created_resolved_needs_its_result_and_cause(self):
        vals = self._complete_vals(
            team_id=self.team_software.id, stage_id=self.stage_resolved.id
        )
        Ticket = self.env["helpdesk.ticket"].with_user(self.desk_user)
        with self.assertRaisesRegex(UserError, "fill in Solution, Cause Analysis"):
            Ticket.create(dict(vals))
        ticket = Ticket.create(dict(vals, **self.RESOLUTION_VALS))
        self.assertEqual(ticket.followup_state, "pending")
        self.assertTrue(ticket.resolved_date)

    def test_duplicate_and_import_do_not_create_closed_tickets(self):
        ticket = self._resolved_ticket()
        self._confirm_followup(ticket)
        ticket.with_user(self.desk_user).action_close_confirmed()
        self.assertTrue(ticket.closed)
        as_desk = ticket.with_user(self.desk_user)
        # a duplicate starts over: open, without the follow-ups of the original
        duplicate = as_desk.copy()
        self.assertFalse(duplicate.closed)
        self.assertFalse(duplicate.followup_ids)
        self.assertFalse(duplicate.followup_state)
        with self.assertRaisesRegex(UserError, "cannot be created in stage"):
            as_desk.copy({"stage_id": self.stage_done.id})
        # an import creates through the same path: the row is refused
        result = (
            self.env["helpdesk.ticket"]
            .with_user(self.desk_user)
            .load(
                ["name", "description", "team_id/.id", "system_id/.id", "stage_id/.id"],
                [
                    [
                        "Imported closed",
                        "Printer offline",
                        str(self.team_software.id),
                        str(self.system.id),
                        str(self.stage_done.id),
                    ]
                ],
            )
        )
        self.assertFalse(result["ids"])
        self.assertIn(
            "cannot be created in stage",
            " ".join(message["message"] for message in result["messages"]),
        )

    # ------------------------------------------------------------------ queue

    def test_resolved_tickets_wait_in_the_desk_s_followup_queue(self):
        resolved = self._resolved_ticket()
        working = self._working_ticket(name="Still being handled")
        action = self.env.ref("response_support.helpdesk_ticket_followup_queue_action")
        queue = (
            self.env["helpdesk.ticket"]
            .with_user(self.desk_user)
            .search(ast.literal_eval(action.domain))
        )
        self.assertIn(resolved, queue)
        self.assertNotIn(working, queue)
        self._confirm_followup(resolved)
        self.assertEqual(resolved.followup_state, "confirmed")
        self.assertNotIn(
            resolved,
            self.env["helpdesk.ticket"].search([("followup_state", "=", "pending")]),
        )

    def test_followup_only_on_resolved_open_tickets(self):
        working = self._working_ticket()
        with self.assertRaisesRegex(UserError, "not waiting for a follow-up"):
            self._confirm_followup(working)
        with self.assertRaises(AccessError):
            self.Followup.with_user(self.engineer_user).create(
                {"ticket_id": self._resolved_ticket().id, "result": "solved"}
            )

    # ------------------------------------------------------------------ closure

    def test_closure_needs_a_confirmed_followup_and_the_desk(self):
        ticket = self._resolved_ticket()
        for user in (self.desk_user, self.manager_user):
            with self.subTest(user=user.login):
                with self.assertRaisesRegex(UserError, "has not confirmed"):
                    ticket.with_user(user).stage_id = self.stage_done
        with self.assertRaisesRegex(AccessError, "follow-up call"):
            ticket.with_user(self.engineer_user).stage_id = self.stage_done
        # a call that did not reach the customer confirms nothing
        self._confirm_followup(ticket, result="unreached")
        with self.assertRaisesRegex(UserError, "has not confirmed"):
            ticket.with_user(self.desk_user).action_close_confirmed()
        followup = self._confirm_followup(
            ticket,
            satisfaction="4",
            opinion_ids=[
                (0, 0, {"kind": "request", "description": "Send a monthly report"})
            ],
        )
        self.assertFalse(ticket.closed, "the desk closes after the confirmation")
        with self.assertRaisesRegex(AccessError, "follow-up call"):
            ticket.with_user(self.engineer_user).stage_id = self.stage_done
        with self.assertRaisesRegex(AccessError, "service desk"):
            ticket.with_user(self.engineer_user).action_close_confirmed()
        ticket.with_user(self.desk_user).action_close_confirmed()
        self.assertEqual(ticket.stage_id, self.stage_done)
        self.assertEqual(ticket.closure_followup_id, followup)
        self.assertEqual(ticket.closure_followup_id.user_id, self.desk_user)
        self.assertEqual(ticket.followup_satisfaction, "4")
        opinion = self.env["response.support.customer.opinion"].search(
            [("ticket_id", "=", ticket.id)]
        )
        self.assertEqual(opinion.kind, "request")
        self.assertEqual(opinion.partner_id, self.customer)

    def test_the_manager_closes_too(self):
        ticket = self._resolved_ticket()
        self._confirm_followup(ticket)
        ticket.with_user(self.manager_user).stage_id = self.stage_done
        self.assertTrue(ticket.closed)

    def test_cancel_needs_no_followup(self):
        ticket = self._working_ticket()
        ticket.with_user(self.desk_user).stage_id = self.stage_cancelled
        self.assertTrue(ticket.closed)

    def test_a_confirmation_before_a_reopening_does_not_close(self):
        with freeze_time("2026-03-02 03:00:00"):
            ticket = self._resolved_ticket()
        with freeze_time("2026-03-02 04:00:00"):
            self._confirm_followup(ticket)
        with freeze_time("2026-03-02 05:00:00"):
            ticket.with_user(self.desk_user).stage_id = self.stage_progress
            ticket.with_user(self.engineer_user).stage_id = self.stage_resolved
        self.assertEqual(ticket.followup_state, "pending")
        self.assertEqual(len(ticket.followup_ids), 1, "kept, but answered before")
        with self.assertRaisesRegex(UserError, "has not confirmed"):
            ticket.with_user(self.desk_user).stage_id = self.stage_done

    def test_auto_close_on_confirmation_when_the_team_says_so(self):
        self.team_software.followup_auto_close = True
        ticket = self._resolved_ticket()
        self._confirm_followup(ticket)
        self.assertEqual(ticket.stage_id, self.stage_done)

    # ------------------------------------------------------------------ reopening

    def test_not_solved_reopens_to_the_engineer_and_resumes_the_clock(self):
        with freeze_time("2026-03-02 02:00:00"):
            ticket = self._working_ticket()
        clock = ticket.sla_clock_ids.filtered(lambda c: c.kind == "resolution")
        self.assertEqual(clock.status, "running")
        with freeze_time("2026-03-02 03:00:00"):
            ticket.with_user(self.engineer_user).write(
                dict(self.RESOLUTION_VALS, stage_id=self.stage_resolved.id)
            )
        self.assertTrue(clock.done_date)
        deadline_resolved = clock.deadline
        with freeze_time("2026-03-02 05:00:00"):
            with self.assertRaisesRegex(UserError, "customer's words"):
                self._confirm_followup(ticket, result="not_solved")
            self._confirm_followup(
                ticket,
                result="not_solved",
                customer_words="Invoices still fail for the north district.",
            )
        self.assertEqual(ticket.stage_id, self.stage_progress)
        self.assertEqual(ticket.user_id, self.engineer_user)
        self.assertFalse(ticket.resolved_date)
        self.assertFalse(ticket.followup_state)
        self.assertEqual(ticket.reopen_count, 1)
        self.assertFalse(clock.done_date, "the resolution clock runs again")
        self.assertEqual(clock.status, "running")
        # the two hours between resolution and reopening are not counted
        self.assertEqual((clock.deadline - deadline_resolved).total_seconds(), 2 * 3600)
        self.assertIn("north district", ticket.message_ids[0].body)
        activity = ticket.activity_ids.filtered(
            lambda a: a.user_id == self.engineer_user
        )
        self.assertIn("north district", str(activity.note))

    # ------------------------------------------------------------------ no answer

    def test_no_answer_closure_after_enough_failed_attempts(self):
        ticket = self._resolved_ticket()
        for _attempt in range(2):
            self._confirm_followup(ticket, result="unreached")
        with self.assertRaisesRegex(UserError, "without an answer yet"):
            ticket.with_user(self.desk_user).action_close_no_answer()
        self._confirm_followup(ticket, result="unreached")
        ticket.with_user(self.desk_user).action_close_no_answer()
        self.assertTrue(ticket.closed)
        self.assertEqual(ticket.closure_followup_id.result, "no_answer_closure")
        self.assertEqual(ticket.closure_followup_id.channel, "rule")
        self.assertEqual(ticket.closure_followup_id.user_id, self.desk_user)

    def test_no_answer_closure_after_working_days_of_the_prc_calendar(self):
        """Two working days after a failed call on Thursday 30 April 2026: the
        Labour Day holiday (1–5 May) does not count, so not before the end of
        Thursday 7 May (17:00 in Shanghai, 09:00 UTC)."""
        with freeze_time("2026-03-01 04:00:00"):
            calendar = self._create_prc_calendar()
        self.contract.phase_ids.write({"calendar_id": calendar.id})
        self.team_software.write(
            {"followup_max_attempts": 0, "followup_no_answer_days": 2}
        )
        with freeze_time("2026-04-29 02:00:00"):
            ticket = self._resolved_ticket()
        self.assertEqual(ticket._get_sla_calendar(), calendar)
        with freeze_time("2026-04-30 02:00:00"):
            self._confirm_followup(ticket, result="unreached")
        for moment in ("2026-05-04 09:00:00", "2026-05-07 08:59:00"):
            with self.subTest(moment=moment), freeze_time(moment):
                with self.assertRaisesRegex(UserError, "without an answer yet"):
                    ticket.with_user(self.desk_user).action_close_no_answer()
        self.assertEqual(
            ticket._get_no_answer_closable_date(), dt("2026-05-07 09:00:00")
        )
        with freeze_time("2026-05-07 09:00:00"):
            ticket.with_user(self.desk_user).action_close_no_answer()
        self.assertTrue(ticket.closed)


@tagged("post_install", "-at_install")
class TestFollowupRoutes(FollowupCommon, ResponseSupportHttpCase):
    @classmethod
    def setUpClass(cls):
        super().setUpClass()
        cls.portal_user = cls._create_portal_user("rs_portal_fu", cls.reporter)

    def _post(self, url, **data):
        return self.url_open(
            url,
            data=dict(data, csrf_token=http.Request.csrf_token(self)),
            allow_redirects=False,
        )

    def _close(self, ticket, stage):
        return self._post_ticket_close(ticket.id, stage.id)

    def _rpc(self, login, method, args):
        """The error of ``helpdesk.ticket.<method>(*args)`` called over JSON-RPC
        by ``login``, or None."""
        return self._call_kw(login, "helpdesk.ticket", method, args)[1]

    def _rpc_write(self, login, ticket, vals):
        return self._rpc(login, "write", [ticket.ids, vals])

    def test_rpc_create_in_a_closing_stage_is_refused_for_every_role(self):
        vals = self._complete_vals(
            name="Closed at birth",
            team_id=self.team_software.id,
            stage_id=self.stage_done.id,
        )
        refused = {
            "rs_desk": "odoo.exceptions.UserError",
            "rs_manager": "odoo.exceptions.UserError",
            "rs_engineer": "odoo.exceptions.AccessError",
        }
        for login, error_name in refused.items():
            with self.subTest(login=login):
                error = self._rpc(login, "create", [vals])
                self.assertEqual(error["data"]["name"], error_name)
        error = self._rpc("rs_desk", "create", [vals])
        self.assertIn("cannot be created in stage", error["data"]["message"])
        self.assertFalse(
            self.env["helpdesk.ticket"].search([("name", "=", "Closed at birth")])
        )
        # the desk creates it open (then resolves, follows up and closes)
        self.assertFalse(
            self._rpc(
                "rs_desk", "create", [dict(vals, stage_id=self.stage_progress.id)]
            )
        )

    def test_every_route_refuses_closure_without_confirmation(self):
        ticket = self._resolved_ticket()
        done = {"stage_id": self.stage_done.id}
        # a kanban drag or a form save is a write over RPC
        error = self._rpc_write("rs_desk", ticket, done)
        self.assertEqual(error["data"]["name"], "odoo.exceptions.UserError")
        self.assertIn("has not confirmed", error["data"]["message"])
        error = self._rpc_write("rs_engineer", ticket, done)
        self.assertEqual(error["data"]["name"], "odoo.exceptions.AccessError")
        # /ticket/close, the route of helpdesk_mgmt's portal "Done" button
        self.authenticate("rs_desk", "rs_desk")
        self.assertNotEqual(self._close(ticket, self.stage_done).status_code, 302)
        self.authenticate("rs_engineer", "rs_engineer")
        self.assertEqual(self._close(ticket, self.stage_done).status_code, 403)
        self.authenticate("rs_portal_fu", "rs_portal_fu")
        page = self.url_open(f"/my/ticket/{ticket.id}").text
        self.assertIn('action="/ticket/followup"', page)
        self.assertIn('<option value="5">Very Satisfied</option>', page)
        self.assertNotIn(f'name="stage_id" value="{self.stage_done.id}"', page)
        response = self._close(ticket, self.stage_done)
        self.assertEqual(response.status_code, 400)
        self.assertIn("confirm the solution", response.text)
        self.assertFalse(ticket.closed)
        # once the customer confirmed: the customer still does not close, the desk does
        self._confirm_followup(ticket)
        self.authenticate("rs_portal_fu", "rs_portal_fu")
        response = self._close(ticket, self.stage_done)
        self.assertEqual(response.status_code, 400)
        self.assertIn("confirm the solution", response.text)
        self.assertFalse(ticket.closed)
        self.assertFalse(self._rpc_write("rs_desk", ticket, done))
        self.assertTrue(ticket.closed)

    def test_desk_closes_through_the_route_after_confirmation(self):
        ticket = self._resolved_ticket()
        self._confirm_followup(ticket)
        self.authenticate("rs_desk", "rs_desk")
        self.assertEqual(self._close(ticket, self.stage_done).status_code, 302)
        self.assertTrue(ticket.closed)

    def test_customer_confirms_on_the_portal(self):
        ticket = self._resolved_ticket()
        self.authenticate("rs_portal_fu", "rs_portal_fu")
        response = self._post(
            "/ticket/followup", ticket_id=ticket.id, answer="solved", satisfaction="5"
        )
        self.assertEqual(response.status_code, 302)
        self.assertEqual(ticket.followup_state, "confirmed")
        self.assertEqual(ticket.closure_followup_id.channel, "portal")
        self.assertEqual(ticket.closure_followup_id.partner_id, self.reporter)
        self.assertEqual(ticket.followup_satisfaction, "5")
        self.assertFalse(ticket.closed, "the desk closes after the confirmation")
        # a wrong answer or satisfaction is refused
        other = self._resolved_ticket(name="Other")
        for data in ({"answer": "closed"}, {"answer": "solved", "satisfaction": "9"}):
            with self.subTest(data=data):
                response = self._post("/ticket/followup", ticket_id=other.id, **data)
                self.assertEqual(response.status_code, 403)
        self.assertEqual(other.followup_state, "pending")
        # the desk records calls in the back office, not through this route
        self.authenticate("rs_desk", "rs_desk")
        response = self._post("/ticket/followup", ticket_id=other.id, answer="solved")
        self.assertEqual(response.status_code, 403)

    def test_customer_confirmation_auto_closes_when_configured(self):
        self.team_software.followup_auto_close = True
        ticket = self._resolved_ticket()
        self.authenticate("rs_portal_fu", "rs_portal_fu")
        self._post("/ticket/followup", ticket_id=ticket.id, answer="solved")
        self.assertEqual(ticket.stage_id, self.stage_done)

    def test_customer_says_not_solved_on_the_portal(self):
        ticket = self._resolved_ticket()
        self.authenticate("rs_portal_fu", "rs_portal_fu")
        response = self._post(
            "/ticket/followup", ticket_id=ticket.id, answer="not_solved"
        )
        self.assertNotEqual(response.status_code, 302)
        self.assertEqual(ticket.stage_id, self.stage_resolved)
        response = self._post(
            "/ticket/followup",
            ticket_id=ticket.id,
            answer="not_solved",
            words="The report still shows yesterday's figures.",
        )
        self.assertEqual(response.status_code, 302)
        self.assertEqual(ticket.stage_id, self.stage_progress)
        self.assertEqual(ticket.reopen_count, 1)
        self.assertTrue(
            ticket.message_ids.filtered(lambda m: "yesterday" in (m.body or ""))
        )

    def test_another_customer_cannot_answer(self):
        ticket = self._resolved_ticket()
        other = self.env["res.partner"].create({"name": "Gas Co", "is_company": True})
        self._create_portal_user("rs_portal_x", other)
        self.authenticate("rs_portal_x", "rs_portal_x")
        response = self._post("/ticket/followup", ticket_id=ticket.id, answer="solved")
        self.assertEqual(response.status_code, 404)
        self.assertEqual(ticket.followup_state, "pending")
