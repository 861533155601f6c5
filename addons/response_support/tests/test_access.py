from odoo.exceptions import AccessError
from odoo.tests import new_test_user, tagged

from .common import ResponseSupportCase, ResponseSupportHttpCase

OPERATIONS = {"r": "read", "c": "create", "w": "write", "u": "unlink"}

# What each role may do on each model the addon defines or extends, at the level of
# access rights (ir.model.access): r(ead), c(reate), w(rite), u(nlink). Record rules
# narrow this further; the scope tests below prove them. A model of the addon missing
# here fails test_matrix_covers_every_model: declare its access when you add it.
MATRIX = {
    # tickets: portal and plain users read (rules: their own), engineers and the desk
    # work on them, only the manager deletes
    "helpdesk.ticket": {
        "portal": "r",
        "user": "r",
        "engineer": "rcw",
        "desk": "rcw",
        "manager": "rcwu",
    },
    "helpdesk.ticket.stage": {
        "portal": "r",
        "user": "r",
        "engineer": "r",
        "desk": "r",
        "manager": "rcwu",
    },
    "helpdesk.ticket.team": {
        "portal": "r",
        "user": "r",
        "engineer": "r",
        "desk": "r",
        "manager": "rcwu",
    },
    # working schedules stay settings of the administrator (base.group_system)
    "resource.calendar": {
        "portal": "",
        "user": "r",
        "engineer": "r",
        "desk": "r",
        "manager": "r",
    },
    # abstract: the SLA-term behaviour of targets, thresholds and calendar parts
    "response.support.sla.term.mixin": {
        "portal": "",
        "user": "",
        "engineer": "",
        "desk": "",
        "manager": "",
    },
    # abstract: which modules' terms the portal loads
    "ir.http": {
        "portal": "",
        "user": "",
        "engineer": "",
        "desk": "",
        "manager": "",
    },
    # working hours of the schedules: settings of the administrator, like the calendar
    "resource.calendar.attendance": {
        "portal": "",
        "user": "r",
        "engineer": "r",
        "desk": "r",
        "manager": "r",
    },
    # core: every employee records their own time off
    "resource.calendar.leaves": {
        "portal": "",
        "user": "rcwu",
        "engineer": "rcwu",
        "desk": "rcwu",
        "manager": "rcwu",
    },
    # configuration: read by every employee, maintained by the manager
    "response.support.calendar.workday": {
        "portal": "",
        "user": "r",
        "engineer": "r",
        "desk": "r",
        "manager": "rcwu",
    },
    "response.support.catalog": {
        "portal": "",
        "user": "r",
        "engineer": "r",
        "desk": "r",
        "manager": "rcwu",
    },
    "response.support.contract": {
        "portal": "",
        "user": "r",
        "engineer": "r",
        "desk": "r",
        "manager": "rcwu",
    },
    "response.support.contract.phase": {
        "portal": "",
        "user": "r",
        "engineer": "r",
        "desk": "r",
        "manager": "rcwu",
    },
    "response.support.priority.matrix": {
        "portal": "",
        "user": "r",
        "engineer": "r",
        "desk": "r",
        "manager": "rcwu",
    },
    "response.support.sla.level": {
        "portal": "",
        "user": "r",
        "engineer": "r",
        "desk": "r",
        "manager": "rcwu",
    },
    "response.support.sla.target": {
        "portal": "",
        "user": "r",
        "engineer": "r",
        "desk": "r",
        "manager": "rcwu",
    },
    "response.support.sla.threshold": {
        "portal": "",
        "user": "r",
        "engineer": "r",
        "desk": "r",
        "manager": "rcwu",
    },
    # the desk records the customers' systems at intake
    "response.support.system": {
        "portal": "",
        "user": "r",
        "engineer": "r",
        "desk": "rcw",
        "manager": "rcwu",
    },
    # system-maintained records: customers see the SLA clocks of their tickets
    "response.support.sla.clock": {
        "portal": "r",
        "user": "r",
        "engineer": "r",
        "desk": "r",
        "manager": "rcwu",
    },
    "response.support.sla.pause": {
        "portal": "",
        "user": "r",
        "engineer": "r",
        "desk": "r",
        "manager": "rcwu",
    },
    "response.support.escalation": {
        "portal": "",
        "user": "r",
        "engineer": "r",
        "desk": "r",
        "manager": "rcwu",
    },
    # wizards
    "response.support.phone.intake": {
        "portal": "",
        "user": "",
        "engineer": "",
        "desk": "rcwu",
        "manager": "rcwu",
    },
    "response.support.ticket.reassign": {
        "portal": "",
        "user": "",
        "engineer": "rcwu",
        "desk": "rcwu",
        "manager": "rcwu",
    },
    "response.support.priority.matrix.grid": {
        "portal": "",
        "user": "",
        "engineer": "",
        "desk": "",
        "manager": "rcwu",
    },
    "response.support.priority.matrix.grid.line": {
        "portal": "",
        "user": "",
        "engineer": "",
        "desk": "",
        "manager": "rcwu",
    },
    "response.support.ticket.dispatch": {
        "portal": "",
        "user": "",
        "engineer": "",
        "desk": "rcwu",
        "manager": "rcwu",
    },
    "response.support.ticket.escalate": {
        "portal": "",
        "user": "",
        "engineer": "rcwu",
        "desk": "rcwu",
        "manager": "rcwu",
    },
    # support activities (§5.2): run by the engineers and the desk, deleted by the
    # manager; portal customers read their organisation's (rules)
    "response.support.activity": {
        "portal": "r",
        "user": "",
        "engineer": "rcw",
        "desk": "rcw",
        "manager": "rcwu",
    },
    "response.support.activity.checklist": {
        "portal": "",
        "user": "",
        "engineer": "rcwu",
        "desk": "rcwu",
        "manager": "rcwu",
    },
    "response.support.activity.part": {
        "portal": "",
        "user": "",
        "engineer": "rcwu",
        "desk": "rcwu",
        "manager": "rcwu",
    },
    "response.support.activity.request": {
        "portal": "",
        "user": "",
        "engineer": "rcw",
        "desk": "rcw",
        "manager": "rcwu",
    },
    # monthly SLA reports: the managers generate them, the desk reads them, the
    # customer reads their own contracts' on the portal (rules)
    "response.support.sla.report": {
        "portal": "r",
        "user": "",
        "engineer": "",
        "desk": "r",
        "manager": "rcwu",
    },
    # the configuration change log: the managers read it, nobody writes it (the
    # tracking mixin is its only writer)
    "response.support.config.change": {
        "portal": "",
        "user": "",
        "engineer": "",
        "desk": "",
        "manager": "r",
    },
    "response.support.config.tracking.mixin": {
        "portal": "",
        "user": "",
        "engineer": "",
        "desk": "",
        "manager": "",
    },
    "response.support.legacy.issue": {
        "portal": "r",
        "user": "",
        "engineer": "rcw",
        "desk": "rcw",
        "manager": "rcwu",
    },
    "response.support.checklist.template": {
        "portal": "",
        "user": "r",
        "engineer": "r",
        "desk": "r",
        "manager": "rcwu",
    },
    # core: users are read by everyone; the skills they carry are read by every
    # employee (dispatch, helpers, planning) and maintained by the manager
    "res.users": {
        "portal": "r",
        "user": "r",
        "engineer": "r",
        "desk": "r",
        "manager": "r",
    },
    # core: extended only for the SLA report's wkhtmltopdf delay; the employees
    # read report actions (to print), only administrators change them
    "ir.actions.report": {
        "portal": "",
        "user": "r",
        "engineer": "r",
        "desk": "r",
        "manager": "r",
    },
    "response.support.skill": {
        "portal": "",
        "user": "r",
        "engineer": "r",
        "desk": "r",
        "manager": "rcwu",
    },
    # follow-up calls and the customer's opinions: recorded by the desk, read by
    # the engineers (the customer answers through the checked portal route)
    "response.support.followup": {
        "portal": "",
        "user": "",
        "engineer": "r",
        "desk": "rcw",
        "manager": "rcwu",
    },
    "response.support.customer.opinion": {
        "portal": "",
        "user": "",
        "engineer": "r",
        "desk": "rcw",
        "manager": "rcwu",
    },
    # knowledge: employees read published articles (rules), engineers write them,
    # the manager deletes; revisions are the system's log (customers: the portal
    # route shows published customer-visible articles)
    "response.support.article": {
        "portal": "",
        "user": "r",
        "engineer": "rcw",
        "desk": "rcw",
        "manager": "rcwu",
    },
    "response.support.article.revision": {
        "portal": "",
        "user": "",
        "engineer": "r",
        "desk": "r",
        "manager": "ru",
    },
    "response.support.user.skill": {
        "portal": "",
        "user": "r",
        "engineer": "r",
        "desk": "r",
        "manager": "rcwu",
    },
    # notification channels (webhooks, secrets) and routes: the manager only
    "response.support.notify.channel": {
        "portal": "",
        "user": "",
        "engineer": "",
        "desk": "",
        "manager": "rcwu",
    },
    "response.support.notify.route": {
        "portal": "",
        "user": "",
        "engineer": "",
        "desk": "",
        "manager": "rcwu",
    },
    # the outbox and the delivery log are written by the system; the manager
    # reads them, requeues or purges
    "response.support.notification": {
        "portal": "",
        "user": "",
        "engineer": "",
        "desk": "",
        "manager": "rwu",
    },
    "response.support.notify.delivery": {
        "portal": "",
        "user": "",
        "engineer": "",
        "desk": "",
        "manager": "ru",
    },
    # monitoring alerts: managers configure sources and rules, the desk reads them
    # and triages alerts and maintains maintenance windows; engineers read alerts
    # (rule: of the tickets they can read) and maintenance windows
    "response.support.alert.source": {
        "portal": "",
        "user": "",
        "engineer": "",
        "desk": "r",
        "manager": "rcwu",
    },
    "response.support.alert.rule": {
        "portal": "",
        "user": "",
        "engineer": "",
        "desk": "r",
        "manager": "rcwu",
    },
    "response.support.alert": {
        "portal": "",
        "user": "",
        "engineer": "r",
        "desk": "rw",
        "manager": "rcwu",
    },
    "response.support.silence": {
        "portal": "",
        "user": "",
        "engineer": "r",
        "desk": "rcwu",
        "manager": "rcwu",
    },
    "response.support.alert.triage": {
        "portal": "",
        "user": "",
        "engineer": "",
        "desk": "rcwu",
        "manager": "rcwu",
    },
    # service KPIs: the managers' report (SQL view, read only)
    "response.support.report.kpi": {
        "portal": "",
        "user": "",
        "engineer": "",
        "desk": "",
        "manager": "r",
    },
    # evaluations: engineers (and the desk) read their own (rule), managers write
    "response.support.evaluation": {
        "portal": "",
        "user": "",
        "engineer": "r",
        "desk": "r",
        "manager": "rcwu",
    },
    # abstract: the supervision board checks the manager group itself
    "response.support.board": {
        "portal": "",
        "user": "",
        "engineer": "",
        "desk": "",
        "manager": "",
    },
}


class AccessCommon:
    """The roles of the matrix, with a customer of their own for the portal user."""

    @classmethod
    def setUpClass(cls):
        super().setUpClass()
        cls.plain_user = new_test_user(
            cls.env, login="rs_plain", groups="base.group_user"
        )
        cls.portal_user = cls._create_portal_user("rs_portal_a", cls.reporter)
        cls.roles = {
            "portal": cls.portal_user,
            "user": cls.plain_user,
            "engineer": cls.engineer_user,
            "desk": cls.desk_user,
            "manager": cls.manager_user,
        }
        cls.customer_b = cls.env["res.partner"].create(
            {"name": "Test Gas Company", "is_company": True}
        )
        cls.reporter_b = cls.env["res.partner"].create(
            {
                "name": "Han Meimei",
                "parent_id": cls.customer_b.id,
                "email": "han.meimei@gas.example.com",
            }
        )

    def _addon_models(self):
        """Every model the addon defines or extends: those with an ``ir.model``
        record under its name."""
        data = self.env["ir.model.data"].search(
            [("module", "=", "response_support"), ("model", "=", "ir.model")]
        )
        return set(self.env["ir.model"].browse(data.mapped("res_id")).mapped("model"))


@tagged("post_install", "-at_install")
class TestAccessMatrix(AccessCommon, ResponseSupportCase):
    def test_matrix_covers_every_model(self):
        models = self._addon_models()
        self.assertIn("helpdesk.ticket", models)
        self.assertFalse(
            models - set(MATRIX),
            "Declare in MATRIX (test_access.py) what each role may do on these models",
        )
        self.assertFalse(
            set(MATRIX) - models, "MATRIX names models the addon no longer has"
        )
        for model, rights in MATRIX.items():
            self.assertEqual(set(rights), set(self.roles), model)

    def _assert_role_matrix(self, role):
        user = self.roles[role]
        for model, rights in MATRIX.items():
            records = self.env[model].with_user(user)
            for letter, operation in OPERATIONS.items():
                with self.subTest(model=model, operation=operation):
                    if letter in rights[role]:
                        records.check_access(operation)
                    else:
                        with self.assertRaises(AccessError):
                            records.check_access(operation)

    def test_matrix_portal(self):
        self._assert_role_matrix("portal")

    def test_matrix_internal_user(self):
        self._assert_role_matrix("user")

    def test_matrix_engineer(self):
        self._assert_role_matrix("engineer")

    def test_matrix_desk(self):
        self._assert_role_matrix("desk")

    def test_matrix_manager(self):
        self._assert_role_matrix("manager")

    def test_configuration_by_record(self):
        """Real operations agree with the matrix: the desk records a system but
        does not delete it, an engineer changes no configuration, the manager
        maintains the catalog."""
        system = self.system.with_user(self.desk_user)
        system.description = "Hosted in the customer's data centre"
        with self.assertRaises(AccessError):
            system.unlink()
        with self.assertRaises(AccessError):
            self.contract.with_user(self.engineer_user).name = "Renamed"
        with self.assertRaises(AccessError):
            self.level_gold.with_user(self.desk_user).name = "Platinum"
        Catalog = self.env["response.support.catalog"].with_user(self.manager_user)
        entry = Catalog.create({"name": "Network", "code": "T-NET"})
        entry.unlink()
        self.assertFalse(entry.exists())

    def test_internal_user_sees_only_own_tickets(self):
        """A plain employee reads the tickets they reported or follow, nothing else,
        and cannot create one."""
        employee_ticket = self._create_ticket(partner_id=self.plain_user.partner_id.id)
        other = self._create_ticket(name="Somebody else's problem")
        Ticket = self.env["helpdesk.ticket"].with_user(self.plain_user)
        self.assertEqual(Ticket.search([]), employee_ticket)
        with self.assertRaises(AccessError):
            other.with_user(self.plain_user).read(["name"])
        with self.assertRaises(AccessError):
            Ticket.create(self._complete_vals())


@tagged("post_install", "-at_install")
class TestEngineerScope(AccessCommon, ResponseSupportCase):
    @classmethod
    def setUpClass(cls):
        super().setUpClass()
        cls._add_hardware_engineer()

    def setUp(self):
        super().setUp()
        self.team_ticket = self._create_ticket(
            name="Software: queue of my team", team_id=self.team_software.id
        )
        self.assigned_ticket = self._create_ticket(
            name="Hardware: assigned to me",
            team_id=self.team_hardware.id,
            user_id=self.engineer_user.id,
        )
        self.other_team_ticket = self._create_ticket(
            name="Hardware: someone else's",
            team_id=self.team_hardware.id,
            user_id=self.hw_engineer.id,
        )
        self.intake_ticket = self._create_ticket(name="Desk: not dispatched yet")
        self.recorded_ticket = self._create_ticket(
            user=self.engineer_user, name="Called me directly"
        )

    def test_engineer_sees_team_assigned_and_recorded_tickets(self):
        self.assertEqual(self.assigned_ticket.user_id, self.engineer_user)
        visible = self.env["helpdesk.ticket"].with_user(self.engineer_user).search([])
        self.assertEqual(
            visible,
            self.team_ticket | self.assigned_ticket | self.recorded_ticket,
        )
        self.team_ticket.with_user(self.engineer_user).write({"impact": "high"})
        self.assigned_ticket.with_user(self.engineer_user).read(["name"])

    def test_engineer_does_not_see_other_teams_or_the_intake_queue(self):
        for ticket in (self.other_team_ticket, self.intake_ticket):
            as_engineer = ticket.with_user(self.engineer_user)
            with self.assertRaises(AccessError):
                as_engineer.read(["name"])
            with self.assertRaises(AccessError):
                as_engineer.write({"impact": "high"})

    def test_helper_sees_the_ticket_they_were_pulled_into(self):
        ticket = self.other_team_ticket.with_user(self.engineer_user)
        with self.assertRaises(AccessError):
            ticket.read(["name"])
        self.other_team_ticket.with_user(self.manager_user).helper_user_ids = [
            (4, self.engineer_user.id)
        ]
        self.assertEqual(ticket.read(["name"])[0]["name"], "Hardware: someone else's")

    def test_desk_and_manager_see_every_ticket(self):
        every = (
            self.team_ticket
            | self.assigned_ticket
            | self.other_team_ticket
            | self.intake_ticket
            | self.recorded_ticket
        )
        for user in (self.desk_user, self.manager_user):
            found = self.env["helpdesk.ticket"].with_user(user).search([])
            self.assertEqual(found & every, every, user.login)


@tagged("post_install", "-at_install")
class TestPortalIsolation(AccessCommon, ResponseSupportHttpCase):
    @classmethod
    def setUpClass(cls):
        super().setUpClass()
        cls.portal_user_b = cls._create_portal_user("rs_portal_b", cls.reporter_b)

    def setUp(self):
        super().setUp()
        self.ticket_a = self._create_ticket(name="Water billing invoices fail")
        self.ticket_b = self._create_ticket(
            name="Gas SCADA telemetry offline",
            partner_id=self.reporter_b.id,
            partner_name="Han Meimei",
            partner_email="han.meimei@gas.example.com",
            system_id=False,
        )
        self.clock_b = self.env["response.support.sla.clock"].create(
            {
                "ticket_id": self.ticket_b.id,
                "kind": "response",
                "start_date": "2026-03-02 02:00:00",
            }
        )

    # ------------------------------------------------------------------ ORM

    def test_portal_reads_own_organisation_tickets_only(self):
        Ticket = self.env["helpdesk.ticket"].with_user(self.portal_user)
        self.assertEqual(Ticket.search([]), self.ticket_a)
        with self.assertRaises(AccessError):
            self.ticket_b.with_user(self.portal_user).read(["name"])
        with self.assertRaises(AccessError):
            self.ticket_a.with_user(self.portal_user).write({"name": "Hacked"})

    def test_colleague_of_the_same_organisation_sees_the_ticket(self):
        colleague = self.env["res.partner"].create(
            {"name": "Wang Fang", "parent_id": self.customer.id}
        )
        ticket = self._create_ticket(
            name="Colleague's request", partner_id=colleague.id
        )
        Ticket = self.env["helpdesk.ticket"].with_user(self.portal_user)
        self.assertEqual(Ticket.search([]), self.ticket_a | ticket)

    def test_portal_reads_the_sla_clocks_of_own_tickets_only(self):
        clocks_a = self.ticket_a.sla_clock_ids
        self.assertTrue(clocks_a, "the ticket is under contract: its clocks run")
        Clock = self.env["response.support.sla.clock"].with_user(self.portal_user)
        self.assertEqual(Clock.search([]), clocks_a)
        clocks_a.with_user(self.portal_user).read(["status", "deadline"])
        with self.assertRaises(AccessError):
            self.clock_b.with_user(self.portal_user).read(["status"])
        with self.assertRaises(AccessError):
            clocks_a.with_user(self.portal_user).write({"target_minutes": 99999})

    # ------------------------------------------------------------------ HTTP

    def test_ticket_page_of_another_customer_is_not_shown(self):
        token_a = self.ticket_a._portal_ensure_token()  # valid, but for another ticket
        self.authenticate("rs_portal_a", "rs_portal_a")
        own = self.url_open(f"/my/ticket/{self.ticket_a.id}")
        self.assertEqual(own.status_code, 200)
        self.assertIn("Water billing invoices fail", own.text)
        for url in (
            f"/my/ticket/{self.ticket_b.id}",
            f"/my/ticket/{self.ticket_b.id}?access_token=guessed-token",
            f"/my/ticket/{self.ticket_b.id}?access_token={token_a}",
        ):
            with self.subTest(url=url):
                response = self.url_open(url, allow_redirects=False)
                self.assertIn(response.status_code, (303, 403, 404))
                self.assertNotIn("Gas SCADA telemetry offline", response.text)
                followed = self.url_open(url)
                self.assertNotIn("Gas SCADA telemetry offline", followed.text)
        listing = self.url_open("/my/tickets")
        self.assertIn("Water billing invoices fail", listing.text)
        self.assertNotIn("Gas SCADA telemetry offline", listing.text)

    def test_wrong_access_token_without_login_gives_no_data(self):
        token = self.ticket_b._portal_ensure_token()
        shared = self.url_open(f"/my/ticket/{self.ticket_b.id}?access_token={token}")
        self.assertIn("Gas SCADA telemetry offline", shared.text, "a shared link works")
        for wrong in (
            "",
            "guessed-token",
            token[:-1] + ("1" if token[-1] == "0" else "0"),
        ):
            with self.subTest(token=wrong):
                response = self.url_open(
                    f"/my/ticket/{self.ticket_b.id}?access_token={wrong}",
                    allow_redirects=False,
                )
                self.assertIn(response.status_code, (302, 303, 403, 404))
                self.assertNotIn("Gas SCADA telemetry offline", response.text)

    def test_portal_closes_own_ticket(self):
        self.authenticate("rs_portal_a", "rs_portal_a")
        page = self.url_open(f"/my/ticket/{self.ticket_a.id}").text
        self.assertIn('action="/ticket/close"', page)
        self.assertIn('method="POST"', page)
        response = self._post_ticket_close(self.ticket_a.id, self.stage_cancelled.id)
        self.assertEqual(response.status_code, 302)
        self.assertTrue(
            response.headers["Location"].endswith(f"/my/ticket/{self.ticket_a.id}")
        )
        self.assertEqual(self.ticket_a.stage_id, self.stage_cancelled)

    def test_portal_cannot_close_another_customer_ticket(self):
        """OCA/helpdesk#1089: the posted id is checked against the user's rights."""
        stage_before = self.ticket_b.stage_id
        self.authenticate("rs_portal_a", "rs_portal_a")
        for ticket_id in (self.ticket_b.id, 999999999, "x"):
            with self.subTest(ticket_id=ticket_id):
                response = self._post_ticket_close(ticket_id, self.stage_cancelled.id)
                self.assertEqual(response.status_code, 404)
                self.assertNotIn("Gas SCADA telemetry offline", response.text)
        self.assertEqual(self.ticket_b.stage_id, stage_before)

    def test_portal_cannot_move_own_ticket_to_another_stage(self):
        stage_before = self.ticket_a.stage_id
        self.authenticate("rs_portal_a", "rs_portal_a")
        response = self._post_ticket_close(self.ticket_a.id, self.stage_progress.id)
        self.assertEqual(response.status_code, 403)
        self.assertEqual(self.ticket_a.stage_id, stage_before)

    def test_close_is_not_a_link(self):
        """A GET (a link in a mail, an image) must not change a ticket."""
        stage_before = self.ticket_a.stage_id
        self.authenticate("rs_portal_a", "rs_portal_a")
        response = self.url_open(
            f"/ticket/close?ticket_id={self.ticket_a.id}"
            f"&stage_id={self.stage_cancelled.id}",
            allow_redirects=False,
        )
        self.assertEqual(response.status_code, 405)
        self.assertEqual(self.ticket_a.stage_id, stage_before)


@tagged("post_install", "-at_install")
class TestMultiCompany(AccessCommon, ResponseSupportCase):
    @classmethod
    def setUpClass(cls):
        super().setUpClass()
        cls.company_b = cls.env["res.company"].create({"name": "RS Company B"})
        cls.manager_both = new_test_user(
            cls.env,
            login="rs_manager_both",
            groups="response_support.group_response_support_manager",
            company_id=cls.company.id,
            company_ids=[(6, 0, (cls.company | cls.company_b).ids)],
        )
        cls.records_b = cls._create_company_b_records()

    @classmethod
    def _create_company_b_records(cls):
        """One record of each model of the addon in company B."""
        env = cls.env
        company_b = cls.company_b.id
        calendar = env["resource.calendar"].create(
            {"name": "B 5x8", "company_id": company_b, "tz": "Asia/Shanghai"}
        )
        workday = env["response.support.calendar.workday"].create(
            {"calendar_id": calendar.id, "date": "2026-02-14", "name": "Make-up"}
        )
        level = env["response.support.sla.level"].create(
            {
                "name": "B Gold",
                "company_id": company_b,
                "calendar_id": calendar.id,
                "target_ids": [
                    (
                        0,
                        0,
                        {
                            "priority": p,
                            "response_minutes": 30,
                            "resolution_minutes": 240,
                        },
                    )
                    for p in ("0", "1", "2", "3")
                ],
                "threshold_ids": [(0, 0, {"percent": 80})],
            }
        )
        catalog = env["response.support.catalog"].create(
            {"name": "B Software", "code": "B-SW", "company_id": company_b}
        )
        system = env["response.support.system"].create(
            {
                "name": "Gas Billing",
                "code": "B-GB",
                "partner_id": cls.customer_b.id,
                "company_id": company_b,
            }
        )
        contract = env["response.support.contract"].create(
            {
                "name": "Gas O&M",
                "partner_id": cls.customer_b.id,
                "company_id": company_b,
                "system_ids": [(6, 0, system.ids)],
                "phase_ids": [
                    (
                        0,
                        0,
                        {
                            "phase": "service",
                            "date_start": "2026-01-01",
                            "date_end": "2026-12-31",
                            "sla_level_id": level.id,
                            "catalog_ids": [(6, 0, catalog.ids)],
                        },
                    )
                ],
            }
        )
        matrix = env["response.support.priority.matrix"].create(
            {
                "impact": "high",
                "urgency": "high",
                "priority": "3",
                "company_id": company_b,
            }
        )
        ticket = env["helpdesk.ticket"].create(
            {
                "name": "Gas billing is down",
                "description": "<p>All invoices fail.</p>",
                "company_id": company_b,
                "partner_id": cls.reporter_b.id,
                "system_id": system.id,
                "catalog_id": catalog.id,
                "reported_date": "2026-03-02 02:00:00",
            }
        )
        resolved = env["helpdesk.ticket"].create(
            {
                "name": "Gas meter readings are wrong",
                "description": "<p>Readings doubled.</p>",
                "team_id": False,
                "company_id": company_b,
                "partner_id": cls.reporter_b.id,
                "system_id": system.id,
                "stage_id": cls.env.ref(
                    "response_support.helpdesk_ticket_stage_resolved"
                ).id,
                "resolution": "<p>Re-imported the readings.</p>",
                "resolution_cause": "<p>A truncated import file.</p>",
            }
        )
        followup = env["response.support.followup"].create(
            {
                "ticket_id": resolved.id,
                "result": "unreached",
                "opinion_ids": [(0, 0, {"description": "Call before noon"})],
            }
        )
        article = env["response.support.article"].create(
            {"name": "B meter import", "company_id": company_b, "solution": "<p>a</p>"}
        )
        article.solution = "<p>b</p>"  # a revision
        clock = ticket.sla_clock_ids[:1] or env["response.support.sla.clock"].create(
            {"ticket_id": ticket.id, "kind": "response", "start_date": "2026-03-02"}
        )
        pause = env["response.support.sla.pause"].create(
            {"clock_id": clock.id, "start_date": "2026-03-02 03:00:00"}
        )
        escalation = env["response.support.escalation"].create(
            {
                "ticket_id": ticket.id,
                "from_level": "engineer",
                "to_level": "manager",
                "reason": "Needs the manager",
            }
        )
        channel = env["response.support.notify.channel"].create(
            {
                "name": "B robot",
                "kind": "wecom",
                "webhook_url": "http://127.0.0.1/b",
                "company_id": company_b,
                "route_ids": [(0, 0, {"event": "sla_breach"})],
            }
        )
        notification = env["response.support.notification"].create(
            {"channel_id": channel.id, "event": "sla_breach", "title": "B breach"}
        )
        delivery = env["response.support.notify.delivery"].create(
            {
                "channel_id": channel.id,
                "date": "2026-03-02 03:00:00",
                "state": "sent",
                "notification_ids": [(6, 0, notification.ids)],
            }
        )
        skill = env["response.support.skill"].create(
            {"name": "B Mainframe", "company_id": company_b}
        )
        user_skill = env["response.support.user.skill"].create(
            {"user_id": env.user.id, "skill_id": skill.id, "level": 3}
        )
        source = env["response.support.alert.source"].create(
            {
                "name": "B Zabbix",
                "code": "b-zabbix",
                "kind": "zabbix",
                "company_id": company_b,
                "system_id": system.id,
                "rule_ids": [(0, 0, {"name": "B critical", "conditions": "x=y"})],
            }
        )
        alert = env["response.support.alert"].create(
            {
                "name": "Gas DB down",
                "source_id": source.id,
                "company_id": company_b,
                "dedup_key": "event:1",
                "status": "firing",
                "first_seen": "2026-03-02 02:00:00",
                "last_seen": "2026-03-02 02:00:00",
            }
        )
        silence = env["response.support.silence"].create(
            {
                "name": "B patch night",
                "system_id": system.id,
                "date_start": "2026-03-03 14:00:00",
                "date_end": "2026-03-03 16:00:00",
            }
        )
        activity = env["response.support.activity"].create(
            {"ticket_id": ticket.id, "mode": "hotline", "user_ids": [(6, 0, [])]}
        )
        request = env["response.support.activity.request"].create(
            {"activity_id": activity.id, "description": "Also look at the printer"}
        )
        issue = env["response.support.legacy.issue"].create(
            {"activity_id": activity.id, "name": "Disk to replace"}
        )
        part = env["response.support.activity.part"].create(
            {"activity_id": activity.id, "name": "B pressure sensor"}
        )
        template = env["response.support.checklist.template"].create(
            {"name": "B safety shoes", "company_id": company_b}
        )
        evaluation = env["response.support.evaluation"].create(
            {
                "user_id": cls.engineer_user.id,
                "company_id": company_b,
                "date_from": "2026-03-01",
            }
        )
        sla_report = env["response.support.sla.report"].create(
            {"contract_id": contract.id, "month": "2026-03-01"}
        )
        config_change = env["response.support.config.change"].search(
            [("res_model", "=", catalog._name), ("res_id", "=", catalog.id)]
        )
        return {
            "response.support.evaluation": evaluation,
            "response.support.sla.report": sla_report,
            "response.support.config.change": config_change,
            "response.support.alert.source": source,
            "response.support.alert.rule": source.rule_ids,
            "response.support.alert": alert,
            "response.support.silence": silence,
            "response.support.activity": activity,
            "response.support.activity.checklist": activity.checklist_ids[:1],
            "response.support.activity.request": request,
            "response.support.activity.part": part,
            "response.support.legacy.issue": issue,
            "response.support.checklist.template": template,
            "response.support.notify.channel": channel,
            "response.support.notify.route": channel.route_ids,
            "response.support.notification": notification,
            "response.support.notify.delivery": delivery,
            "response.support.skill": skill,
            "response.support.user.skill": user_skill,
            "response.support.calendar.workday": workday,
            "response.support.sla.level": level,
            "response.support.sla.target": level.target_ids[:1],
            "response.support.sla.threshold": level.threshold_ids[:1],
            "response.support.catalog": catalog,
            "response.support.system": system,
            "response.support.contract": contract,
            "response.support.contract.phase": contract.phase_ids[:1],
            "response.support.priority.matrix": matrix,
            "helpdesk.ticket": ticket,
            "response.support.sla.clock": clock,
            "response.support.sla.pause": pause,
            "response.support.escalation": escalation,
            "response.support.followup": followup,
            "response.support.customer.opinion": followup.opinion_ids,
            "response.support.article": article,
            "response.support.article.revision": article.revision_ids,
        }

    def _stored_models(self):
        """The models the addon defines that store records (not wizards)."""
        return {
            model
            for model in self._addon_models()
            if self.env[model]._original_module == "response_support"
            and self.env[model]._auto
            and not self.env[model]._transient
        }

    def _models_without_company_rule(self, models):
        """Those of ``models`` without an active global rule, for reading, whose
        domain filters on the user's companies (``company_ids``)."""
        rules = self.env["ir.rule"].search(
            [
                ("model_id.model", "in", list(models)),
                ("global", "=", True),
                ("perm_read", "=", True),
            ]
        )
        covered = {
            rule.model_id.model
            for rule in rules
            if "company_ids" in (rule.domain_force or "")
        }
        return set(models) - covered

    def test_every_stored_model_has_a_company_rule(self):
        """Nothing crosses companies: each stored model of the addon, declared in
        MATRIX or not, has a global multi-company rule (a new model needs one)
        and a company B record in the tests below."""
        stored = self._stored_models()
        self.assertIn("response.support.sla.clock", stored)
        self.assertFalse(
            self._models_without_company_rule(stored),
            "Add a global multi-company rule (company_ids) for these models",
        )
        self.assertFalse(
            stored - set(self.records_b),
            "Add a company B record of these models to the multi-company test",
        )

    def test_a_model_without_company_rule_is_reported(self):
        """The check above can fail: without its rule, a model is reported."""
        model = "response.support.escalation"
        self.assertFalse(self._models_without_company_rule({model}))
        self.env.ref(
            "response_support.response_support_escalation_rule_company"
        ).active = False
        self.assertEqual(self._models_without_company_rule({model}), {model})
        # a group rule mentioning companies is no multi-company rule
        self.env["ir.rule"].create(
            {
                "name": "Escalations: only some users",
                "model_id": self.env["ir.model"]._get_id(model),
                "groups": [(4, self.env.ref("base.group_user").id)],
                "domain_force": "[('company_id', 'in', company_ids)]",
            }
        )
        self.assertEqual(self._models_without_company_rule({model}), {model})

    def test_company_a_users_see_nothing_of_company_b(self):
        for model, record in self.records_b.items():
            self.assertTrue(record, model)
            with self.subTest(model=model):
                as_manager_a = record.with_user(self.manager_user)
                self.assertFalse(
                    self.env[model]
                    .with_user(self.manager_user)
                    .search([("id", "=", record.id)])
                )
                with self.assertRaises(AccessError):
                    as_manager_a.read(["create_date"])

    def test_user_of_both_companies_sees_company_b(self):
        both = (self.company | self.company_b).ids
        for model, record in self.records_b.items():
            with self.subTest(model=model):
                Model = (
                    self.env[model]
                    .with_user(self.manager_both)
                    .with_context(allowed_company_ids=both)
                )
                self.assertEqual(Model.search([("id", "=", record.id)]), record)
