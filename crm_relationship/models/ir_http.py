from odoo import models
from odoo.http import request


class IrHttp(models.AbstractModel):
    _inherit = "ir.http"

    @classmethod
    def _serve_fallback(cls):
        """No attachment lookup for a path holding a NUL character.

        Every 404 looks for an attachment served at the request's path; PostgreSQL refuses a NUL in the
        query, so a link such as ``/my/nps/%00`` answered 500 instead of 404.
        """
        if "\x00" in request.httprequest.path:
            return None
        return super()._serve_fallback()
