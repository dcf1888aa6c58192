from werkzeug.exceptions import NotFound

from odoo import fields, http
from odoo.http import request


def privacy_export_response(partner):
    """The zip of everything held about ``partner``'s customer entity, as a download."""
    content = request.env["crm.relationship.privacy.export"]._build(partner)
    filename = f"personal-data-{partner.commercial_partner_id.id}-{fields.Date.context_today(partner)}.zip"
    return request.make_response(
        content,
        headers=[
            ("Content-Type", "application/zip"),
            ("Content-Disposition", http.content_disposition(filename)),
            ("Cache-Control", "no-store"),
        ],
    )


class RelationshipPrivacyExport(http.Controller):
    """The Relationship Manager's download of a customer's data (the button on the customer form)."""

    @http.route("/relationship/privacy/export/<int:partner_id>", type="http", auth="user", methods=["GET"])
    def relationship_privacy_export(self, partner_id, **kw):
        if not request.env.user.has_group("crm_relationship.group_relationship_manager"):
            raise NotFound()
        partner = request.env["res.partner"].with_context(active_test=False).browse(partner_id).exists()
        if not partner:
            raise NotFound()
        return privacy_export_response(partner)
