from freezegun import freeze_time

from odoo.tests import tagged

from .common import ResponseSupportHttpCase


def load_chinese(env):
    """Activate zh_CN and load its terms of every installed module (ours bring
    helpdesk_mgmt's from i18n_extra), as a Chinese desk's database has them."""
    env["res.lang"]._activate_lang("zh_CN")
    modules = env["ir.module.module"].search([("state", "=", "installed")])
    env["ir.module.module"]._load_module_terms(modules.mapped("name"), ["zh_CN"])


class TourCases:
    """The desk's main flows in a browser. One tour per flow serves every
    language: the subclasses run them with the users in English and in Chinese."""

    LANG = "en_US"

    @classmethod
    def setUpClass(cls):
        super().setUpClass()
        if cls.LANG != "en_US":
            load_chinese(cls.env)
        (cls.desk_user | cls.engineer_user | cls.manager_user).lang = cls.LANG
        cls.reporter.lang = cls.LANG

    def test_ticket_list_opens_in_the_browser(self):
        self.env["helpdesk.ticket"].create(
            {"name": "Tour list ticket", "description": "<p>listed</p>"}
        )
        self.start_tour("/odoo", "response_support_ticket_list", login="admin")

    # the call is reported "now": a day of the contract's warranty phase, whatever
    # the real date (tick: the browser and the server keep running)
    @freeze_time("2026-03-02 03:00:00", tick=True)
    def test_desk_engineer_records_a_call_and_dispatches_it(self):
        # helpdesk_mgmt's auto-assign gives the call to the desk user and their first
        # team: the dispatch still goes to the catalog's team and its method
        self.env.company.helpdesk_mgmt_ticket_auto_assign = True
        self.team_hardware.user_ids |= self.desk_user
        self.team_software.assign_method = "round_robin"
        self.start_tour("/odoo", "response_support_phone_intake", login="rs_desk")
        ticket = self.env["helpdesk.ticket"].search(
            [("name", "=", "Billing screen shows error 500")]
        )
        self.assertEqual(len(ticket), 1)
        self.assertEqual(ticket.partner_id, self.reporter)
        self.assertEqual(ticket.system_id, self.system)
        self.assertEqual(ticket.contract_id, self.contract)
        self.assertEqual(ticket.team_id, self.team_software)
        self.assertEqual(ticket.user_id, self.engineer_user)
        self.assertEqual(ticket.intake_outcome, "assigned")
        self.assertEqual(ticket.priority, "2", "department × high → High")
        self.assertEqual(
            ticket.channel_id,
            self.env.ref("helpdesk_mgmt.helpdesk_ticket_channel_phone"),
        )

    @freeze_time("2026-03-02 03:00:00", tick=True)
    def test_kanban_card_shows_sla_badges_and_countdown(self):
        ticket = self._create_ticket(
            name="Kanban SLA ticket", reported_date="2026-03-02 03:00:00"
        )
        ticket._write_system_fields({"escalation_level": "manager"})
        self.start_tour("/odoo", "response_support_kanban_sla", login="rs_desk")

    @freeze_time("2026-03-02 03:00:00", tick=True)
    def test_desk_dispatches_through_the_dialog(self):
        self.env.company.helpdesk_mgmt_ticket_auto_assign = True
        self.team_hardware.user_ids |= self.desk_user
        self.team_software.assign_method = "round_robin"
        ticket = self._create_ticket(
            user=self.desk_user,
            name="Dialog dispatch ticket",
            reported_date="2026-03-02 03:00:00",
            team_id=None,
            user_id=None,
        )
        self.assertEqual(ticket.team_id, self.team_hardware, "auto-assigned")
        self.start_tour("/odoo", "response_support_dispatch_dialog", login="rs_desk")
        self.assertEqual(ticket.team_id, self.team_software)
        self.assertEqual(ticket.user_id, self.engineer_user)
        self.assertEqual(ticket.intake_outcome, "assigned")

    @freeze_time("2026-03-02 03:00:00", tick=True)
    def test_customer_sees_the_sla_of_their_ticket_on_the_portal(self):
        ticket = self._create_ticket(
            name="Portal SLA ticket", reported_date="2026-03-02 03:00:00"
        )
        ticket.action_dispatch()
        self._create_portal_user(
            "rs_portal_tour", self.reporter, password="rs_portal_tour", lang=self.LANG
        )
        self.start_tour(
            "/my/tickets", "response_support_portal_sla", login="rs_portal_tour"
        )


@tagged("post_install", "-at_install")
class TestTours(TourCases, ResponseSupportHttpCase):
    LANG = "en_US"


@tagged("post_install", "-at_install")
class TestToursChinese(TourCases, ResponseSupportHttpCase):
    """The same flows with the desk, the engineers and the customer in zh_CN."""

    LANG = "zh_CN"
