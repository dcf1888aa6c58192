from werkzeug.exceptions import NotFound

from odoo import http
from odoo.addons.portal.controllers.portal import CustomerPortal
from odoo.addons.portal.controllers.portal import pager as portal_pager
from odoo.exceptions import AccessError, MissingError, UserError, ValidationError
from odoo.http import request

from .helpers import (
    MAX_RECORD_ID,
    attachment_values,
    check_rate,
    clean_int,
    clean_text,
    clean_token,
    commercial_partner,
    count_own,
    error_message,
    success_code,
)


class CmrComplaintPortal(CustomerPortal):
    """The customer's complaints: list, new complaint with files, follow-up, reopening."""

    def _prepare_home_portal_values(self, counters):
        values = super()._prepare_home_portal_values(counters)
        if "rel_complaint_count" in counters:
            values["rel_complaint_count"] = count_own("crm.complaint")
        return values

    def _rel_complaint_sortings(self):
        return {
            "date": {"label": request.env._("Newest"), "order": "create_date desc, id desc"},
            "name": {"label": request.env._("Reference"), "order": "name desc"},
            "stage": {"label": request.env._("Stage"), "order": "stage_id, id desc"},
            "deadline": {"label": request.env._("Promised By"), "order": "sla_resolution_deadline asc, id desc"},
        }

    def _rel_complaint_filters(self):
        return {
            "all": {"label": request.env._("All"), "domain": []},
            "open": {"label": request.env._("Open"), "domain": [("is_closed", "=", False)]},
            "closed": {"label": request.env._("Closed"), "domain": [("is_closed", "=", True)]},
        }

    @http.route(["/my/complaints", "/my/complaints/page/<int:page>"], type="http", auth="user", website=True)
    def portal_my_complaints(self, page=1, sortby="date", filterby="all", **kw):
        Complaint = request.env["crm.complaint"]
        sortings = self._rel_complaint_sortings()
        filters = self._rel_complaint_filters()
        sortby = sortby if sortby in sortings else "date"
        filterby = filterby if filterby in filters else "all"
        domain = [("commercial_partner_id", "=", commercial_partner().id), *filters[filterby]["domain"]]
        pager = portal_pager(
            url="/my/complaints",
            url_args={"sortby": sortby, "filterby": filterby},
            total=Complaint.search_count(domain),
            page=page,
            step=self._items_per_page,
        )
        complaints = Complaint.search(
            domain, order=sortings[sortby]["order"], limit=self._items_per_page, offset=pager["offset"]
        )
        request.session["my_complaints_history"] = complaints.ids[:100]
        values = self._prepare_portal_layout_values()
        values.update(
            {
                "page_name": "rel_complaint",
                "complaints": complaints,
                "pager": pager,
                "default_url": "/my/complaints",
                "searchbar_sortings": sortings,
                "sortby": sortby,
                "searchbar_filters": filters,
                "filterby": filterby,
            }
        )
        return request.render("crm_relationship.portal_my_complaints", values)

    def _rel_complaint_form_values(self, error=None, form=None):
        partner = commercial_partner()
        values = self._prepare_portal_layout_values()
        values.update(
            {
                "page_name": "rel_complaint_new",
                "categories": request.env["crm.complaint.category"].search([]),
                # sudo: the orders are searched with the user's rights; their lines and products are shown
                # the way Odoo's own order portal shows them
                "orders": request.env["sale.order"]
                .search([("partner_id", "child_of", partner.id), ("state", "=", "sale")], limit=100)
                .sudo(),
                "error": error,
                "form": form or {},
            }
        )
        return values

    @http.route("/my/complaints/new", type="http", auth="user", methods=["GET"], website=True)
    def portal_my_complaint_new(self, **kw):
        return request.render("crm_relationship.portal_my_complaint_new", self._rel_complaint_form_values())

    @http.route("/my/complaints/new", type="http", auth="user", methods=["POST"], website=True)
    def portal_my_complaint_submit(self, **post):
        env = request.env
        partner = commercial_partner()
        try:
            subject = clean_text(post.get("subject"), "short", required=True, label=env._("Subject"))
            description = clean_text(post.get("description"), "long", required=True, label=env._("Description"))
            category_id = clean_int(post.get("category_id"), env._("Category"))
            category = env["crm.complaint.category"].browse(category_id).exists() if category_id else False
            if category_id and not category:
                raise ValidationError(env._("Choose a category from the list."))
            order_id = clean_int(post.get("sale_order_id"), env._("Order"))
            order = env["sale.order"].browse(order_id).exists() if order_id else env["sale.order"]
            if order_id and (not order or order.partner_id.commercial_partner_id != partner):
                raise ValidationError(env._("Choose one of your orders."))
            product_id = clean_int(post.get("product_id"), env._("Product"))
            # sudo: customers cannot read products; the product must be on their own order
            if product_id and (not order or product_id not in order.sudo().order_line.product_id.ids):
                raise ValidationError(env._("Choose a product of the selected order."))
            attachments = attachment_values(request.httprequest.files.getlist("attachments"))
            check_rate("crm.complaint")
            # sudo: the model's checks read the order's products, which customers cannot read; every value
            # was checked above to belong to the user, who stays the author (create_uid) of the complaint
            complaint = (
                env["crm.complaint"]
                .sudo()
                .create(
                    {
                        "subject": subject,
                        "description": description,
                        "partner_id": env.user.partner_id.id,
                        "category_id": category.id if category else False,
                        "sale_order_id": order.id,
                        "product_id": product_id or False,
                        "channel": "portal",
                    }
                )
            )
            if attachments:
                # sudo: portal users cannot create attachments; these were checked for size and type above
                records = (
                    env["ir.attachment"]
                    .sudo()
                    .create([{**att, "res_model": "crm.complaint", "res_id": complaint.id} for att in attachments])
                )
                complaint.sudo().message_post(
                    body=env._("Files attached by the customer."),
                    attachment_ids=records.ids,
                    author_id=env.user.partner_id.id,
                    message_type="comment",
                    subtype_xmlid="mail.mt_note",
                )
        except (UserError, ValidationError) as error:
            env.cr.rollback()
            form = {k: v for k, v in post.items() if isinstance(v, str)}
            values = self._rel_complaint_form_values(error=error_message(error), form=form)
            return request.render("crm_relationship.portal_my_complaint_new", values, status=400)
        return request.redirect(f"/my/complaints/{complaint.id}?success=created")

    def _rel_complaint_check(self, complaint_id, access_token=None):
        if not 0 < complaint_id <= MAX_RECORD_ID:
            return None
        try:
            return self._document_check_access("crm.complaint", complaint_id, access_token=clean_token(access_token))
        except (AccessError, MissingError):
            return None

    def _rel_complaint_page_values(self, complaint_sudo, access_token=None, success=None, error=None, chatter=None):
        values = {
            "page_name": "rel_complaint",
            "complaint": complaint_sudo,
            "success": success_code(success),
            "error": error,
            "rating_token": (
                complaint_sudo._rating_get_access_token()
                if complaint_sudo.is_closed and not complaint_sudo.rating_last_value
                else False
            ),
        }
        return self._get_page_view_values(
            complaint_sudo, clean_token(access_token), values, "my_complaints_history", False, **(chatter or {})
        )

    @http.route("/my/complaints/<int:complaint_id>", type="http", auth="public", website=True)
    def portal_my_complaint(self, complaint_id, access_token=None, success=None, **kw):
        complaint_sudo = self._rel_complaint_check(complaint_id, access_token)
        if complaint_sudo is None:
            return request.redirect("/my")
        # Only the chatter's author token goes on: Odoo's helper would also show ?error= and ?success= as text.
        chatter = {key: kw[key] for key in ("pid", "hash") if isinstance(kw.get(key), str)}
        values = self._rel_complaint_page_values(complaint_sudo, access_token, success=success, chatter=chatter)
        return request.render("crm_relationship.portal_my_complaint", values)

    @http.route("/my/complaints/<int:complaint_id>/reopen", type="http", auth="user", methods=["POST"], website=True)
    def portal_my_complaint_reopen(self, complaint_id, **post):
        complaint_sudo = self._rel_complaint_check(complaint_id)
        if complaint_sudo is None:
            raise NotFound()
        try:
            reason = clean_text(post.get("reason"), "long", label=request.env._("Reason"))
            # sudo: customers may not write complaints; reopening is checked by the model's own window rule
            complaint_sudo.action_reopen()
            if reason:
                complaint_sudo.message_post(
                    body=reason,
                    author_id=request.env.user.partner_id.id,
                    message_type="comment",
                    subtype_xmlid="mail.mt_comment",
                )
        except (UserError, ValidationError) as error:
            request.env.cr.rollback()
            values = self._rel_complaint_page_values(complaint_sudo, error=error_message(error))
            return request.render("crm_relationship.portal_my_complaint", values, status=400)
        return request.redirect(f"/my/complaints/{complaint_id}?success=reopened")
