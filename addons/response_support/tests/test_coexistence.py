from freezegun import freeze_time

from odoo import http
from odoo.exceptions import AccessError, UserError
from odoo.tests import tagged

from .common import ResponseSupportCase, ResponseSupportHttpCase


class CoexistenceCommon:
    """A company that runs helpdesk_mgmt for more than IT O&M: an HR team that does
    not adopt the response-support process next to the adopting teams of
    common.py."""

    @classmethod
    def setUpClass(cls):
        super().setUpClass()
        cls.team_hr = cls.env["helpdesk.ticket.team"].create(
            {"name": "HR Requests", "user_ids": [(4, cls.engineer_user.id)]}
        )

    def _plain_ticket(self, user=None, **vals):
        """A ticket created the way helpdesk_mgmt or another module creates it."""
        model = self.env["helpdesk.ticket"]
        if user:
            model = model.with_user(user)
        return model.create(
            dict(
                {
                    "name": "New laptop for the new hire",
                    "description": "<p>Starts on Monday.</p>",
                    "team_id": self.team_hr.id,
                },
                **vals,
            )
        )


class TestCoexistence(CoexistenceCommon, ResponseSupportCase):
    def test_new_team_does_not_adopt_the_process(self):
        self.assertFalse(self.team_hr.response_support_process)
        self.assertTrue(self.team_software.response_support_process)

    @freeze_time("2026-03-02 02:00:00")
    def test_plain_team_ticket_runs_as_in_helpdesk_mgmt(self):
        """New → In Progress → Done with no intake fields and no clocks."""
        ticket = self._plain_ticket()
        self.assertFalse(ticket.response_support_process)
        self.assertFalse(ticket.sla_clock_ids)
        self.assertEqual(ticket.stage_id, self.stage_new)
        ticket.stage_id = self.stage_progress
        ticket.stage_id = self.stage_done
        self.assertTrue(ticket.closed)
        self.assertFalse(ticket.sla_clock_ids)
        self.assertFalse(ticket.sla_status)

    def test_teamless_ticket_without_om_data_is_plain(self):
        """Tickets created in code with no team and no O&M data (helpdesk_mgmt's own
        tests, other addons) are not held at intake."""
        ticket = self._plain_ticket(team_id=False)
        self.assertFalse(ticket.response_support_process)
        ticket.stage_id = self.stage_done
        self.assertTrue(ticket.closed)

    def test_teamless_om_ticket_follows_the_process(self):
        """The desk's intake queue: no team yet, but an O&M system named."""
        ticket = self._plain_ticket(team_id=False, system_id=self.system.id)
        self.assertTrue(ticket.response_support_process)
        with self.assertRaisesRegex(UserError, "cannot leave intake"):
            ticket.stage_id = self.stage_progress
        self.assertEqual(ticket.stage_id, self.stage_new)

    def test_engineer_rules_only_on_adopting_teams(self):
        """The engineer may close a ticket of a plain team (as helpdesk_mgmt lets
        them) but not one of an adopting team."""
        plain = self._plain_ticket(user_id=self.engineer_user.id)
        plain.with_user(self.engineer_user).stage_id = self.stage_done
        self.assertTrue(plain.closed)
        process = self._create_ticket(team_id=self.team_software.id)
        process.stage_id = self.stage_progress
        with self.assertRaises(AccessError):
            process.with_user(self.engineer_user).stage_id = self.stage_done

    def test_engineer_keeps_helpdesk_mgmt_rights_on_plain_tickets(self):
        """A follower may write a plain team's ticket as helpdesk_mgmt allows, even
        as a technical support engineer; on a process ticket a follower only
        reads."""
        other = self.env["helpdesk.ticket.team"].create({"name": "Facilities"})
        plain = self._plain_ticket(team_id=other.id)
        plain.message_subscribe(partner_ids=self.engineer_user.partner_id.ids)
        plain.with_user(self.engineer_user).write({"name": "Broken chair, 3rd floor"})
        self.assertEqual(plain.name, "Broken chair, 3rd floor")
        process = self._create_ticket(team_id=self.team_hardware.id)
        process.message_subscribe(partner_ids=self.engineer_user.partner_id.ids)
        with self.assertRaises(AccessError):
            process.with_user(self.engineer_user).write({"name": "Changed"})

    def test_complaint_on_plain_team_is_not_routed(self):
        ticket = self._plain_ticket(ticket_type="complaint")
        self.assertFalse(ticket.activity_ids)
        routed = self._create_ticket(ticket_type="complaint")
        self.assertTrue(routed.activity_ids)

    @freeze_time("2026-03-02 03:00:00")
    def test_ticket_moved_into_adopting_team_enters_the_process(self):
        """Clocks start from its report time; the intake check applies at its next
        stage change."""
        ticket = self._plain_ticket(
            reported_date="2026-03-02 02:00:00",
            system_id=self.system.id,
            partner_id=self.reporter.id,
        )
        self.assertFalse(ticket.sla_clock_ids)
        ticket.team_id = self.team_software
        self.assertTrue(ticket.response_support_process)
        self.assertEqual(
            set(ticket.sla_clock_ids.mapped("kind")), {"response", "resolution"}
        )
        self.assertEqual(
            set(ticket.sla_clock_ids.mapped("start_date")),
            {ticket.reported_date},
            "the clocks count from the report, not from the move",
        )
        with self.assertRaisesRegex(UserError, "cannot leave intake"):
            ticket.stage_id = self.stage_progress

    @freeze_time("2026-03-02 02:10:00")
    def test_ticket_moved_out_leaves_the_process(self):
        """Its clocks are cancelled, and the ticket says so; then it is plain."""
        ticket = self._create_ticket(team_id=self.team_software.id)
        self.assertTrue(ticket.sla_clock_ids)
        ticket.team_id = self.team_hr
        self.assertFalse(ticket.response_support_process)
        self.assertEqual(set(ticket.sla_clock_ids.mapped("status")), {"cancelled"})
        self.assertIn("left the response-support process", ticket.message_ids[0].body)
        ticket.stage_id = self.stage_done
        self.assertTrue(ticket.closed)
        self.assertEqual(set(ticket.sla_clock_ids.mapped("status")), {"cancelled"})

    @freeze_time("2026-03-02 02:10:00")
    def test_ticket_moved_back_in_resumes_its_clocks(self):
        """Out and back in: the same clocks run again (time spent out does not
        count), as for a cancelled ticket that is reopened."""
        ticket = self._create_ticket(team_id=self.team_software.id)
        ticket.team_id = self.team_hr
        with freeze_time("2026-03-02 02:20:00"):
            ticket.team_id = self.team_software
        self.assertTrue(ticket.response_support_process)
        self.assertEqual(len(ticket.sla_clock_ids), 2)
        self.assertEqual(set(ticket.sla_clock_ids.mapped("status")), {"running"})
        self.assertEqual(ticket.sla_status, "running")

    def test_stage_change_into_process_is_checked(self):
        """A write that moves a ticket into an adopting team and out of intake at
        once is checked like a ticket already in the process."""
        ticket = self._plain_ticket()
        with self.assertRaisesRegex(UserError, "cannot leave intake"):
            ticket.write(
                {"team_id": self.team_software.id, "stage_id": self.stage_progress.id}
            )
        self.assertEqual(ticket.team_id, self.team_hr, "nothing half-written")

    def test_process_flag_is_not_writable(self):
        """Membership follows the team: a client cannot switch the process off."""
        ticket = self._create_ticket(team_id=self.team_software.id)
        for user in (self.desk_user, self.manager_user):
            with self.assertRaises(AccessError):
                ticket.with_user(user).write({"response_support_process": False})
        with self.assertRaises(AccessError):
            self._plain_ticket(response_support_process=True)
        self.assertTrue(ticket.response_support_process)


@tagged("post_install", "-at_install")
class TestCoexistencePortal(CoexistenceCommon, ResponseSupportHttpCase):
    def test_portal_close_on_plain_team_ticket(self):
        """helpdesk_mgmt's portal Done works on a plain team's ticket still in New
        (it answered 400 while every ticket was held at intake)."""
        partner = self.env["res.partner"].create(
            {"name": "Wang Fang", "email": "wang.fang@example.com"}
        )
        self._create_portal_user("rs_portal_plain", partner)
        ticket = self._plain_ticket(partner_id=partner.id)
        self.authenticate("rs_portal_plain", "rs_portal_plain")
        response = self.url_open(
            "/ticket/close",
            data={
                "csrf_token": http.Request.csrf_token(self),
                "ticket_id": ticket.id,
                "stage_id": self.stage_done.id,
            },
            allow_redirects=False,
        )
        self.assertEqual(response.status_code, 302)
        self.assertEqual(ticket.stage_id, self.stage_done)
