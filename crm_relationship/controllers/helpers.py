"""What the portal controllers share: form value validation, uploads, the rate limit, message codes.

The complaint and NPS pages of this addon use them, and so do the self-service pages of crm_cmr_portal.
"""

from datetime import timedelta

from odoo import fields
from odoo.exceptions import UserError, ValidationError
from odoo.http import request
from odoo.tools.mimetypes import guess_mimetype

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
# Household members a customer may add per hour. Complaints, suggestions and needs are limited by their
# models (crm.relationship.customer.mixin), whatever the way in.
HOUSEHOLD_RATE_LIMIT = 20
TEXT_LIMITS = {"short": 200, "long": 10000}
# The confirmations a page may show, by the code its URL carries (``?success=<code>``); the texts are in
# the portal_feedback template (crm_cmr_portal adds its own codes to both). Any other value shows nothing:
# a link cannot put words on our pages.
SUCCESS_CODES = frozenset({"created", "reopened"})
MAX_TOKEN_LENGTH = 128


def commercial_partner():
    return request.env.user.partner_id.commercial_partner_id


def clean_text(value, kind="short", required=False, label=None):
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


def clean_int(value, label):
    if value in (None, ""):
        return False
    try:
        number = int(value)
    except (TypeError, ValueError):
        raise ValidationError(request.env._("%(field)s is not valid.", field=label)) from None
    if not 0 < number <= MAX_RECORD_ID:
        raise ValidationError(request.env._("%(field)s is not valid.", field=label))
    return number


def success_code(code, codes=SUCCESS_CODES):
    """The confirmation code of the URL if it is one of ``codes``, else None (nothing is shown)."""
    return code if isinstance(code, str) and code in codes else None


def clean_token(token):
    """A secret token of a URL, or None when it cannot be one (too long, not plain ASCII)."""
    if not isinstance(token, str) or not token or len(token) > MAX_TOKEN_LENGTH:
        return None
    if not token.isascii() or not token.isprintable():
        return None
    return token


def check_rate(model):
    """Refuse a submission when this customer already made too many in the last hour, before the form's
    values are validated: the model's own limit where it has one, else the household limit."""
    records = request.env[model]
    if hasattr(records, "_customer_check_rate"):
        records._customer_check_rate()
        return
    since = fields.Datetime.now() - timedelta(hours=1)
    # sudo: counting the user's own recent submissions, whatever rules say about older ones
    recent = records.sudo().search_count(
        [("create_uid", "=", request.env.uid), ("create_date", ">=", since)], limit=HOUSEHOLD_RATE_LIMIT
    )
    if recent >= HOUSEHOLD_RATE_LIMIT:
        raise UserError(request.env._("You have sent many requests in a short time. Please try again in an hour."))


def attachment_values(files):
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


def error_message(error):
    """The message of a refused request, in the user's language."""
    return error.args[0] if error.args else str(error)


def count_own(model, domain=()):
    """How many records of ``model`` the customer has (home counters); 0 without the right to read them."""
    Model = request.env[model]
    if not Model.has_access("read"):
        return 0
    return Model.search_count([("commercial_partner_id", "=", commercial_partner().id), *domain])
