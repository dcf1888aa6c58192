"""What only the self-service pages need; the helpers they share with crm_relationship's pages live there."""

from werkzeug.exceptions import NotFound

from odoo.addons.crm_relationship.controllers.helpers import MAX_RECORD_ID, SUCCESS_CODES, clean_int
from odoo.addons.crm_relationship.controllers.helpers import success_code as relationship_success_code
from odoo.http import request

# The confirmations of the self-service pages, beside the complaint pages' ones (texts: portal_feedback).
PORTAL_SUCCESS_CODES = SUCCESS_CODES | {
    "preferences",
    "consent",
    "need",
    "household",
    "claimed",
    "erasure",
    "objection",
    "objection_withdrawn",
}


def success_code(code):
    """The confirmation code of the URL if one of the portal's pages may show it, else None."""
    return relationship_success_code(code, PORTAL_SUCCESS_CODES)


def path_record_id(record_id):
    """A record id taken from the URL path: one a PostgreSQL integer can hold, else 404."""
    if not 0 < record_id <= MAX_RECORD_ID:
        raise NotFound()
    return record_id


def clean_ids(name, label):
    """The record ids a multiple-choice field of the submitted form holds, empty choices left out."""
    return [clean_int(value, label) for value in request.httprequest.form.getlist(name) if value != ""]
