from werkzeug.exceptions import NotFound

from odoo import fields, http
from odoo.addons.crm_relationship.controllers.helpers import (
    check_rate,
    clean_int,
    clean_text,
    commercial_partner,
    count_own,
    error_message,
)
from odoo.addons.portal.controllers.portal import CustomerPortal
from odoo.exceptions import UserError, ValidationError
from odoo.http import request

from .helpers import clean_ids, path_record_id, success_code


class CmrProfilePortal(CustomerPortal):
    """My Relationship: contact preferences, consents, stated needs and household members."""

    def _prepare_home_portal_values(self, counters):
        values = super()._prepare_home_portal_values(counters)
        if "rel_need_count" in counters:
            values["rel_need_count"] = count_own("crm.relationship.need", [("state", "=", "open")])
        return values

    def _rel_relationship_values(self, success=None, error=None):
        partner = commercial_partner()
        env = request.env
        values = self._prepare_portal_layout_values()
        Consent = env["crm.relationship.consent"]
        consents = Consent.search([("partner_id", "=", partner.id)])
        granted = {(c.channel, c.purpose): c for c in consents}
        values.update(
            {
                "page_name": "rel_relationship",
                "partner": partner,
                # sudo: the partner's own profile; portal users may not read every partner field directly
                "partner_sudo": partner.sudo(),
                "channels": env["res.partner"]._fields["rel_preferred_contact_channel"]._description_selection(env),
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
                "standing": partner._rel_portal_standing(),
                "error": error,
                "success": success_code(success),
            }
        )
        return values

    @http.route("/my/relationship", type="http", auth="user", website=True)
    def portal_my_relationship(self, success=None, **kw):
        return request.render("crm_cmr_portal.portal_my_relationship", self._rel_relationship_values(success=success))

    def _rel_render_relationship_error(self, error):
        values = self._rel_relationship_values(error=error_message(error))
        return request.render("crm_cmr_portal.portal_my_relationship", values, status=400)

    @http.route("/my/relationship/preferences", type="http", auth="user", methods=["POST"], website=True)
    def portal_my_relationship_preferences(self, **post):
        partner = commercial_partner()
        env = request.env
        try:
            channel = post.get("rel_preferred_contact_channel") or False
            if channel and channel not in dict(env["res.partner"]._fields["rel_preferred_contact_channel"].selection):
                raise ValidationError(env._("Choose a contact channel from the list."))
            day_ids = clean_ids("weekday_ids", env._("Contact days"))
            days = env["crm.relationship.weekday"].browse(day_ids).exists()
            if len(days) != len(set(day_ids)):
                raise ValidationError(env._("Choose contact days from the list."))
            category_ids = clean_ids("interest_ids", env._("Interests"))
            # sudo: product categories are reference data, checked to exist
            categories = env["product.category"].sudo().browse(category_ids).exists()
            if len(categories) != len(set(category_ids)):
                raise ValidationError(env._("Choose interests from the list."))
            hours = []
            for key in ("rel_contact_window_start", "rel_contact_window_end"):
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
                "rel_preferred_contact_channel": channel,
                "rel_contact_window_weekday_ids": [fields.Command.set(days.ids)],
                "rel_contact_window_start": hours[0],
                "rel_contact_window_end": hours[1],
                "rel_interest_category_ids": [fields.Command.set(categories.ids)],
            }
            # sudo: portal users cannot write partners; the method only accepts the customer's own profile fields
            partner.sudo()._rel_update_profile(vals, "portal")
        except (UserError, ValidationError) as error:
            env.cr.rollback()
            return self._rel_render_relationship_error(error)
        return request.redirect("/my/relationship?success=preferences")

    @http.route("/my/relationship/consent", type="http", auth="user", methods=["POST"], website=True)
    def portal_my_relationship_consent(self, **post):
        partner = commercial_partner()
        env = request.env
        Consent = env["crm.relationship.consent"]
        try:
            current = {(c.channel, c.purpose): c.granted for c in Consent.search([("partner_id", "=", partner.id)])}
            for channel in dict(Consent._fields["channel"].selection):
                for purpose in dict(Consent._fields["purpose"].selection):
                    wanted = post.get(f"consent_{channel}_{purpose}") == "on"
                    if wanted != current.get((channel, purpose), False):
                        partner._rel_set_consent(channel, purpose, wanted, "portal")
        except (UserError, ValidationError) as error:
            env.cr.rollback()
            return self._rel_render_relationship_error(error)
        return request.redirect("/my/relationship?success=consent")

    @http.route("/my/relationship/need", type="http", auth="user", methods=["POST"], website=True)
    def portal_my_relationship_need(self, need_id=None, **post):
        partner = commercial_partner()
        env = request.env
        Need = env["crm.relationship.need"]
        try:
            name = clean_text(post.get("name"), "short", required=True, label=env._("Need"))
            category_id = clean_int(post.get("product_category_id"), env._("Product category"))
            # sudo: product categories are reference data, checked to exist
            category = env["product.category"].sudo().browse(category_id).exists() if category_id else False
            if category_id and not category:
                raise ValidationError(env._("Choose a product category from the list."))
            values = {"name": name, "product_category_id": category.id if category else False}
            if need_id:
                need = Need.search(
                    [("id", "=", clean_int(need_id, env._("Need"))), ("commercial_partner_id", "=", partner.id)]
                )
                if not need:
                    raise NotFound()
                if need.state != "open":
                    raise UserError(env._("This need was already answered; add a new one instead."))
                need.write(values)
            else:
                check_rate("crm.relationship.need")
                Need.create({**values, "partner_id": request.env.user.partner_id.id})
        except (UserError, ValidationError) as error:
            env.cr.rollback()
            return self._rel_render_relationship_error(error)
        return request.redirect("/my/relationship?success=need#needs")

    @http.route(
        "/my/relationship/need/<int:need_id>/withdraw", type="http", auth="user", methods=["POST"], website=True
    )
    def portal_my_relationship_need_withdraw(self, need_id, **post):
        need = request.env["crm.relationship.need"].search(
            [("id", "=", path_record_id(need_id)), ("commercial_partner_id", "=", commercial_partner().id)]
        )
        if not need:
            raise NotFound()
        try:
            need.action_withdraw()
        except (UserError, ValidationError) as error:
            request.env.cr.rollback()
            return self._rel_render_relationship_error(error)
        return request.redirect("/my/relationship?success=need#needs")

    @http.route("/my/relationship/household", type="http", auth="user", methods=["POST"], website=True)
    def portal_my_relationship_household(self, **post):
        partner = commercial_partner()
        env = request.env
        try:
            name = clean_text(post.get("name"), "short", required=True, label=env._("Name"))
            role = clean_text(post.get("rel_role"), "short", label=env._("Role"))
            email = clean_text(post.get("email"), "short", label=env._("Email"))
            if email and "@" not in email:
                raise ValidationError(env._("Enter a valid email address."))
            check_rate("res.partner")
            # sudo: portal users cannot create contacts; the member is attached to the user's own entity
            member = (
                env["res.partner"]
                .sudo()
                .create(
                    {
                        "name": name,
                        "rel_role": role,
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
            return self._rel_render_relationship_error(error)
        return request.redirect("/my/relationship?success=household#household")

    @http.route(
        "/my/relationship/household/<int:member_id>/remove", type="http", auth="user", methods=["POST"], website=True
    )
    def portal_my_relationship_household_remove(self, member_id, **post):
        partner = commercial_partner()
        # sudo: the member is checked to be a contact of the user's own entity, and not the user
        member = request.env["res.partner"].sudo().browse(path_record_id(member_id)).exists()
        if not member or member.parent_id != partner or member == request.env.user.partner_id or member.user_ids:
            raise NotFound()
        member.action_archive()
        partner.sudo().message_post(
            body=request.env._("Household member %(name)s removed from the portal.", name=member.name),
            subtype_xmlid="mail.mt_note",
        )
        return request.redirect("/my/relationship?success=household#household")
