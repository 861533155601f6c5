from freezegun import freeze_time

from odoo import http
from odoo.exceptions import AccessError
from odoo.tests import tagged

from .common import ResponseSupportHttpCase


class PortalIntakeCommon:
    """The portal user of the customer's contact, and another customer's system."""

    @classmethod
    def setUpClass(cls):
        super().setUpClass()
        cls.portal_user = cls._create_portal_user("rs_portal", cls.reporter)
        other = cls.env["res.partner"].create({"name": "Other Co", "is_company": True})
        cls.other_system = cls.env["response.support.system"].create(
            {"name": "Other ERP", "code": "T-OTH", "partner_id": other.id}
        )


# portal requests are reported when sent: a day of the contract's warranty phase
@freeze_time("2026-03-02 03:00:00")
@tagged("post_install", "-at_install")
class TestPortalIntake(PortalIntakeCommon, ResponseSupportHttpCase):
    def _submit(self, status=200, **values):
        data = {
            "csrf_token": http.Request.csrf_token(self),
            "subject": "Portal: billing down",
            "description": "Invoices fail",
        }
        data.update(values)
        response = self.url_open("/submitted/ticket", data=data)
        self.assertEqual(response.status_code, status)
        return self.env["helpdesk.ticket"].search(
            [("name", "=", "Portal: billing down")]
        )

    def test_form_offers_only_the_customer_systems(self):
        self.authenticate("rs_portal", "rs_portal")
        page = self.url_open("/new/ticket").text
        self.assertIn("Water Billing", page)
        self.assertNotIn("Other ERP", page)
        self.assertIn('name="impact"', page)
        self.assertIn('name="urgency"', page)

    def test_submitted_ticket_gets_system_impact_urgency_and_contract(self):
        self.authenticate("rs_portal", "rs_portal")
        ticket = self._submit(
            system=str(self.system.id), impact="high", urgency="medium"
        )
        self.assertEqual(len(ticket), 1)
        self.assertEqual(ticket.system_id, self.system)
        self.assertEqual(ticket.contract_id, self.contract)
        self.assertEqual(ticket.priority, "2")
        self.assertEqual(ticket.partner_id, self.reporter)
        self.assertEqual(ticket.reporter_organization, "Test Water Group")
        self.assertEqual(
            ticket.channel_id, self.env.ref("helpdesk_mgmt.helpdesk_ticket_channel_web")
        )

    def test_another_customer_system_id_is_refused(self):
        """Never trust the posted id: another organisation's system is not offered,
        so the form comes back and nothing is stored."""
        self.authenticate("rs_portal", "rs_portal")
        ticket = self._submit(status=400, system=str(self.other_system.id))
        self.assertFalse(ticket)
        ticket = self._submit(impact="medium")
        self.assertEqual(
            ticket.system_id, self.system, "no system chosen: the only own system"
        )
        self.assertEqual(ticket.impact, "medium")

    def test_portal_user_cannot_read_internal_fields(self):
        ticket = self._create_ticket(notes="<p>internal: customer is difficult</p>")
        portal_ticket = ticket.with_user(self.portal_user)
        self.assertEqual(portal_ticket.name, ticket.name, "the ticket is readable")
        self.assertTrue(portal_ticket.sla_status, "customers see SLA status")
        for field in ("notes", "escalation_level", "intake_missing", "scope_decision"):
            with self.subTest(field=field), self.assertRaises(AccessError):
                portal_ticket.read([field])
