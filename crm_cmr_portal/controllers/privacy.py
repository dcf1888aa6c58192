from werkzeug.exceptions import BadRequest

from odoo import fields, http
from odoo.addons.crm_relationship.controllers.helpers import commercial_partner
from odoo.addons.crm_relationship.controllers.privacy import privacy_export_response
from odoo.addons.portal.controllers.portal import CustomerPortal
from odoo.http import request
from odoo.tools import format_date

from .helpers import success_code


class CmrPrivacyPortal(CustomerPortal):
    """Privacy: download all of one's data, object to profiling, ask for erasure."""

    @http.route("/my/privacy", type="http", auth="user", website=True)
    def portal_my_privacy(self, success=None, **kw):
        values = self._prepare_portal_layout_values()
        # sudo: the user's own entity; the erasure request date is not readable by portal users
        partner_sudo = commercial_partner().sudo()
        requested_on = partner_sudo.rel_erasure_requested_on
        values.update(
            {
                "page_name": "rel_privacy",
                "partner_sudo": partner_sudo,
                "erasure_sentence": requested_on
                and request.env._(
                    "You asked us to erase your data on %(date)s. A manager is handling it.",
                    date=format_date(request.env, fields.Datetime.context_timestamp(partner_sudo, requested_on)),
                ),
                "success": success_code(success),
            }
        )
        return request.render("crm_cmr_portal.portal_my_privacy", values)

    @http.route("/my/privacy/export", type="http", auth="user", methods=["POST"], website=True)
    def portal_my_privacy_export(self, **post):
        return privacy_export_response(commercial_partner())

    @http.route("/my/privacy/profiling", type="http", auth="user", methods=["POST"], website=True)
    def portal_my_privacy_profiling(self, objection=None, **post):
        if objection not in ("yes", "no"):
            raise BadRequest(request.env._("Choose whether you object to profiling."))
        commercial_partner()._rel_set_profiling_objection(objection == "yes", "portal")
        return request.redirect(f"/my/privacy?success={'objection' if objection == 'yes' else 'objection_withdrawn'}")

    @http.route("/my/privacy/erase", type="http", auth="user", methods=["POST"], website=True)
    def portal_my_privacy_erase(self, confirm=None, **post):
        if confirm != "yes":
            raise BadRequest(request.env._("Tick the box to confirm the erasure request."))
        # sudo: the request schedules a task for a manager on the user's own entity
        commercial_partner().sudo()._rel_request_erasure(request.env.user)
        return request.redirect("/my/privacy?success=erasure")
