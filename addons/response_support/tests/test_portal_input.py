from freezegun import freeze_time

from odoo import http
from odoo.tests import tagged

from ..controllers.main import TITLE_MAX_LENGTH
from .common import ResponseSupportHttpCase
from .test_portal import PortalIntakeCommon


@freeze_time("2026-03-02 03:00:00")
@tagged("post_install", "-at_install")
class TestPortalInput(PortalIntakeCommon, ResponseSupportHttpCase):
    """Whatever a customer's browser sends, the portal answers with a 4xx and a
    sentence they understand, and stores nothing half-way."""

    @classmethod
    def setUpClass(cls):
        super().setUpClass()
        # the form offers teams and categories, as a desk may configure it
        cls.company.write(
            {
                "helpdesk_mgmt_portal_select_team": True,
                "helpdesk_mgmt_portal_select_category": True,
                "helpdesk_mgmt_portal_team_id_required": False,
                "helpdesk_mgmt_portal_category_id_required": False,
            }
        )
        cls.team_software.show_in_portal = True
        cls.team_hardware.show_in_portal = False
        cls.category = cls.env["helpdesk.ticket.category"].create(
            {"name": "Billing", "show_in_portal": True}
        )
        cls.hidden_category = cls.env["helpdesk.ticket.category"].create(
            {"name": "Internal", "show_in_portal": False}
        )

    def setUp(self):
        super().setUp()
        self.authenticate("rs_portal", "rs_portal")

    def _count(self):
        return self.env["helpdesk.ticket"].search_count([]), self.env[
            "ir.attachment"
        ].search_count([("res_model", "=", "helpdesk.ticket")])

    def _submit(self, files=None, **values):
        data = {
            "csrf_token": http.Request.csrf_token(self),
            "subject": "Portal: billing down",
            "description": "Invoices fail",
        }
        data.update(values)
        data = {key: value for key, value in data.items() if value is not None}
        return self.url_open(
            "/submitted/ticket", data=data, files=files, allow_redirects=False
        )

    def _assert_refused(self, response, text, before, count=1):
        """A 400 with the form listing ``count`` errors, one of them ``text``."""
        self.assertEqual(response.status_code, 400, response.text[:500])
        self.assertIn("Your request was not sent", response.text)
        errors = response.text.split('id="response_support_ticket_errors"')[1]
        errors = errors.split("</ul>")[0]
        self.assertIn(text, errors)
        self.assertEqual(errors.count("<li>"), count, errors)
        self.assertEqual(self._count(), before, "nothing is stored")

    def test_bad_form_values_render_the_form_with_the_error(self):
        cases = {
            "category not a number": ({"category": "abc"}, "a category"),
            "unknown category": ({"category": "999999"}, "a category"),
            "hidden category": (
                {"category": str(self.hidden_category.id)},
                "a category",
            ),
            "huge category": ({"category": "9" * 30}, "a category"),
            "team not a number": ({"team": "abc"}, "a team"),
            "unknown team": ({"team": "999999"}, "a team"),
            "team not shown": ({"team": str(self.team_hardware.id)}, "a team"),
            "system not a number": ({"system": "abc"}, "systems"),
            "another customer's system": (
                {"system": str(self.other_system.id)},
                "systems",
            ),
            "huge system": ({"system": "9" * 30}, "systems"),
            "unknown impact": ({"impact": "bogus"}, "who is affected"),
            "unknown urgency": ({"urgency": "bogus"}, "how urgent"),
            "empty subject": ({"subject": "   "}, "subject"),
            "missing subject": ({"subject": None}, "subject"),
            "title too long": (
                {"subject": "x" * (TITLE_MAX_LENGTH + 1)},
                f"within {TITLE_MAX_LENGTH} characters",
            ),
            "empty description": ({"description": ""}, "Describe your request"),
            "missing description": ({"description": None}, "Describe your request"),
            "NUL in subject": ({"subject": "Billing\x00down"}, "NUL"),
            "NUL in description": ({"description": "Invoices\x00fail"}, "NUL"),
        }
        attachment = {"attachment": ("screenshot.png", b"\x89PNG fake", "image/png")}
        for case, (values, text) in cases.items():
            with self.subTest(case=case):
                before = self._count()
                response = self._submit(files=attachment, **values)
                self._assert_refused(response, text, before)

    def test_form_keeps_what_was_typed(self):
        response = self._submit(
            subject="Portal: billing down", description="", impact="high"
        )
        self.assertEqual(response.status_code, 400)
        self.assertIn('value="Portal: billing down"', response.text)
        self.assertIn(f'maxlength="{TITLE_MAX_LENGTH}"', response.text)
        self.assertIn('<option value="high" selected="True">', response.text)

    def test_good_form_creates_the_ticket_with_its_attachment(self):
        before_tickets, before_attachments = self._count()
        response = self._submit(
            files={"attachment": ("screenshot.png", b"\x89PNG fake", "image/png")},
            subject="x" * TITLE_MAX_LENGTH,
            category=str(self.category.id),
            team=str(self.team_software.id),
            system=str(self.system.id),
            impact="high",
            urgency="medium",
        )
        self.assertEqual(response.status_code, 302)
        self.assertEqual(self._count(), (before_tickets + 1, before_attachments + 1))
        ticket = self.env["helpdesk.ticket"].search([("name", "=", "x" * 200)])
        self.assertEqual(ticket.category_id, self.category)
        self.assertEqual(ticket.team_id, self.team_software)
        self.assertEqual(ticket.system_id, self.system)
        self.assertEqual((ticket.impact, ticket.urgency), ("high", "medium"))

    def test_required_team_and_category(self):
        self.company.write(
            {
                "helpdesk_mgmt_portal_team_id_required": True,
                "helpdesk_mgmt_portal_category_id_required": True,
            }
        )
        before = self._count()
        response = self._submit()
        self._assert_refused(response, "Choose a team", before, count=2)
        self.assertIn("Choose a category", response.text)

    def test_bad_ticket_list_options_get_a_400(self):
        good = self.url_open("/my/tickets?sortby=name&groupby=stage&filterby=all")
        self.assertEqual(good.status_code, 200)
        for query in (
            "sortby=bogus",
            "groupby=bogus",
            "filterby=bogus",
            "filterby=999999",
            "search_in=bogus",
            "date_begin=garbage&date_end=garbage",
            "date_begin=2026-13-45&date_end=2026-12-31",
            "page=abc",
            "page=0",
            "search=bill%00ing",
        ):
            with self.subTest(query=query):
                response = self.url_open(f"/my/tickets?{query}")
                self.assertEqual(response.status_code, 400)
                self.assertIn("cannot be shown with these options", response.text)

    def test_unknown_ticket_pages_get_a_404(self):
        ticket = self._create_ticket()
        own = self.url_open(f"/my/ticket/{ticket.id}")
        self.assertEqual(own.status_code, 200)
        for path in ("abc", "999999999", "9" * 30, f"{ticket.id}x"):
            with self.subTest(path=path):
                response = self.url_open(f"/my/ticket/{path}", allow_redirects=False)
                self.assertEqual(response.status_code, 404)

    def test_done_on_a_ticket_in_intake_gets_a_plain_sentence(self):
        ticket = self._create_ticket(impact=False)  # the desk is still recording it
        stage_before = ticket.stage_id
        self.assertTrue(stage_before.unattended)
        response = self.url_open(
            "/ticket/close",
            data={
                "csrf_token": http.Request.csrf_token(self),
                "ticket_id": ticket.id,
                "stage_id": self.env.ref("helpdesk_mgmt.helpdesk_ticket_stage_done").id,
            },
            allow_redirects=False,
        )
        self.assertEqual(response.status_code, 400)
        self.assertIn("still recording your request", response.text)
        self.assertNotIn("impact scope", response.text, "no internal checklist")
        self.assertEqual(ticket.stage_id, stage_before)

    def test_close_with_bogus_ids_gets_a_4xx(self):
        ticket = self._create_ticket()
        for ticket_id, stage_id, status in (
            ("9" * 30, "1", 404),
            ("", "", 404),
            (str(ticket.id), "9" * 30, 403),
            (str(ticket.id), "abc", 403),
        ):
            with self.subTest(ticket_id=ticket_id, stage_id=stage_id):
                response = self._post_ticket_close(ticket_id, stage_id)
                self.assertEqual(response.status_code, status)
