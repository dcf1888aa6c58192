from odoo import api, fields, models
from odoo.exceptions import ValidationError


class ProductCategory(models.Model):
    """A category may carry the gross margin of what is sold in it, which the lifetime value of the
    customers who buy it uses instead of the Settings' margin."""

    _inherit = "product.category"

    rel_own_margin = fields.Boolean(
        string="Own Margin",
        help="Set a gross margin for this category and its subcategories. Otherwise the margin of the "
        "nearest parent category that has one applies, or the margin of the Settings.",
    )
    rel_margin = fields.Float(
        string="Gross Margin (%)",
        digits=(16, 2),
        help="Share of the untaxed amount sold in this category that is margin, in percent.",
    )
    rel_margin_used = fields.Float(
        string="Margin Used (%)",
        compute="_compute_rel_margin_used",
        recursive=True,
        digits=(16, 2),
        help="The margin the lifetime value counts for this category: its own, its nearest parent's, "
        "or the Settings' margin.",
    )

    @api.constrains("rel_own_margin", "rel_margin")
    def _check_rel_margin(self):
        if any(category.rel_own_margin and not 0 <= category.rel_margin <= 100 for category in self):
            raise ValidationError(self.env._("A category's gross margin is between 0% and 100%."))

    @api.onchange("rel_own_margin")
    def _onchange_rel_own_margin(self):
        # A category that takes a margin of its own starts from the one it used so far.
        for category in self.filtered(lambda c: c.rel_own_margin and not c.rel_margin):
            category.rel_margin = (
                category.parent_id.rel_margin_used if category.parent_id else category._rel_default_margin()
            )

    @api.model
    def _rel_default_margin(self):
        # sudo: system parameters are the administrators'; the default margin is shown to whoever reads it
        return float(self.env["ir.config_parameter"].sudo().get_param("crm_relationship.value_margin", 30.0))

    @api.depends("rel_own_margin", "rel_margin", "parent_id.rel_margin_used")
    def _compute_rel_margin_used(self):
        default = self._rel_default_margin()
        for category in self:
            if category.rel_own_margin:
                category.rel_margin_used = category.rel_margin
            else:
                category.rel_margin_used = category.parent_id.rel_margin_used if category.parent_id else default
