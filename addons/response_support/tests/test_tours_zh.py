from freezegun import freeze_time

from odoo import fields
from odoo.tests import tagged
from odoo.tools import SQL

from .common import ResponseSupportHttpCase
from .test_tours import load_chinese


@tagged("post_install", "-at_install")
class TestNoEnglishTours(ResponseSupportHttpCase):
    """With zh_CN installed and the users in zh_CN, the desk's main screens, its
    configuration and the customer's portal pages show no English: the tours
    fail on any visible Latin word that is not a code or a proper name. The
    records of the test get Chinese names, so that what is checked is the UI."""

    @classmethod
    def setUpClass(cls):
        super().setUpClass()
        load_chinese(cls.env)
        names = [
            (cls.env.company, "测试运维公司"),
            (cls.desk_user, "前台工程师"),
            (cls.engineer_user, "技术支持工程师甲"),
            (cls.manager_user, "技术支持经理甲"),
            (cls.team_software, "软件团队"),
            (cls.team_hardware, "硬件团队"),
            (cls.cat_software, "软件"),
            (cls.cat_software_app, "计费应用故障"),
            (cls.cat_hardware, "硬件"),
            (cls.cat_development, "开发"),
            (cls.calendar_5x8, "测试 5×8"),
            (cls.level_gold, "金牌测试"),
            (cls.level_silver, "银牌测试"),
            (cls.customer, "测试水务集团"),
            (cls.reporter, "李雷"),
            (cls.system, "计费系统"),
            (cls.contract, "水务运维"),
        ]
        for record, name in names:
            record.name = name
        # the screens list the test's records only (the database may hold demo data,
        # in English): the others are archived as a user would
        for record in (
            cls.team_software | cls.team_hardware,
            cls.cat_software | cls.cat_software_app | cls.cat_hardware,
            cls.level_gold | cls.level_silver,
            cls.calendar_5x8,
            cls.contract,
            cls.system,
        ):
            others = record.search([("id", "not in", record.ids)])
            cls.env.cr.execute(
                SQL(
                    "UPDATE %s SET active = false WHERE id IN %s",
                    SQL.identifier(record._table),
                    tuple(others.ids) or (0,),
                )
            )
        cls.env.cr.execute("UPDATE helpdesk_ticket SET active = false")
        cls.env.cr.execute("DELETE FROM response_support_sla_clock")
        cls.env.invalidate_all()
        (cls.desk_user | cls.engineer_user | cls.manager_user).lang = "zh_CN"
        cls.reporter.lang = "zh_CN"

    def _ticket(self, name="计费页面报错", dispatch=True):
        # recorded and dispatched by the desk in Chinese: the chatter's tracked
        # values are written in the language of who changed them
        self.env = self.env(context=dict(self.env.context, lang="zh_CN"))
        ticket = self._create_ticket(
            user=self.desk_user,
            name=name,
            description="<p>每个发票页面都返回错误。</p>",
            partner_name="李雷",
            reported_date=fields.Datetime.now(),
        )
        if dispatch:
            ticket.with_user(self.desk_user).action_dispatch()
        self._flush_tracking()
        return ticket

    @freeze_time("2026-03-02 03:00:00", tick=True)
    def test_desk_screens_have_no_english(self):
        self._ticket()
        self._ticket("打印机无法打印", dispatch=False)
        self.start_tour("/odoo", "response_support_zh_desk_screens", login="rs_desk")

    @freeze_time("2026-03-02 03:00:00", tick=True)
    def test_configuration_screens_have_no_english(self):
        self._ticket()
        # a clock answered late: the SLA report shows it breached, in red
        with freeze_time("2026-03-02 01:00:00"):
            late = self._ticket("打印机无法打印", dispatch=False)
        late.with_user(self.desk_user).action_acknowledge()
        self.assertIn("breached", late.sla_clock_ids.mapped("status"))
        self.start_tour(
            "/odoo", "response_support_zh_config_screens", login="rs_manager"
        )

    def test_manager_reporting_screens_have_no_english(self):
        self._ticket()
        # a configuration change for the log to list (the set-up's, under their
        # first, Latin names, are left out: only this test's data)
        self.env.cr.execute("DELETE FROM response_support_config_change")
        self.cat_software_app.with_user(self.manager_user).name = "计费应用错误"
        # the demo engineer's evaluation has a Latin name: only this test's data
        self.env.cr.execute("DELETE FROM response_support_evaluation")
        self.start_tour(
            "/odoo", "response_support_zh_manager_screens", login="rs_manager"
        )

    @freeze_time("2026-03-02 03:00:00", tick=True)
    def test_portal_pages_have_no_english(self):
        self._ticket()
        self._create_portal_user(
            "rs_portal_zh",
            self.reporter,
            password="rs_portal_zh",
            name="李雷",
            lang="zh_CN",
        )
        self.start_tour(
            "/my/tickets", "response_support_zh_portal_screens", login="rs_portal_zh"
        )
