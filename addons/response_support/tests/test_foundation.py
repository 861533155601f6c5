from freezegun import freeze_time

from odoo.exceptions import AccessError
from odoo.modules.module import get_manifest
from odoo.tests import new_test_user, tagged
from odoo.tests.common import TransactionCase

from .common import ResponseSupportCase


@freeze_time("2026-03-02 03:00:00")
@tagged("post_install", "-at_install")
class TestOnTopOfHelpdesk(ResponseSupportCase):
    """The addon extends helpdesk_mgmt's ticket, roles and views, it does not
    replace them: each assertion fails if one of those links breaks."""

    def test_installed_with_the_manifest_s_version_and_dependencies(self):
        manifest = get_manifest("response_support")
        module = self.env["ir.module.module"].search(
            [("name", "=", "response_support")]
        )
        self.assertEqual(module.state, "installed")
        self.assertEqual(module.latest_version, manifest["version"])
        self.assertEqual(
            set(module.dependencies_id.mapped("name")), set(manifest["depends"])
        )
        self.assertIn("helpdesk_mgmt", manifest["depends"])

    def test_helpdesk_mgmt_ticket_gains_the_intake_data(self):
        """A ticket created as helpdesk_mgmt creates it (number, first stage) gets
        the system, contract and SLA of this addon."""
        ticket = self.env["helpdesk.ticket"].create(
            {
                "name": "Billing down",
                "description": "<p>Invoices fail.</p>",
                "partner_id": self.reporter.id,
                "reported_date": "2026-03-02 02:00:00",
                # a team that adopts the process (helpdesk_mgmt's auto-assignment
                # may pick any team of the current user otherwise)
                "team_id": self.team_software.id,
            }
        )
        self.assertTrue(ticket.number.startswith("HT"))
        self.assertEqual(
            ticket.stage_id, self.env.ref("helpdesk_mgmt.helpdesk_ticket_stage_new")
        )
        self.assertEqual(ticket.system_id, self.system)
        self.assertEqual(ticket.contract_id, self.contract)
        self.assertEqual(ticket.sla_level_id, self.level_gold)
        self.assertTrue(ticket.sla_clock_ids)

    def test_roles_build_on_helpdesk_mgmt_groups(self):
        def implied(xmlid):
            return self.env.ref(xmlid).trans_implied_ids | self.env.ref(xmlid)

        prefix = "response_support.group_response_support_"
        engineer = implied(f"{prefix}engineer")
        self.assertIn(self.env.ref("helpdesk_mgmt.group_helpdesk_user_own"), engineer)
        self.assertNotIn(
            self.env.ref("helpdesk_mgmt.group_helpdesk_user_team"),
            engineer,
            "helpdesk_mgmt's team rule would open the desk's intake queue",
        )
        self.assertIn(
            self.env.ref("helpdesk_mgmt.group_helpdesk_user"), implied(f"{prefix}desk")
        )
        self.assertIn(
            self.env.ref("helpdesk_mgmt.group_helpdesk_manager"),
            implied(f"{prefix}manager"),
        )

    def test_helpdesk_mgmt_ticket_form_shows_the_desk_s_work(self):
        form = self.env.ref("helpdesk_mgmt.ticket_view_form")
        arch = (
            self.env["helpdesk.ticket"]
            .with_user(self.desk_user)
            .get_view(form.id, "form")["arch"]
        )
        for needle in (
            'name="system_id"',
            'name="action_dispatch_dialog"',
            "sla_clock_ids",
        ):
            with self.subTest(needle=needle):
                self.assertIn(needle, arch)


@tagged("post_install", "-at_install")
class TestFoundation(TransactionCase):
    def test_helpdesk_user_creates_and_reads_back_a_ticket(self):
        user = new_test_user(
            self.env, login="rs_hd_user", groups="helpdesk_mgmt.group_helpdesk_user"
        )
        ticket = (
            self.env["helpdesk.ticket"]
            .with_user(user)
            .create({"name": "Printer jam", "description": "<p>Paper is stuck.</p>"})
        )
        self.env.invalidate_all()
        [read] = ticket.with_user(user).read(["name", "number", "stage_id", "priority"])
        self.assertEqual(read["name"], "Printer jam")
        self.assertTrue(read["number"].startswith("HT"))
        self.assertEqual(
            read["stage_id"][0],
            self.env.ref("helpdesk_mgmt.helpdesk_ticket_stage_new").id,
        )
        self.assertEqual(
            read["priority"], "1", "no impact/urgency: the default priority"
        )

    def test_user_without_helpdesk_rights_cannot_create_tickets(self):
        user = new_test_user(self.env, login="rs_plain_user", groups="base.group_user")
        with self.assertRaises(AccessError):
            self.env["helpdesk.ticket"].with_user(user).create(
                {"name": "Not allowed", "description": "<p>x</p>"}
            )
