from odoo.exceptions import AccessError
from odoo.tests import new_test_user, tagged
from odoo.tests.common import TransactionCase


@tagged("post_install", "-at_install")
class TestFoundation(TransactionCase):
    def test_installed_on_top_of_helpdesk_mgmt(self):
        module = self.env["ir.module.module"].search(
            [("name", "=", "response_support")]
        )
        self.assertEqual(module.state, "installed")
        self.assertEqual(module.latest_version, "18.0.1.0.0")
        self.assertTrue(
            {"helpdesk_mgmt", "resource", "portal", "mail"}
            <= set(module.dependencies_id.mapped("name"))
        )
        self.assertIn("system_id", self.env["helpdesk.ticket"]._fields)

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
