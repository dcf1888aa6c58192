from odoo import http
from odoo.addons.crm_relationship.controllers.helpers import (
    check_rate,
    clean_text,
    commercial_partner,
    count_own,
    error_message,
)
from odoo.addons.portal.controllers.portal import CustomerPortal
from odoo.addons.portal.controllers.portal import pager as portal_pager
from odoo.exceptions import UserError, ValidationError
from odoo.http import request

from .helpers import success_code


class CmrSuggestionPortal(CustomerPortal):
    """The customer's suggestions and our answers."""

    def _prepare_home_portal_values(self, counters):
        values = super()._prepare_home_portal_values(counters)
        if "rel_suggestion_count" in counters:
            values["rel_suggestion_count"] = count_own("crm.relationship.suggestion")
        return values

    @http.route(["/my/suggestions", "/my/suggestions/page/<int:page>"], type="http", auth="user", website=True)
    def portal_my_suggestions(self, page=1, success=None, **kw):
        return self._rel_render_suggestions(page=page, success=success)

    def _rel_render_suggestions(self, page=1, success=None, error=None, form=None):
        """The list and the form; a refused submission comes back with its error and the user's input."""
        Suggestion = request.env["crm.relationship.suggestion"]
        domain = [("commercial_partner_id", "=", commercial_partner().id)]
        pager = portal_pager(
            url="/my/suggestions", total=Suggestion.search_count(domain), page=page, step=self._items_per_page
        )
        values = self._prepare_portal_layout_values()
        values.update(
            {
                "page_name": "rel_suggestion",
                "suggestions": Suggestion.search(
                    domain, order="create_date desc, id desc", limit=self._items_per_page, offset=pager["offset"]
                ),
                "suggestion_types": Suggestion._fields["suggestion_type"]._description_selection(request.env),
                "pager": pager,
                "default_url": "/my/suggestions",
                "error": error,
                "success": success_code(success),
                "form": form or {},
            }
        )
        return request.render("crm_cmr_portal.portal_my_suggestions", values, status=400 if error else 200)

    @http.route("/my/suggestions", type="http", auth="user", methods=["POST"], website=True)
    def portal_my_suggestion_submit(self, **post):
        env = request.env
        Suggestion = env["crm.relationship.suggestion"]
        try:
            name = clean_text(post.get("name"), "short", required=True, label=env._("Title"))
            description = clean_text(post.get("description"), "long", label=env._("Description"))
            kind = post.get("suggestion_type") or "improvement"
            if kind not in dict(Suggestion._fields["suggestion_type"].selection):
                raise ValidationError(env._("Choose a kind of suggestion from the list."))
            check_rate("crm.relationship.suggestion")
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
            return self._rel_render_suggestions(error=error_message(error), form=form)
        return request.redirect("/my/suggestions?success=created")
