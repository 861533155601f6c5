import os

import polib

from odoo.modules import get_module_path
from odoo.tests import tagged
from odoo.tests.common import TransactionCase
from odoo.tools.translate import TranslationModuleReader

MODULE = "response_support"


@tagged("post_install", "-at_install")
class TestTranslations(TransactionCase):
    @classmethod
    def setUpClass(cls):
        super().setUpClass()
        i18n = os.path.join(get_module_path(MODULE), "i18n")
        cls.pot = polib.pofile(os.path.join(i18n, f"{MODULE}.pot"))
        cls.po = polib.pofile(os.path.join(i18n, "zh_CN.po"))

    def test_every_msgid_of_the_pot_is_translated_in_zh_cn(self):
        translated = {
            entry.msgid: entry.msgstr
            for entry in self.po
            if entry.msgstr.strip() and "fuzzy" not in entry.flags
        }
        missing = [e.msgid for e in self.pot if e.msgid not in translated]
        self.assertGreater(len(self.pot), 50, "the template lists the module's terms")
        self.assertFalse(
            missing,
            "msgids without a zh_CN translation:\n" + "\n".join(missing[:40]),
        )

    def test_the_pot_lists_every_term_of_the_module(self):
        """A string added to the code or views without regenerating the .pot fails."""
        reader = TranslationModuleReader(self.env.cr, modules=[MODULE])
        terms = {row[4] for row in reader if row[0] == MODULE}
        missing = sorted(terms - {e.msgid for e in self.pot})
        self.assertFalse(
            missing,
            "terms missing from i18n/response_support.pot (regenerate it):\n"
            + "\n".join(missing[:40]),
        )
