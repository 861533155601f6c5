import os
import re

import polib

from odoo.modules import get_module_path
from odoo.tests import tagged
from odoo.tests.common import TransactionCase
from odoo.tools.translate import TranslationModuleReader

MODULE = "response_support"
LANG = "zh_CN"
OCCURRENCE = re.compile(r"(model|model_terms):([\w.]+),(\w+):(\w+\.[^ ]+)$")


@tagged("post_install", "-at_install")
class TestHelpdeskMgmtChinese(TransactionCase):
    """helpdesk_mgmt ships no zh_CN: its model terms come from our i18n_extra/zh_CN.po,
    which Odoo loads with our own i18n/zh_CN.po when response_support's terms load."""

    @classmethod
    def setUpClass(cls):
        super().setUpClass()
        cls.extra_path = os.path.join(
            get_module_path(MODULE), "i18n_extra", f"{LANG}.po"
        )
        cls.extra = polib.pofile(cls.extra_path)
        cls.env["res.lang"]._activate_lang(LANG)
        cls.env["ir.module.module"]._load_module_terms([MODULE], [LANG], overwrite=True)
        cls.zh = cls.env(context=dict(cls.env.context, lang=LANG))

    def _ref(self, xmlid):
        return self.zh.ref(xmlid)

    def test_menus_stages_and_channels_are_chinese(self):
        self.assertEqual(
            self._ref("helpdesk_mgmt.helpdesk_ticket_main_menu").name, "服务台"
        )
        self.assertEqual(self._ref("helpdesk_mgmt.helpdesk_ticket_menu").name, "事件")
        self.assertEqual(
            self._ref("helpdesk_mgmt.helpdesk_ticket_stage_new").name, "新建"
        )
        self.assertEqual(
            self._ref("helpdesk_mgmt.helpdesk_ticket_stage_done").name, "已关闭"
        )
        self.assertEqual(
            self._ref("helpdesk_mgmt.helpdesk_ticket_channel_web").name, "客服平台"
        )
        self.assertEqual(
            self._ref("helpdesk_mgmt.helpdesk_ticket_channel_email").name, "电子邮件"
        )
        # our own data, from i18n/zh_CN.po, loaded by the same call
        self.assertEqual(
            self._ref("response_support.helpdesk_ticket_channel_monitoring").name,
            "监控告警",
        )

    def test_ticket_field_labels_and_selections_are_chinese(self):
        fields = self.zh["helpdesk.ticket"].fields_get(
            ["stage_id", "channel_id", "user_id", "kanban_state"],
            ["string", "selection"],
        )
        self.assertEqual(fields["stage_id"]["string"], "处理阶段")
        self.assertEqual(fields["channel_id"]["string"], "渠道")
        self.assertEqual(fields["user_id"]["string"], "处理人")
        self.assertIn(("blocked", "受阻"), fields["kanban_state"]["selection"])

    def test_view_arch_and_mail_templates_are_chinese(self):
        arch = self.zh["helpdesk.ticket"].get_views([(False, "search")])["views"][
            "search"
        ]["arch"]
        self.assertIn("未处理", arch)  # the "Unattended" filter of helpdesk_mgmt
        template = self._ref("helpdesk_mgmt.closed_ticket_template")
        self.assertEqual(template.subject, "事件 {{object.number}} 已关闭。")
        self.assertIn("已关闭。", template.body_html)
        self.assertIn('<t t-out="object.display_name"', template.body_html)

    def test_every_entry_of_the_extra_file_reaches_its_record(self):
        """Each model/model_terms reference of i18n_extra/zh_CN.po is applied (records
        that do not exist in this database, e.g. demo data, are skipped)."""
        checked, missed = 0, []
        for entry in self.extra:
            for occurrence, _line in entry.occurrences:
                kind, model, field, xmlid = OCCURRENCE.match(occurrence).groups()
                record = self.zh.ref(xmlid, raise_if_not_found=False)
                if not record:
                    continue
                self.assertEqual(record._name, model, occurrence)
                value = record[field] or ""
                ok = value == entry.msgstr if kind == "model" else entry.msgstr in value
                if not ok:
                    missed.append(f"{occurrence}: {value[:80]!r}")
                checked += 1
        self.assertGreater(checked, 250)
        self.assertFalse(missed, "terms not loaded:\n" + "\n".join(missed[:20]))

    def test_every_model_term_of_helpdesk_mgmt_is_translated(self):
        """A helpdesk_mgmt upgrade that adds a menu, field or view string fails here
        until i18n_extra/zh_CN.po translates it."""
        reader = TranslationModuleReader(self.env.cr, modules=["helpdesk_mgmt"])
        terms = {
            row[4]
            for row in reader
            if row[0] == "helpdesk_mgmt" and row[1] in ("model", "model_terms")
        }
        missing = sorted(terms - {entry.msgid for entry in self.extra})
        self.assertGreater(len(terms), 200)
        self.assertFalse(
            missing,
            "helpdesk_mgmt terms missing from i18n_extra/zh_CN.po:\n"
            + "\n".join(missing[:40]),
        )

    def test_extra_file_holds_only_model_terms(self):
        """Code terms are read from the po files of the module that owns the code:
        in our i18n_extra they would never reach helpdesk_mgmt's Python or JS."""
        for entry in self.extra:
            self.assertTrue(entry.msgstr, entry.msgid)
            self.assertRegex(entry.comment, r"^module: \w+$", entry.msgid)
            self.assertTrue(entry.occurrences, entry.msgid)
            for occurrence, _line in entry.occurrences:
                self.assertRegex(occurrence, OCCURRENCE, entry.msgid)

    def test_onsite_arrival_time_and_clock_have_their_own_labels(self):
        """One English label, two meanings: the ticket's arrival time (到场时间, from
        i18n_extra) and the on-site arrival clock (到场时限, from i18n)."""
        ticket_fields = self.zh["helpdesk.ticket"].fields_get(["onsite_arrival_date"])
        self.assertEqual(ticket_fields["onsite_arrival_date"]["string"], "到场时间")
        kinds = dict(
            self.zh["response.support.sla.clock"].fields_get(["kind"])["kind"][
                "selection"
            ]
        )
        self.assertEqual(kinds["onsite"], "到场时限")
        self.assertEqual(kinds["response"], "响应时限")
        self.assertEqual(kinds["resolution"], "解决时限")
