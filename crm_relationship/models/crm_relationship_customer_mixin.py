from datetime import timedelta

from odoo import fields, models
from odoo.exceptions import AccessError, UserError


class CrmRelationshipCustomerMixin(models.AbstractModel):
    """What a customer (a portal or public user) may send on records they share with the company.

    A customer sets the fields listed in ``_customer_fields`` only, for a partner of their own
    commercial entity, and creates at most ``_customer_rate_limit`` records an hour. The fields the
    company owns (state, answers, reviewers, stages, dates) stay the company's, over RPC as well:
    record rules are checked before a write and ``readonly`` is a view hint only. The guards are
    called first thing in ``create()`` and ``write()`` of each model, before its own logic.
    """

    _name = "crm.relationship.customer.mixin"
    _inherit = ["crm.relationship.partner.mixin"]
    _description = "Customer Submission Rules"

    # fields a customer may set on create and write; everything else belongs to the company
    _customer_fields = frozenset()
    # records one customer may create per hour, whatever the way (portal form or RPC); 0: no limit
    _customer_rate_limit = 0

    def _customer_is_acting(self):
        """True for a portal or public user acting with their own rights (sudo is the code's choice)."""
        return not self.env.su and self.env.user.share

    def _customer_refuse_fields(self, names):
        labels = ", ".join(
            sorted(self._fields[name]._description_string(self.env) if name in self._fields else name for name in names)
        )
        raise AccessError(
            self.env._("You cannot set these fields, the company fills them in: %(fields)s", fields=labels)
        )

    def _customer_check_partner(self, partner_id):
        """A customer writes records for a partner of their own commercial entity only."""
        # sudo: a customer may not read other partners; only the commercial entity is compared
        partner = self.env["res.partner"].sudo().browse(partner_id).exists()
        if not partner or partner.commercial_partner_id != self.env.user.partner_id.commercial_partner_id:
            raise AccessError(self.env._("You can only send this for yourself."))

    def _customer_prepare_create(self, vals_list):
        """Check a customer's values and rate before anything is created; return the environment to create in.

        Defaults sent in the context (``default_state``…) reach RPC unchanged: a customer's create
        keeps only the defaults of the fields they may set.
        """
        if self.env.user.share:
            self._customer_check_rate(len(vals_list))
        if not self._customer_is_acting():
            return self
        for vals in vals_list:
            forbidden = set(vals) - self._customer_fields
            if forbidden:
                self._customer_refuse_fields(forbidden)
            if vals.get("partner_id"):
                self._customer_check_partner(vals["partner_id"])
        context = {
            key: value
            for key, value in self.env.context.items()
            if not key.startswith("default_") or key[len("default_") :] in self._customer_fields
        }
        # the context without those keys (with_context would only add or change keys)
        return self.with_env(self.env(context=context))

    def _customer_check_write(self, vals):
        """Refuse a customer's write of company-owned fields, or moving a record to another customer."""
        if not self._customer_is_acting():
            return
        forbidden = set(vals) - self._customer_fields
        if forbidden:
            self._customer_refuse_fields(forbidden)
        if "partner_id" in vals:
            self._customer_check_partner(vals["partner_id"])

    def _customer_check_rate(self, count=1):
        """Refuse creating ``count`` more records when this customer already created too many in the last hour.

        Applies to portal and public users whatever the sudo flag: a controller creating under sudo
        keeps the user (``env.uid``), who stays the author of the records.
        """
        limit = self._customer_rate_limit
        if not limit:
            return
        since = fields.Datetime.now() - timedelta(hours=1)
        # sudo: counting the user's own recent records, whatever the rules say about older ones
        recent = (
            self.sudo()
            .with_context(active_test=False)
            .search_count([("create_uid", "=", self.env.uid), ("create_date", ">=", since)], limit=limit + 1)
        )
        if recent + count > limit:
            raise UserError(self.env._("You have sent many requests in a short time. Please try again in an hour."))

    def _check_relationship_user(self):
        """The company's decisions on customer records are for Relationship Users."""
        if not self.env.su and not self.env.user.has_group("crm_relationship.group_relationship_user"):
            raise AccessError(self.env._("Only Relationship users can do this."))
