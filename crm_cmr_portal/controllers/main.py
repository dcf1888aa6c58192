from werkzeug.exceptions import NotFound

from odoo import http
from odoo.addons.auth_signup.controllers.main import AuthSignupHome
from odoo.exceptions import UserError, ValidationError
from odoo.http import request

SESSION_KEY = "rel_referral"


class CmrReferralSignup(AuthSignupHome):
    """A friend invited by a customer signs up with Odoo's own signup and becomes a lead for the referrer."""

    def _rel_referrer(self, code):
        if not code or len(code) > 64 or not code.isascii() or not code.isprintable():
            raise NotFound()
        # sudo: a public visitor follows the link; the referrer is only looked up by its code
        referrer = request.env["res.partner"].sudo().search([("rel_referral_code", "=", code)], limit=1)
        if not referrer:
            raise NotFound()
        return referrer

    @http.route("/referral/<string:code>", type="http", auth="public", website=True, sitemap=False)
    def rel_referral(self, code, **post):
        referrer = self._rel_referrer(code)
        company = referrer.company_id.name or request.env.company.name
        values = {
            "referrer": referrer,
            # whole sentences with their placeholders, so that each language orders them its own way
            "invitation": request.env._("%(name)s invites you to %(company)s", name=referrer.name, company=company),
            "closed_signup": request.env._(
                "Accounts are created on invitation: ask %(name)s or contact us.", name=referrer.name
            ),
            "code": code,
            "signup_enabled": request.env["res.users"].sudo()._get_signup_invitation_scope() == "b2c",
            "error": None,
        }
        if request.httprequest.method == "POST":
            looking_for = post.get("looking_for")
            looking_for = looking_for.strip() if isinstance(looking_for, str) else ""
            if len(looking_for) > 2000:
                values["error"] = request.env._("Please keep what you are looking for under 2000 characters.")
                return request.render("crm_cmr_portal.referral_landing", values, status=400)
            if "\x00" in looking_for:
                values["error"] = request.env._("What you are looking for contains a character we cannot store.")
                return request.render("crm_cmr_portal.referral_landing", values, status=400)
            request.session[SESSION_KEY] = {"code": code, "looking_for": looking_for}
            return request.redirect("/web/signup")
        return request.render("crm_cmr_portal.referral_landing", values)

    def _signup_with_values(self, token, values, do_login):
        super()._signup_with_values(token, values, do_login)
        referral = request.session.pop(SESSION_KEY, None)
        if not referral or token:
            return
        # sudo: the new user was just created by the signup; the referral is recorded on its partner
        user = request.env["res.users"].sudo().search([("login", "=", values.get("login"))], limit=1)
        if not user:
            return
        try:
            with request.env.cr.savepoint():
                user.partner_id._rel_register_referral(referral["code"], referral.get("looking_for") or "")
        except (UserError, ValidationError):
            # A stale or self-referral code must not make the signup itself fail.
            return
