from odoo import models


class IrHttp(models.AbstractModel):
    _inherit = "ir.http"

    @classmethod
    def _get_translation_frontend_modules_name(cls):
        """The portal's ticket page shows mail's chatter ("The conversation is
        empty.", …), whose JS terms the portal does not load by itself: without
        mail here, a Chinese customer reads them in English."""
        return super()._get_translation_frontend_modules_name() + ["mail"]
