import numpy as np
import pandas as pd
from scipy import sparse

from odoo import api, fields, models
from odoo.tools import SQL

from ..analytics import bulk

TOP_PRODUCTS = 500
MIN_PAIR_CUSTOMERS = 3
RECOMMENDATIONS_PER_CUSTOMER = 5
# Cells (customers x products) of the dense blocks scored at once: bounds the memory of scoring.
SCORING_CELLS = 250_000
# A block of recommendations, as scored and as stored (``id`` aside).
BLOCK_COLUMNS = {
    "partner_id": "int32",
    "rank": "int32",
    "product_id": "int32",
    "anchor_product_id": "int32",
    "lift": "float64",
}


class CrmRelationshipRecommendation(models.Model):
    """A product to recommend to a customer, from what other customers bought together (co-purchase lift)."""

    _name = "crm.relationship.recommendation"
    _description = "Next Best Product"
    _order = "partner_id, rank"
    # Rewritten in bulk by every analysis run (five rows per customer), like mail.notification: who and
    # when is the run's own record, and audit columns would cost two foreign-key checks per row.
    _log_access = False

    partner_id = fields.Many2one("res.partner", string="Customer", required=True, ondelete="cascade")
    product_id = fields.Many2one("product.product", string="Product", required=True, ondelete="cascade")
    anchor_product_id = fields.Many2one(
        "product.product", string="Because They Bought", required=True, ondelete="cascade"
    )
    rank = fields.Integer(required=True)
    lift = fields.Float(digits=(16, 2), help="How many times more often the two are bought together than by chance.")
    reason = fields.Char(compute="_compute_reason")

    # Also the index by customer, through which each run compares its recommendations with the stored ones.
    _partner_rank_unique = models.UniqueIndex("(partner_id, rank)", "A customer has one recommendation per rank.")

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
        """Make every customer's recommendations those of the whole confirmed order history.

        Customers are scored a block at a time; each block is compared with what is stored for the
        same range of partner ids, and only what changed is written: a nightly run rewrites few rows,
        and unchanged rows cost neither a write nor foreign-key checks.
        """
        nothing = pd.DataFrame({name: pd.Series(dtype=kind) for name, kind in BLOCK_COLUMNS.items()})
        # The last range (customers after the last block, or everyone when nobody bought) keeps nothing.
        for after, upto, block in bulk.id_ranges(self._score_blocks(analysis)):
            self._store_block(analysis, nothing if block is None else block, after, upto)
        self.invalidate_model()

    @api.model
    def _read_bought(self, analysis):
        """Per customer entity and product: in how many confirmed orders they bought it (but those who
        objected to profiling or were anonymised)."""
        as_of_end = f"{analysis.date_as_of} 23:59:59"
        query = """
            SELECT p.commercial_partner_id AS partner_id, sol.product_id, COUNT(DISTINCT so.id) AS orders
              FROM sale_order_line sol
              JOIN sale_order so ON so.id = sol.order_id
              JOIN res_partner p ON p.id = so.partner_id
              JOIN res_partner cp ON cp.id = p.commercial_partner_id
             WHERE so.state = 'sale' AND so.company_id = %s AND so.date_order <= %s
               AND cp.rel_profiling_objection IS NOT TRUE AND cp.rel_anonymised_on IS NULL
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
    def _score_blocks(self, analysis):
        """Score every customer against the co-purchase lift of the products, a block of customers at a
        time in ascending partner id: yield the block's last partner id and its recommendations."""
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
            yield int(block_partners[-1]), pd.concat(parts, ignore_index=True)

    @api.model
    def _store_block(self, analysis, block, after, upto):
        """Make the stored recommendations of the customers with ``after < partner id <= upto`` (of the
        run's company, or of none) equal ``block``, touching only rows that differ.

        One block covers a few thousand customers: its stored rows are read by the partner index, and
        the comparison runs in pandas."""
        cr = self.env.cr
        # The customers of the range that this run may write: the company's own and shared partners.
        # Purchases were read on another snapshot (a replica's, or before a partner merge), so customers
        # deleted since then are dropped here rather than failing the write on a foreign key. Products
        # need no such check: a product on an order line cannot be deleted.
        cr.execute(
            SQL(
                "SELECT p.id, %s FROM res_partner p WHERE p.id > %s AND p.id <= %s AND %s",
                analysis._sql_partner_analysed_here(),
                after,
                upto,
                analysis._sql_partner_writable(),
            )
        )
        rows = np.array(cr.fetchall(), dtype=np.int64).reshape(-1, 2)
        block = block[block["partner_id"].isin(rows[:, 0])]
        # Besides its customers, the run rewrites only the recommendations of partners analysed for its
        # company or for none.
        partners = np.union1d(rows[rows[:, 1] == 1, 0], block["partner_id"])
        stored = bulk.read_frame(
            cr,
            """
            SELECT id, partner_id, rank, product_id, anchor_product_id, lift
              FROM crm_relationship_recommendation
             WHERE partner_id > %s AND partner_id <= %s
            """,
            [after, upto],
            {"id": "int64"} | BLOCK_COLUMNS,
        )
        stored = stored[stored["partner_id"].isin(partners)]
        stored = stored.set_index(_slot(stored))
        block = block.set_index(_slot(block))
        gone = stored.index.difference(block.index)
        if len(gone):
            cr.execute(
                "DELETE FROM crm_relationship_recommendation WHERE id = ANY(%s)", [stored.loc[gone, "id"].tolist()]
            )
        common = stored.index.intersection(block.index)
        old, changed = stored.loc[common], block.loc[common]
        changed = changed.assign(id=old["id"])[
            (changed["product_id"] != old["product_id"])
            | (changed["anchor_product_id"] != old["anchor_product_id"])
            | (changed["lift"].round(2) != old["lift"].round(2))
        ]
        if len(changed):
            cr.execute(
                "CREATE TEMP TABLE IF NOT EXISTS crm_recommendation_changed"
                " (id int, product_id int, anchor_product_id int, lift numeric) ON COMMIT DROP"
            )
            cr.execute("TRUNCATE crm_recommendation_changed")
            columns = ["id", "product_id", "anchor_product_id", "lift"]
            bulk.write_frame(cr, "crm_recommendation_changed", changed[columns].astype({"id": "int64"}))
            cr.execute(
                """
                UPDATE crm_relationship_recommendation r
                   SET product_id = c.product_id, anchor_product_id = c.anchor_product_id, lift = c.lift
                  FROM crm_recommendation_changed c
                 WHERE r.id = c.id
                """
            )
        new = block.loc[block.index.difference(stored.index), list(BLOCK_COLUMNS)]
        if len(new):
            bulk.write_frame(cr, "crm_relationship_recommendation", new.astype(BLOCK_COLUMNS))


def _slot(frame):
    """One integer per (customer, rank): the key on which scored and stored recommendations are compared."""
    return frame["partner_id"].to_numpy(dtype=np.int64) * (RECOMMENDATIONS_PER_CUSTOMER + 1) + frame["rank"].to_numpy(
        dtype=np.int64
    )
