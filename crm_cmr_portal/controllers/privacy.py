from werkzeug.exceptions import BadRequest

from odoo import fields, http
from odoo.addons.crm_relationship.controllers.helpers import commercial_partner
from odoo.addons.portal.controllers.portal import CustomerPortal
from odoo.http import request

from .helpers import success_code


class CmrPrivacyPortal(CustomerPortal):
    """Privacy: download all of one's data, ask for its erasure."""

    @http.route("/my/privacy", type="http", auth="user", website=True)
    def portal_my_privacy(self, success=None, **kw):
        values = self._prepare_portal_layout_values()
        # sudo: the user's own entity; the erasure request date is not readable by portal users
        values.update(
            {
                "page_name": "rel_privacy",
                "partner_sudo": commercial_partner().sudo(),
                "success": success_code(success),
            }
        )
        return request.render("crm_cmr_portal.portal_my_privacy", values)

    @http.route("/my/privacy/export", type="http", auth="user", methods=["POST"], website=True)
    def portal_my_privacy_export(self, **post):
        partner = commercial_partner()
        # sudo: the export gathers the user's own records across models portal users cannot read in full
        content = partner.sudo()._rel_privacy_export()
        filename = f"my-data-{fields.Date.context_today(partner)}.zip"
        return request.make_response(
            content,
            headers=[
                ("Content-Type", "application/zip"),
                ("Content-Disposition", http.content_disposition(filename)),
                ("Cache-Control", "no-store"),
            ],
        )

    @http.route("/my/privacy/erase", type="http", auth="user", methods=["POST"], website=True)
    def portal_my_privacy_erase(self, confirm=None, **post):
        if confirm != "yes":
            raise BadRequest(request.env._("Tick the box to confirm the erasure request."))
        # sudo: the request schedules a task for a manager on the user's own entity
        commercial_partner().sudo()._rel_request_erasure(request.env.user)
        return request.redirect("/my/privacy?success=erasure")
