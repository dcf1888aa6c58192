import logging
from datetime import timedelta

from werkzeug.exceptions import BadRequest, NotFound

from odoo import fields, http
from odoo.addons.portal.controllers.portal import CustomerPortal
from odoo.addons.portal.controllers.portal import pager as portal_pager
from odoo.exceptions import AccessError, MissingError, UserError, ValidationError
from odoo.http import request
from odoo.tools import consteq
from odoo.tools.mimetypes import guess_mimetype

_logger = logging.getLogger(__name__)

# Uploads a customer may attach to a complaint.
ATTACHMENT_MIMETYPES = {
    "application/pdf",
    "image/png",
    "image/jpeg",
    "image/gif",
    "image/webp",
    "text/plain",
}
ATTACHMENT_MAX_BYTES = 5 * 1024 * 1024
ATTACHMENT_MAX_COUNT = 5
# Record ids are PostgreSQL integers: anything larger is refused before it reaches a query.
MAX_RECORD_ID = 2**31 - 1
# Submissions a customer may make per hour, per kind; beyond that the form refuses politely.
RATE_LIMITS = {
    "crm.complaint": 5,
    "crm.relationship.suggestion": 5,
    "crm.relationship.need": 20,
    "res.partner": 20,
}
TEXT_LIMITS = {"short": 200, "long": 10000}
# The confirmations a page may show, by the code its URL carries (``?success=<code>``); the texts are in
# the portal_cmr_feedback template. Any other value shows nothing: a link cannot put words on our pages.
SUCCESS_CODES = frozenset({"preferences", "consent", "need", "household", "created", "reopened", "claimed", "erasure"})
MAX_TOKEN_LENGTH = 128


class CmrCustomerPortal(CustomerPortal):
    """The customer's own view of the relationship: profile, complaints, loyalty, suggestions, privacy."""

    # ------------------------------------------------------------------ helpers
    def _cmr_partner(self):
        return request.env.user.partner_id.commercial_partner_id

    def _cmr_text(self, value, kind="short", required=False, label=None):
        """Validate one free-text form value: a string within its length limit."""
        if value is None:
            value = ""
        if not isinstance(value, str):
            raise ValidationError(request.env._("%(field)s must be text.", field=label or ""))
        if "\x00" in value:
            # PostgreSQL cannot store a NUL character: refuse it here rather than fail on the write.
            raise ValidationError(request.env._("%(field)s contains a character we cannot store.", field=label or ""))
        value = value.strip()
        if required and not value:
            raise ValidationError(request.env._("Please fill in %(field)s.", field=label or ""))
        if len(value) > TEXT_LIMITS[kind]:
            raise ValidationError(
                request.env._(
                    "%(field)s is too long (at most %(limit)s characters).", field=label or "", limit=TEXT_LIMITS[kind]
                )
            )
        return value

    def _cmr_int(self, value, label):
        if value in (None, ""):
            return False
        try:
            number = int(value)
        except (TypeError, ValueError):
            raise ValidationError(request.env._("%(field)s is not valid.", field=label)) from None
        if not 0 < number <= MAX_RECORD_ID:
            raise ValidationError(request.env._("%(field)s is not valid.", field=label))
        return number

    def _cmr_success(self, code):
        """The confirmation code of the URL if it is one of ours, else None (nothing is shown)."""
        return code if isinstance(code, str) and code in SUCCESS_CODES else None

    def _cmr_token(self, token):
        """A secret token of a URL, or None when it cannot be one (too long, not plain ASCII)."""
        if not isinstance(token, str) or not token or len(token) > MAX_TOKEN_LENGTH:
            return None
        if not token.isascii() or not token.isprintable():
            return None
        return token

    def _cmr_record_id(self, record_id):
        """A record id taken from the URL path: one a PostgreSQL integer can hold, else 404."""
        if not 0 < record_id <= MAX_RECORD_ID:
            raise NotFound()
        return record_id

    def _cmr_ids(self, name, label):
        """The record ids a multiple-choice field of the submitted form holds, empty choices left out."""
        return [self._cmr_int(value, label) for value in request.httprequest.form.getlist(name) if value != ""]

    def _cmr_check_rate(self, model):
        """Refuse a submission when this customer already made too many in the last hour."""
        since = fields.Datetime.now() - timedelta(hours=1)
        # sudo: counting the user's own recent submissions, whatever rules say about older ones
        recent = (
            request.env[model]
            .sudo()
            .search_count(
                [("create_uid", "=", request.env.uid), ("create_date", ">=", since)], limit=RATE_LIMITS[model]
            )
        )
        if recent >= RATE_LIMITS[model]:
            raise UserError(request.env._("You have sent many requests in a short time. Please try again in an hour."))

    def _cmr_attachments(self, files):
        """Validate uploaded files and return attachment values (refuses the whole upload on any bad file)."""
        files = [f for f in files if f and f.filename]
        if len(files) > ATTACHMENT_MAX_COUNT:
            raise ValidationError(request.env._("Attach at most %(count)s files.", count=ATTACHMENT_MAX_COUNT))
        values = []
        for upload in files:
            content = upload.read(ATTACHMENT_MAX_BYTES + 1)
            if len(content) > ATTACHMENT_MAX_BYTES:
                raise ValidationError(
                    request.env._("%(name)s is larger than 5 MB.", name=upload.filename[: TEXT_LIMITS["short"]])
                )
            mimetype = guess_mimetype(content)
            if mimetype not in ATTACHMENT_MIMETYPES:
                raise ValidationError(
                    request.env._(
                        "%(name)s is not an accepted file type (PDF, image or text).",
                        name=upload.filename[: TEXT_LIMITS["short"]],
                    )
                )
            values.append({"name": upload.filename[: TEXT_LIMITS["short"]], "raw": content, "mimetype": mimetype})
        return values

    def _cmr_error(self, error):
        """The message of a refused request, in the user's language."""
        return error.args[0] if error.args else str(error)

    # ------------------------------------------------------------------ home counters
    def _cmr_home_counters(self, partner):
        """Portal home counter name -> (model, domain) of the customer's records it counts."""
        own = [("commercial_partner_id", "=", partner.id)]
        return {
            "cmr_complaint_count": ("crm.complaint", own),
            "cmr_suggestion_count": ("crm.relationship.suggestion", own),
            "cmr_need_count": ("crm.relationship.need", [*own, ("state", "=", "open")]),
        }

    def _prepare_home_portal_values(self, counters):
        values = super()._prepare_home_portal_values(counters)
        partner = self._cmr_partner()
        for counter, (model, domain) in self._cmr_home_counters(partner).items():
            if counter in counters:
                Model = request.env[model]
                values[counter] = Model.search_count(domain) if Model.has_access("read") else 0
        if "cmr_loyalty_points" in counters:
            # sudo: loyalty cards are read for the user's own commercial entity only, as Odoo's loyalty portal does
            card = partner.sudo().crm_loyalty_card_id
            values["cmr_loyalty_points"] = card.points_display if card else 0
        return values

    # ------------------------------------------------------------------ relationship profile
    def _cmr_relationship_values(self, success=None, error=None):
        partner = self._cmr_partner()
        env = request.env
        values = self._prepare_portal_layout_values()
        Consent = env["crm.relationship.consent"]
        consents = Consent.search([("partner_id", "=", partner.id)])
        granted = {(c.channel, c.purpose): c for c in consents}
        values.update(
            {
                "page_name": "cmr_relationship",
                "partner": partner,
                # sudo: the partner's own profile; portal users may not read every partner field directly
                "partner_sudo": partner.sudo(),
                "channels": env["res.partner"]._fields["preferred_contact_channel"]._description_selection(env),
                "weekdays": env["crm.relationship.weekday"].search([]),
                # sudo: product categories are reference data the customer picks interests from
                "categories": env["product.category"].sudo().search([], limit=200),
                "needs": env["crm.relationship.need"].search([("commercial_partner_id", "=", partner.id)]),
                "consent_channels": Consent._fields["channel"]._description_selection(env),
                "consent_purposes": Consent._fields["purpose"]._description_selection(env),
                "consents": granted,
                "consent_logs": env["crm.relationship.consent.log"].search(
                    [("commercial_partner_id", "=", partner.id)], limit=50, order="date desc, id desc"
                ),
                # sudo: household members are the customer's own contacts, which portal users cannot read
                "household": partner.sudo().child_ids.filtered(lambda c: c.type == "contact" and c.active),
                "error": error,
                "success": self._cmr_success(success),
            }
        )
        return values

    @http.route("/my/relationship", type="http", auth="user", website=True)
    def portal_my_relationship(self, success=None, **kw):
        return request.render("crm_cmr_portal.portal_my_relationship", self._cmr_relationship_values(success=success))

    def _cmr_render_relationship_error(self, error):
        values = self._cmr_relationship_values(error=self._cmr_error(error))
        return request.render("crm_cmr_portal.portal_my_relationship", values, status=400)

    @http.route("/my/relationship/preferences", type="http", auth="user", methods=["POST"], website=True)
    def portal_my_relationship_preferences(self, **post):
        partner = self._cmr_partner()
        env = request.env
        try:
            channel = post.get("preferred_contact_channel") or False
            if channel and channel not in dict(env["res.partner"]._fields["preferred_contact_channel"].selection):
                raise ValidationError(env._("Choose a contact channel from the list."))
            day_ids = self._cmr_ids("weekday_ids", env._("Contact days"))
            days = env["crm.relationship.weekday"].browse(day_ids).exists()
            if len(days) != len(set(day_ids)):
                raise ValidationError(env._("Choose contact days from the list."))
            category_ids = self._cmr_ids("interest_ids", env._("Interests"))
            # sudo: product categories are reference data, checked to exist
            categories = env["product.category"].sudo().browse(category_ids).exists()
            if len(categories) != len(set(category_ids)):
                raise ValidationError(env._("Choose interests from the list."))
            hours = []
            for key in ("contact_window_start", "contact_window_end"):
                raw = post.get(key) or ""
                if not isinstance(raw, str):
                    raise ValidationError(env._("Enter times as hours and minutes, e.g. 09:30."))
                if not raw:
                    hours.append(0.0)
                    continue
                try:
                    hour, minute = (int(part) for part in raw.split(":"))
                except ValueError:
                    raise ValidationError(env._("Enter times as hours and minutes, e.g. 09:30.")) from None
                if not (0 <= hour <= 24 and 0 <= minute < 60) or hour * 60 + minute > 24 * 60:
                    raise ValidationError(env._("Enter times between 00:00 and 24:00."))
                hours.append(hour + minute / 60)
            vals = {
                "preferred_contact_channel": channel,
                "contact_window_weekday_ids": [fields.Command.set(days.ids)],
                "contact_window_start": hours[0],
                "contact_window_end": hours[1],
                "interest_category_ids": [fields.Command.set(categories.ids)],
            }
            # sudo: portal users cannot write partners; the method only accepts the customer's own profile fields
            partner.sudo()._update_relationship_profile(vals, "portal")
        except (UserError, ValidationError) as error:
            env.cr.rollback()
            return self._cmr_render_relationship_error(error)
        return request.redirect("/my/relationship?success=preferences")

    @http.route("/my/relationship/consent", type="http", auth="user", methods=["POST"], website=True)
    def portal_my_relationship_consent(self, **post):
        partner = self._cmr_partner()
        env = request.env
        Consent = env["crm.relationship.consent"]
        try:
            current = {(c.channel, c.purpose): c.granted for c in Consent.search([("partner_id", "=", partner.id)])}
            for channel in dict(Consent._fields["channel"].selection):
                for purpose in dict(Consent._fields["purpose"].selection):
                    wanted = post.get(f"consent_{channel}_{purpose}") == "on"
                    if wanted != current.get((channel, purpose), False):
                        partner._set_relationship_consent(channel, purpose, wanted, "portal")
        except (UserError, ValidationError) as error:
            env.cr.rollback()
            return self._cmr_render_relationship_error(error)
        return request.redirect("/my/relationship?success=consent")

    @http.route("/my/relationship/need", type="http", auth="user", methods=["POST"], website=True)
    def portal_my_relationship_need(self, need_id=None, **post):
        partner = self._cmr_partner()
        env = request.env
        Need = env["crm.relationship.need"]
        try:
            name = self._cmr_text(post.get("name"), "short", required=True, label=env._("Need"))
            category_id = self._cmr_int(post.get("product_category_id"), env._("Product category"))
            # sudo: product categories are reference data, checked to exist
            category = env["product.category"].sudo().browse(category_id).exists() if category_id else False
            if category_id and not category:
                raise ValidationError(env._("Choose a product category from the list."))
            values = {"name": name, "product_category_id": category.id if category else False}
            if need_id:
                need = Need.search(
                    [("id", "=", self._cmr_int(need_id, env._("Need"))), ("commercial_partner_id", "=", partner.id)]
                )
                if not need:
                    raise NotFound()
                if need.state != "open":
                    raise UserError(env._("This need was already answered; add a new one instead."))
                need.write(values)
            else:
                self._cmr_check_rate("crm.relationship.need")
                Need.create({**values, "partner_id": request.env.user.partner_id.id})
        except (UserError, ValidationError) as error:
            env.cr.rollback()
            return self._cmr_render_relationship_error(error)
        return request.redirect("/my/relationship?success=need#needs")

    @http.route(
        "/my/relationship/need/<int:need_id>/withdraw", type="http", auth="user", methods=["POST"], website=True
    )
    def portal_my_relationship_need_withdraw(self, need_id, **post):
        need = request.env["crm.relationship.need"].search(
            [("id", "=", self._cmr_record_id(need_id)), ("commercial_partner_id", "=", self._cmr_partner().id)]
        )
        if not need:
            raise NotFound()
        try:
            need.action_withdraw()
        except (UserError, ValidationError) as error:
            request.env.cr.rollback()
            return self._cmr_render_relationship_error(error)
        return request.redirect("/my/relationship?success=need#needs")

    @http.route("/my/relationship/household", type="http", auth="user", methods=["POST"], website=True)
    def portal_my_relationship_household(self, **post):
        partner = self._cmr_partner()
        env = request.env
        try:
            name = self._cmr_text(post.get("name"), "short", required=True, label=env._("Name"))
            role = self._cmr_text(post.get("relationship_role"), "short", label=env._("Role"))
            email = self._cmr_text(post.get("email"), "short", label=env._("Email"))
            if email and "@" not in email:
                raise ValidationError(env._("Enter a valid email address."))
            self._cmr_check_rate("res.partner")
            # sudo: portal users cannot create contacts; the member is attached to the user's own entity
            member = (
                env["res.partner"]
                .sudo()
                .create(
                    {
                        "name": name,
                        "relationship_role": role,
                        "email": email or False,
                        "parent_id": partner.id,
                        "type": "contact",
                    }
                )
            )
            partner.sudo().message_post(
                body=env._("Household member %(name)s added from the portal.", name=member.name),
                subtype_xmlid="mail.mt_note",
            )
        except (UserError, ValidationError) as error:
            env.cr.rollback()
            return self._cmr_render_relationship_error(error)
        return request.redirect("/my/relationship?success=household#household")

    @http.route(
        "/my/relationship/household/<int:member_id>/remove", type="http", auth="user", methods=["POST"], website=True
    )
    def portal_my_relationship_household_remove(self, member_id, **post):
        partner = self._cmr_partner()
        # sudo: the member is checked to be a contact of the user's own entity, and not the user
        member = request.env["res.partner"].sudo().browse(self._cmr_record_id(member_id)).exists()
        if not member or member.parent_id != partner or member == request.env.user.partner_id or member.user_ids:
            raise NotFound()
        member.action_archive()
        partner.sudo().message_post(
            body=request.env._("Household member %(name)s removed from the portal.", name=member.name),
            subtype_xmlid="mail.mt_note",
        )
        return request.redirect("/my/relationship?success=household#household")

    # ------------------------------------------------------------------ complaints
    def _cmr_complaint_sortings(self):
        return {
            "date": {"label": request.env._("Newest"), "order": "create_date desc, id desc"},
            "name": {"label": request.env._("Reference"), "order": "name desc"},
            "stage": {"label": request.env._("Stage"), "order": "stage_id, id desc"},
            "deadline": {"label": request.env._("Promised By"), "order": "sla_resolution_deadline asc, id desc"},
        }

    def _cmr_complaint_filters(self):
        return {
            "all": {"label": request.env._("All"), "domain": []},
            "open": {"label": request.env._("Open"), "domain": [("is_closed", "=", False)]},
            "closed": {"label": request.env._("Closed"), "domain": [("is_closed", "=", True)]},
        }

    @http.route(["/my/complaints", "/my/complaints/page/<int:page>"], type="http", auth="user", website=True)
    def portal_my_complaints(self, page=1, sortby="date", filterby="all", **kw):
        Complaint = request.env["crm.complaint"]
        sortings = self._cmr_complaint_sortings()
        filters = self._cmr_complaint_filters()
        sortby = sortby if sortby in sortings else "date"
        filterby = filterby if filterby in filters else "all"
        domain = [("commercial_partner_id", "=", self._cmr_partner().id), *filters[filterby]["domain"]]
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
                "page_name": "cmr_complaint",
                "complaints": complaints,
                "pager": pager,
                "default_url": "/my/complaints",
                "searchbar_sortings": sortings,
                "sortby": sortby,
                "searchbar_filters": filters,
                "filterby": filterby,
            }
        )
        return request.render("crm_cmr_portal.portal_my_complaints", values)

    def _cmr_complaint_form_values(self, error=None, form=None):
        partner = self._cmr_partner()
        values = self._prepare_portal_layout_values()
        values.update(
            {
                "page_name": "cmr_complaint_new",
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
        return request.render("crm_cmr_portal.portal_my_complaint_new", self._cmr_complaint_form_values())

    @http.route("/my/complaints/new", type="http", auth="user", methods=["POST"], website=True)
    def portal_my_complaint_submit(self, **post):
        env = request.env
        partner = self._cmr_partner()
        try:
            subject = self._cmr_text(post.get("subject"), "short", required=True, label=env._("Subject"))
            description = self._cmr_text(post.get("description"), "long", required=True, label=env._("Description"))
            category_id = self._cmr_int(post.get("category_id"), env._("Category"))
            category = env["crm.complaint.category"].browse(category_id).exists() if category_id else False
            if category_id and not category:
                raise ValidationError(env._("Choose a category from the list."))
            order_id = self._cmr_int(post.get("sale_order_id"), env._("Order"))
            order = env["sale.order"].browse(order_id).exists() if order_id else env["sale.order"]
            if order_id and (not order or order.partner_id.commercial_partner_id != partner):
                raise ValidationError(env._("Choose one of your orders."))
            product_id = self._cmr_int(post.get("product_id"), env._("Product"))
            # sudo: customers cannot read products; the product must be on their own order
            if product_id and (not order or product_id not in order.sudo().order_line.product_id.ids):
                raise ValidationError(env._("Choose a product of the selected order."))
            attachments = self._cmr_attachments(request.httprequest.files.getlist("attachments"))
            self._cmr_check_rate("crm.complaint")
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
            values = self._cmr_complaint_form_values(error=self._cmr_error(error), form=form)
            return request.render("crm_cmr_portal.portal_my_complaint_new", values, status=400)
        return request.redirect(f"/my/complaints/{complaint.id}?success=created")

    def _cmr_complaint_check(self, complaint_id, access_token=None):
        if not 0 < complaint_id <= MAX_RECORD_ID:
            return None
        try:
            return self._document_check_access(
                "crm.complaint", complaint_id, access_token=self._cmr_token(access_token)
            )
        except (AccessError, MissingError):
            return None

    def _cmr_complaint_page_values(self, complaint_sudo, access_token=None, success=None, error=None, chatter=None):
        values = {
            "page_name": "cmr_complaint",
            "complaint": complaint_sudo,
            "success": self._cmr_success(success),
            "error": error,
            "rating_token": (
                complaint_sudo._rating_get_access_token()
                if complaint_sudo.is_closed and not complaint_sudo.rating_last_value
                else False
            ),
        }
        return self._get_page_view_values(
            complaint_sudo, self._cmr_token(access_token), values, "my_complaints_history", False, **(chatter or {})
        )

    @http.route("/my/complaints/<int:complaint_id>", type="http", auth="public", website=True)
    def portal_my_complaint(self, complaint_id, access_token=None, success=None, **kw):
        complaint_sudo = self._cmr_complaint_check(complaint_id, access_token)
        if complaint_sudo is None:
            return request.redirect("/my")
        # Only the chatter's author token goes on: Odoo's helper would also show ?error= and ?success= as text.
        chatter = {key: kw[key] for key in ("pid", "hash") if isinstance(kw.get(key), str)}
        values = self._cmr_complaint_page_values(complaint_sudo, access_token, success=success, chatter=chatter)
        return request.render("crm_cmr_portal.portal_my_complaint", values)

    @http.route("/my/complaints/<int:complaint_id>/reopen", type="http", auth="user", methods=["POST"], website=True)
    def portal_my_complaint_reopen(self, complaint_id, **post):
        complaint_sudo = self._cmr_complaint_check(complaint_id)
        if complaint_sudo is None:
            raise NotFound()
        try:
            reason = self._cmr_text(post.get("reason"), "long", label=request.env._("Reason"))
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
            values = self._cmr_complaint_page_values(complaint_sudo, error=self._cmr_error(error))
            return request.render("crm_cmr_portal.portal_my_complaint", values, status=400)
        return request.redirect(f"/my/complaints/{complaint_id}?success=reopened")

    # ------------------------------------------------------------------ suggestions
    @http.route(["/my/suggestions", "/my/suggestions/page/<int:page>"], type="http", auth="user", website=True)
    def portal_my_suggestions(self, page=1, success=None, **kw):
        return self._cmr_render_suggestions(page=page, success=success)

    def _cmr_render_suggestions(self, page=1, success=None, error=None, form=None):
        """The list and the form; a refused submission comes back with its error and the user's input."""
        Suggestion = request.env["crm.relationship.suggestion"]
        domain = [("commercial_partner_id", "=", self._cmr_partner().id)]
        pager = portal_pager(
            url="/my/suggestions", total=Suggestion.search_count(domain), page=page, step=self._items_per_page
        )
        values = self._prepare_portal_layout_values()
        values.update(
            {
                "page_name": "cmr_suggestion",
                "suggestions": Suggestion.search(
                    domain, order="create_date desc, id desc", limit=self._items_per_page, offset=pager["offset"]
                ),
                "suggestion_types": Suggestion._fields["suggestion_type"]._description_selection(request.env),
                "pager": pager,
                "default_url": "/my/suggestions",
                "error": error,
                "success": self._cmr_success(success),
                "form": form or {},
            }
        )
        return request.render("crm_cmr_portal.portal_my_suggestions", values, status=400 if error else 200)

    @http.route("/my/suggestions", type="http", auth="user", methods=["POST"], website=True)
    def portal_my_suggestion_submit(self, **post):
        env = request.env
        Suggestion = env["crm.relationship.suggestion"]
        try:
            name = self._cmr_text(post.get("name"), "short", required=True, label=env._("Title"))
            description = self._cmr_text(post.get("description"), "long", label=env._("Description"))
            kind = post.get("suggestion_type") or "improvement"
            if kind not in dict(Suggestion._fields["suggestion_type"].selection):
                raise ValidationError(env._("Choose a kind of suggestion from the list."))
            self._cmr_check_rate("crm.relationship.suggestion")
            Suggestion.create(
                {
                    "name": name,
                    "description": description,
                    "suggestion_type": kind,
                    "partner_id": env.user.partner_id.id,
                }
            )
        except (UserError, ValidationError) as error:
            env.cr.rollback()
            form = {k: v for k, v in post.items() if isinstance(v, str)}
            return self._cmr_render_suggestions(error=self._cmr_error(error), form=form)
        return request.redirect("/my/suggestions?success=created")

    # ------------------------------------------------------------------ NPS (from the email link)
    def _cmr_nps_by_token(self, token):
        token = self._cmr_token(token)
        if not token:
            raise NotFound()
        # sudo: the invitation is found by its secret token, the customer need not be logged in
        response = request.env["crm.relationship.nps"].sudo().search([("access_token", "=", token)], limit=1)
        if not response or not consteq(response.access_token, token):
            raise NotFound()
        return response

    @http.route("/my/nps/<string:token>", type="http", auth="public", methods=["GET"], website=True)
    def portal_nps(self, token, **kw):
        response = self._cmr_nps_by_token(token)
        return request.render(
            "crm_cmr_portal.portal_nps",
            {"response": response, "token": token, "scores": range(11), "error": None},
        )

    @http.route("/my/nps/<string:token>", type="http", auth="public", methods=["POST"], website=True)
    def portal_nps_answer(self, token, score=None, comment=None, **kw):
        response = self._cmr_nps_by_token(token)
        try:
            comment = self._cmr_text(comment, "long", label=request.env._("Comment"))
            response._record_answer(score, comment)
        except (UserError, ValidationError) as error:
            request.env.cr.rollback()
            values = {"response": response, "token": token, "scores": range(11), "error": self._cmr_error(error)}
            return request.render("crm_cmr_portal.portal_nps", values, status=400)
        return request.render("crm_cmr_portal.portal_nps", {"response": response, "token": token, "thanks": True})

    # ------------------------------------------------------------------ privacy
    @http.route("/my/privacy", type="http", auth="user", website=True)
    def portal_my_privacy(self, success=None, **kw):
        values = self._prepare_portal_layout_values()
        # sudo: the user's own entity; the erasure request date is not readable by portal users
        values.update(
            {
                "page_name": "cmr_privacy",
                "partner_sudo": self._cmr_partner().sudo(),
                "success": self._cmr_success(success),
            }
        )
        return request.render("crm_cmr_portal.portal_my_privacy", values)

    @http.route("/my/privacy/export", type="http", auth="user", methods=["POST"], website=True)
    def portal_my_privacy_export(self, **post):
        partner = self._cmr_partner()
        # sudo: the export gathers the user's own records across models portal users cannot read in full
        content = partner.sudo()._cmr_privacy_export()
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
        self._cmr_partner().sudo()._cmr_request_erasure(request.env.user)
        return request.redirect("/my/privacy?success=erasure")

    # ------------------------------------------------------------------ loyalty
    def _cmr_loyalty_values(self, page=1, success=None, error=None):
        env = request.env
        partner = self._cmr_partner()
        # sudo: loyalty cards and their ledger have no portal access rights in Odoo; everything below is
        # read for the user's own commercial entity only, as Odoo's own loyalty portal does
        partner_sudo = partner.sudo()
        card = partner_sudo.crm_loyalty_card_id
        History = env["loyalty.history"].sudo()
        domain = [("card_id", "=", card.id)]
        pager = portal_pager(
            url="/my/loyalty", total=History.search_count(domain) if card else 0, page=page, step=self._items_per_page
        )
        values = self._prepare_portal_layout_values()
        values.update(
            {
                "page_name": "cmr_loyalty",
                "card": card,
                "progress": card._crm_next_tier_progress() if card else {},
                "ledger": History.search(
                    domain, order="create_date desc, id desc", limit=self._items_per_page, offset=pager["offset"]
                )
                if card
                else History,
                "pager": pager,
                "expiring_points": card._crm_points_expiring_soon() if card else 0,
                "expiring_lots": History.search(
                    [*domain, ("points_remaining", ">", 0), ("expiry_date", "!=", False)],
                    order="expiry_date asc, id asc",
                    limit=5,
                )
                if card
                else History,
                "rewards": card._crm_claimable_rewards() if card else env["loyalty.reward"],
                "quotations": env["sale.order"].search(
                    [("partner_id", "child_of", partner.id), ("state", "in", ("draft", "sent"))], limit=20
                ),
                "referral_url": f"{partner_sudo.get_base_url()}/referral/{partner_sudo._crm_get_referral_code()}",
                "referral_count": partner_sudo._crm_referral_count(),
                "error": error,
                "success": self._cmr_success(success),
            }
        )
        return values

    @http.route(["/my/loyalty", "/my/loyalty/page/<int:page>"], type="http", auth="user", website=True)
    def portal_my_loyalty(self, page=1, success=None, **kw):
        return request.render("crm_cmr_portal.portal_my_loyalty", self._cmr_loyalty_values(page=page, success=success))

    @http.route("/my/loyalty/claim", type="http", auth="user", methods=["POST"], website=True)
    def portal_my_loyalty_claim(self, reward_id=None, order_id=None, **post):
        env = request.env
        partner = self._cmr_partner()
        try:
            # sudo: see _cmr_loyalty_values; the card is the user's own, the reward and order are checked below
            card = partner.sudo().crm_loyalty_card_id
            if not card:
                raise UserError(env._("You have no loyalty card yet."))
            reward = env["loyalty.reward"].sudo().browse(self._cmr_int(reward_id, env._("Reward"))).exists()
            order = env["sale.order"].browse(self._cmr_int(order_id, env._("Quotation"))).exists()
            if not reward or reward.program_id != card.program_id:
                raise ValidationError(env._("Choose a reward from the list."))
            if not order or order.partner_id.commercial_partner_id != partner:
                raise ValidationError(env._("Choose one of your open quotations."))
            # sudo: customers cannot write orders; _crm_claim_reward checks ownership, state and points again
            card._crm_claim_reward(reward, order.sudo())
        except (UserError, ValidationError) as error:
            env.cr.rollback()
            values = self._cmr_loyalty_values(error=self._cmr_error(error))
            return request.render("crm_cmr_portal.portal_my_loyalty", values, status=400)
        return request.redirect("/my/loyalty?success=claimed")
