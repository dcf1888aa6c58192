from odoo import models


class IrHttp(models.AbstractModel):
    _inherit = "ir.http"

    @classmethod
    def _get_translation_frontend_modules_name(cls):
        """The portal loads the JavaScript terms of these modules only: without ``loyalty``, Odoo's loyalty
        card popup beside the portal home stays in English on a database without the website."""
        mods = super()._get_translation_frontend_modules_name()
        return [*mods, "loyalty"]
