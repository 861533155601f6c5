from odoo import models


class ResourceCalendar(models.Model):
    _inherit = "resource.calendar"
