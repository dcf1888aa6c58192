from odoo import api, fields, models
from odoo.tools import float_compare
from odoo.tools.sql import column_exists, create_column

from ..analytics import summary

OPEN_QUOTATION_STATES = ("draft", "sent")


class SaleOrder(models.Model):
    _inherit = "sale.order"

    rel_recommendation_ids = fields.Many2many(
        "crm.relationship.recommendation",
        string="Recommended Products",
        compute="_compute_rel_recommendation_ids",
        groups="sales_team.group_sale_salesman",
        help="The customer's next best products that are not on this quotation yet.",
    )
    rel_delivered_on = fields.Datetime(
        string="Delivered On",
        compute="_compute_rel_delivered_on",
        store=True,
        copy=False,
        help="When every line of the confirmed order was delivered.",
    )
    rel_cross_sell_sent_on = fields.Datetime(
        string="Cross-Sell Follow-Up On",
        readonly=True,
        copy=False,
        help="When the follow-up email with recommended products was sent, scheduled or skipped for this order.",
    )

    def init(self):
        """The customers' purchase summary of the nightly analysis, and the triggers on this table and
        the partners' that list the customers whose orders change (``analytics.summary``)."""
        result = super().init()
        summary.install(self.env.cr)
        return result

    def _auto_init(self):
        # Orders delivered before the install get no delivery date, so no follow-up: create the column empty
        # rather than computing it for every order of the history.
        if not column_exists(self.env.cr, "sale_order", "rel_delivered_on"):
            create_column(self.env.cr, "sale_order", "rel_delivered_on", "timestamp")
        return super()._auto_init()

    @api.depends("state", "order_line.qty_delivered", "order_line.product_uom_qty", "order_line.display_type")
    def _compute_rel_delivered_on(self):
        now = fields.Datetime.now()
        for order in self:
            lines = order.order_line.filtered(
                lambda line: not line.display_type and not line.is_downpayment and line.product_uom_qty > 0
            )
            delivered = (
                order.state == "sale"
                and bool(lines)
                and all(
                    float_compare(
                        line.qty_delivered, line.product_uom_qty, precision_rounding=line.product_uom_id.rounding
                    )
                    >= 0
                    for line in lines
                )
            )
            order.rel_delivered_on = (order.rel_delivered_on or now) if delivered else False

    @api.depends("partner_id", "state", "company_id", "order_line.product_id")
    def _compute_rel_recommendation_ids(self):
        Recommendation = self.env["crm.relationship.recommendation"]
        quotations = self.filtered(lambda order: order.state in OPEN_QUOTATION_STATES and order.partner_id)
        (self - quotations).rel_recommendation_ids = Recommendation
        if not quotations:
            return
        # The user's own rights: a salesperson sees the recommendations of their own customers only.
        by_customer = Recommendation.search(
            [("partner_id", "in", quotations.partner_id.commercial_partner_id.ids)]
        ).grouped("partner_id")
        for order in quotations:
            found = by_customer.get(order.partner_id.commercial_partner_id, Recommendation)
            order.rel_recommendation_ids = order._rel_offerable(found)

    def _rel_offerable(self, recommendations):
        """The ``recommendations`` whose product is not on this order and can be sold by its company."""
        self.ensure_one()
        on_order = self.order_line.product_id
        return recommendations.filtered(
            lambda rec: rec.product_id not in on_order
            and rec.product_id.sale_ok
            and rec.product_id.company_id in (self.company_id, self.company_id.browse())
        )

    def _rel_portal_recommendations(self):
        """What the order's own customer reads on its portal page and in the follow-up email."""
        self.ensure_one()
        if self.state == "cancel":
            return self.env["crm.relationship.recommendation"]
        # sudo: customers cannot read the analysis; these are the recommendations of the order's own
        # customer entity, shown on the page of an order whose access the portal controller checked
        found = (
            self.env["crm.relationship.recommendation"]
            .sudo()
            .search([("partner_id", "=", self.partner_id.commercial_partner_id.id)])
        )
        return self.sudo()._rel_offerable(found)
