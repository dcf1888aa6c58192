import numpy as np
import pandas as pd
from scipy import sparse

from odoo import api, fields, models

from ..analytics import bulk

TOP_PRODUCTS = 500
MIN_PAIR_CUSTOMERS = 3
RECOMMENDATIONS_PER_CUSTOMER = 5
# Cells (customers x products) of the dense blocks scored at once: bounds the memory of scoring.
SCORING_CELLS = 250_000


class CrmRelationshipRecommendation(models.Model):
    """A product to suggest to a customer, from what other customers bought together (co-purchase lift)."""

    _name = "crm.relationship.recommendation"
    _description = "Next Best Product"
    _order = "partner_id, rank"
    # Rewritten in bulk by every analysis run (five rows per customer), like mail.notification: who and
    # when is the run's own record, and audit columns would cost two foreign-key checks per row.
    _log_access = False

    partner_id = fields.Many2one("res.partner", string="Customer", required=True, index=True, ondelete="cascade")
    product_id = fields.Many2one("product.product", string="Product", required=True, ondelete="cascade")
    anchor_product_id = fields.Many2one(
        "product.product", string="Because They Bought", required=True, ondelete="cascade"
    )
    rank = fields.Integer(required=True)
    lift = fields.Float(digits=(16, 2), help="How many times more often the two are bought together than by chance.")
    reason = fields.Char(compute="_compute_reason")

    @api.depends("product_id", "anchor_product_id", "lift")
    def _compute_reason(self):
        for line in self:
            line.reason = self.env._(
                "Customers who buy %(anchor)s are %(lift).1f times more likely than others to buy %(product)s.",
                anchor=line.anchor_product_id.display_name,
                lift=line.lift,
                product=line.product_id.display_name,
            )

    @api.model
    def _compute_for_analysis(self, analysis):
        """Replace every customer's suggestions from the whole confirmed order history, in bulk."""
        self._start_storing()
        self._score_and_store(analysis)
        self._finish_storing(analysis)

    @api.model
    def _read_bought(self, analysis):
        """Per customer entity and product: in how many confirmed orders they bought it."""
        as_of_end = f"{analysis.date_as_of} 23:59:59"
        query = """
            SELECT p.commercial_partner_id AS partner_id, sol.product_id, COUNT(DISTINCT so.id) AS orders
              FROM sale_order_line sol
              JOIN sale_order so ON so.id = sol.order_id
              JOIN res_partner p ON p.id = so.partner_id
             WHERE so.state = 'sale' AND so.company_id = %s AND so.date_order <= %s
               AND sol.product_id IS NOT NULL AND sol.display_type IS NULL AND sol.price_unit > 0
          GROUP BY 1, 2
        """
        with analysis._read_cursor() as cr:
            return bulk.read_frame(
                cr,
                query,
                [analysis.company_id.id, as_of_end],
                {"partner_id": "int32", "product_id": "int32", "orders": "int32"},
            )

    @api.model
    def _score_and_store(self, analysis):
        """Score every customer against the co-purchase lift of the products, a block of customers at a
        time, each block's suggestions sent to the database before the next block is scored."""
        bought = self._read_bought(analysis)
        if bought.empty:
            return
        customers_per_product = bought.groupby("product_id").size()
        if len(customers_per_product) > TOP_PRODUCTS:
            bought = bought[bought["product_id"].isin(customers_per_product.nlargest(TOP_PRODUCTS).index)]
        partners, partner_index = np.unique(bought["partner_id"].to_numpy(), return_inverse=True)
        products, product_index = np.unique(bought["product_id"].to_numpy(), return_inverse=True)
        matrix = sparse.csr_matrix(
            (np.ones(len(bought), dtype=np.float32), (partner_index, product_index)),
            shape=(len(partners), len(products)),
        )
        often = sparse.csr_matrix(
            ((bought["orders"].to_numpy() >= 2).astype(np.float32), (partner_index, product_index)),
            shape=matrix.shape,
        )
        del bought, partner_index, product_index
        pairs = (matrix.T @ matrix).toarray().astype(float)
        singles = np.diag(pairs)
        with np.errstate(divide="ignore", invalid="ignore"):
            lift = pairs * len(partners) / np.outer(singles, singles)
        lift[(pairs < MIN_PAIR_CUSTOMERS) | ~np.isfinite(lift)] = 0.0
        np.fill_diagonal(lift, 0.0)
        lift[lift <= 1.0] = 0.0
        rows = int(np.clip(SCORING_CELLS // len(products), 100, 20_000))
        for start in range(0, len(partners), rows):
            block = matrix[start : start + rows]
            scores = block @ lift
            scores[often[start : start + rows].toarray() > 0] = 0.0
            k = min(RECOMMENDATIONS_PER_CUSTOMER, scores.shape[1])
            best = np.argsort(-scores, axis=1)[:, :k]
            dense = block.toarray()
            block_partners = partners[start : start + rows]
            parts = []
            for rank in range(k):
                columns = best[:, rank]
                chosen = scores[np.arange(len(columns)), columns]
                contributions = dense * lift[:, columns].T
                anchors = contributions.argmax(axis=1)
                anchor_lift = contributions[np.arange(len(columns)), anchors]
                keep = chosen > 0
                parts.append(
                    pd.DataFrame(
                        {
                            "partner_id": block_partners[keep],
                            "product_id": products[columns[keep]],
                            "anchor_product_id": products[anchors[keep]],
                            "rank": rank + 1,
                            "lift": np.round(anchor_lift[keep], 2),
                        }
                    )
                )
            bulk.write_frame(self.env.cr, "crm_recommendation_new", pd.concat(parts, ignore_index=True))

    @api.model
    def _start_storing(self):
        self.env.cr.execute(
            "CREATE TEMP TABLE crm_recommendation_new (partner_id int, product_id int, anchor_product_id int,"
            " rank int, lift numeric) ON COMMIT DROP"
        )

    @api.model
    def _finish_storing(self, analysis):
        """Make the stored suggestions equal the new ones, touching only what changed: a nightly run
        rewrites few rows, and unchanged rows cost no foreign-key checks."""
        cr = self.env.cr
        cr.execute("CREATE INDEX ON crm_recommendation_new (partner_id, rank)")
        cr.execute("ANALYZE crm_recommendation_new")
        # Purchases were read on another snapshot (a replica's, or before a partner merge): customers
        # deleted since then are dropped here rather than failing the run on a foreign key. Products
        # need no such check: a product on an order line cannot be deleted.
        cr.execute(
            """
            DELETE FROM crm_recommendation_new n
             USING (SELECT partner_id FROM crm_recommendation_new WHERE rank = 1
                    EXCEPT SELECT id FROM res_partner) gone
             WHERE n.partner_id = gone.partner_id
            """
        )
        cr.execute(
            """
            DELETE FROM crm_relationship_recommendation r
             USING res_partner p
             WHERE p.id = r.partner_id AND (p.company_id IS NULL OR p.company_id = %s)
               AND NOT EXISTS (SELECT 1 FROM crm_recommendation_new n
                                WHERE n.partner_id = r.partner_id AND n.rank = r.rank)
            """,
            [analysis.company_id.id],
        )
        cr.execute(
            """
            UPDATE crm_relationship_recommendation r
               SET product_id = n.product_id, anchor_product_id = n.anchor_product_id, lift = n.lift
              FROM crm_recommendation_new n
             WHERE n.partner_id = r.partner_id AND n.rank = r.rank
               AND (r.product_id, r.anchor_product_id, r.lift)
                   IS DISTINCT FROM (n.product_id, n.anchor_product_id, n.lift)
            """
        )
        cr.execute(
            """
            INSERT INTO crm_relationship_recommendation (partner_id, product_id, anchor_product_id, rank, lift)
            SELECT n.partner_id, n.product_id, n.anchor_product_id, n.rank, n.lift
              FROM crm_recommendation_new n
             WHERE NOT EXISTS (SELECT 1 FROM crm_relationship_recommendation r
                                WHERE r.partner_id = n.partner_id AND r.rank = n.rank)
            """
        )
        cr.execute("DROP TABLE crm_recommendation_new")
        self.invalidate_model()
