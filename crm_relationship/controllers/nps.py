from werkzeug.exceptions import NotFound

from odoo import http
from odoo.addons.portal.controllers.portal import CustomerPortal
from odoo.exceptions import UserError, ValidationError
from odoo.http import request
from odoo.tools import consteq

from .helpers import clean_text, clean_token, error_message


class CmrNpsPortal(CustomerPortal):
    """The Net Promoter Score survey a customer opens from the email link, logged in or not."""

    def _rel_nps_by_token(self, token):
        token = clean_token(token)
        if not token:
            raise NotFound()
        # sudo: the invitation is found by its secret token, the customer need not be logged in
        response = request.env["crm.relationship.nps"].sudo().search([("access_token", "=", token)], limit=1)
        if not response or not consteq(response.access_token, token):
            raise NotFound()
        return response

    def _rel_nps_values(self, response, token, **values):
        return {
            "response": response,
            "token": token,
            "scores": range(11),
            "error": None,
            # one sentence with its placeholder, so that each language orders it its own way
            "question": request.env._(
                "How likely are you to recommend %(company)s to a friend or colleague?",
                company=response.company_id.name,
            ),
            **values,
        }

    @http.route("/my/nps/<string:token>", type="http", auth="public", methods=["GET"], website=True)
    def portal_nps(self, token, **kw):
        response = self._rel_nps_by_token(token)
        return request.render("crm_relationship.portal_nps", self._rel_nps_values(response, token))

    @http.route("/my/nps/<string:token>", type="http", auth="public", methods=["POST"], website=True)
    def portal_nps_answer(self, token, score=None, comment=None, **kw):
        response = self._rel_nps_by_token(token)
        try:
            comment = clean_text(comment, "long", label=request.env._("Comment"))
            response._record_answer(score, comment)
        except (UserError, ValidationError) as error:
            request.env.cr.rollback()
            values = self._rel_nps_values(response, token, error=error_message(error))
            return request.render("crm_relationship.portal_nps", values, status=400)
        return request.render("crm_relationship.portal_nps", self._rel_nps_values(response, token, thanks=True))
