from odoo.tests import tagged

from .common import ResponseSupportCase


@tagged("post_install", "-at_install")
class TestChineseCalendar(ResponseSupportCase):
    pass
