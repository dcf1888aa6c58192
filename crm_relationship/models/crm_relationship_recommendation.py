import numpy as np
import pandas as pd
from scipy import sparse

from odoo import api, fields, models
from odoo.exceptions import UserError
from odoo.tools import SQL

from ..analytics import bulk, summary

TOP_PRODUCTS = 500
MIN_PAIR_CUSTOMERS = 3
RECOMMENDATIONS_PER_CUSTOMER = 5
# What the customer told us raises a product's score: a product of a category they are interested in by
# half, one of a category of their open need by as much again (both add up).
INTEREST_BOOST = 0.5
NEED_BOOST = 1.0
MATCHES = [("interest", "Their Interest"), ("need", "Their Open Need")]
# Cells (customers x products) of the dense blocks scored at once: bounds the memory of scoring.
SCORING_CELLS = 250_000
# A block of recommendations, as scored and as stored (``id`` aside).
BLOCK_COLUMNS = {
    "partner_id": "int32",
    "rank": "int32",
    "product_id": "int32",
    "anchor_product_id": "int32",
    "lift": "float64",
    "match": "object",
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
    match = fields.Selection(
        MATCHES,
        string="Matches",
        help="What the customer told us that raised this product: an interest or an open need.",
    )
    reason = fields.Text(compute="_compute_reason")

    # Also the index by customer, through which each run compares its recommendations with the stored ones.
    _partner_rank_unique = models.UniqueIndex("(partner_id, rank)", "A customer has one recommendation per rank.")

    @api.depends("product_id", "anchor_product_id", "lift", "match")
    def _compute_reason(self):
        for line in self:
            values = {
                "anchor": line.anchor_product_id.display_name,
                "lift": line.lift,
                "product": line.product_id.display_name,
                "category": line.product_id.categ_id.display_name,
            }
            if line.match == "need":
                line.reason = self.env._(
                    "Customers who buy %(anchor)s are %(lift).1f times more likely than others to buy %(product)s. "
                    "It answers their open need in %(category)s.",
                    **values,
                )
            elif line.match == "interest":
                line.reason = self.env._(
                    "Customers who buy %(anchor)s are %(lift).1f times more likely than others to buy %(product)s. "
                    "They told us %(category)s interests them.",
                    **values,
                )
            else:
                line.reason = self.env._(
                    "Customers who buy %(anchor)s are %(lift).1f times more likely than others to buy %(product)s.",
                    **values,
                )

    def _portal_reason(self):
        """The sentence the customer reads on their order page and in the follow-up email."""
        self.ensure_one()
        # the names the customer knows, without our internal references
        line = self.with_context(display_default_code=False)
        return self.env._(
            "Customers who bought %(anchor)s also bought %(product)s.",
            anchor=line.anchor_product_id.display_name,
            product=line.product_id.display_name,
        )

    def action_add_to_order(self):
        """One click on a quotation: add the recommended product to it (``rel_order_id`` in the context names
        the quotation; the user's own rights on it and on the recommendation decide)."""
        self.ensure_one()
        try:
            order_id = int(self.env.context.get("rel_order_id") or 0)
        except (TypeError, ValueError):
            order_id = 0
        order = self.env["sale.order"].browse(order_id).exists()
        if not order:
            raise UserError(self.env._("Save the quotation first, then add the recommended product."))
        order.check_access("write")
        if order.state not in ("draft", "sent"):
            raise UserError(self.env._("Products are added to quotations only, not to confirmed or cancelled orders."))
        if self not in order.rel_recommendation_ids:
            raise UserError(
                self.env._(
                    "%(product)s is not recommended for this quotation's customer, or it is already on it.",
                    product=self.product_id.display_name,
                )
            )
        self.env["sale.order.line"].create({"order_id": order.id, "product_id": self.product_id.id})
        return True

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
        objected to profiling or were anonymised).

        From the purchase summary that the run refreshed (``analytics.summary``), on this cursor, which
        sees it; or, for a run dated before some order, from the order lines, by one backend without
        parallel workers: on its own thread, that read runs beside the customers' summary, which the
        rest of the run waits for, while the recommendations have time to spare; the workers of both
        reads at once outnumbered the cores, and slowed the summary."""
        if summary.is_usable(self.env.cr, analysis.company_id.id, analysis.date_as_of):
            return summary.read_products(self.env.cr, analysis.company_id.id)
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
            if cr is not analysis.env.cr:
                cr.execute("SET LOCAL max_parallel_workers_per_gather = 0")
            return bulk.read_frame(
                cr,
                query,
                [analysis.company_id.id, as_of_end],
                {"partner_id": "int32", "product_id": "int32", "orders": "int32"},
            )

    @api.model
    def _read_stated(self, analysis, products):
        """What the customers told us, as sparse matrices: customer entity x category for their interests
        and for the categories of their open needs, and category x product (a product counts in its
        category and every parent of it), over the scored ``products``."""
        stated_query = """
            SELECT p.commercial_partner_id AS partner_id, rel.category_id, 1 AS kind
              FROM res_partner_interest_category_rel rel
              JOIN res_partner p ON p.id = rel.partner_id
             UNION
            SELECT n.commercial_partner_id, n.product_category_id, 2
              FROM crm_relationship_need n
             WHERE n.state = 'open' AND n.product_category_id IS NOT NULL
               AND (n.company_id = %s OR n.company_id IS NULL)
        """
        category_query = """
            SELECT pp.id AS product_id, unnest(string_to_array(rtrim(c.parent_path, '/'), '/'))::int AS category_id
              FROM product_product pp
              JOIN product_template pt ON pt.id = pp.product_tmpl_id
              JOIN product_category c ON c.id = pt.categ_id
             WHERE pp.id = ANY(%s)
        """
        with analysis._read_cursor() as cr:
            stated = bulk.read_frame(
                cr,
                stated_query,
                [analysis.company_id.id],
                {"partner_id": "int32", "category_id": "int32", "kind": "int8"},
            )
            in_category = bulk.read_frame(
                cr, category_query, [products.tolist()], {"product_id": "int32", "category_id": "int32"}
            )
        return stated, in_category

    @api.model
    def _stated_matrices(self, analysis, partners, products):
        """Customers x products: 1 where a product is in a category the customer is interested in (first
        matrix) or has an open need in (second), for the customers and products being scored."""
        stated, in_category = self._read_stated(analysis, products)
        categories = np.union1d(stated["category_id"].to_numpy(), in_category["category_id"].to_numpy())
        by_category = sparse.csr_matrix(
            (
                np.ones(len(in_category), dtype=np.float32),
                (
                    np.searchsorted(categories, in_category["category_id"].to_numpy()),
                    np.searchsorted(products, in_category["product_id"].to_numpy()),
                ),
            ),
            shape=(len(categories), len(products)),
        )
        rows = np.searchsorted(partners, stated["partner_id"].to_numpy())
        known = (rows < len(partners)) & (
            partners[np.minimum(rows, len(partners) - 1)] == stated["partner_id"].to_numpy()
        )
        result = []
        for kind in (1, 2):
            keep = known & (stated["kind"].to_numpy() == kind)
            told = sparse.csr_matrix(
                (
                    np.ones(int(keep.sum()), dtype=np.float32),
                    (rows[keep], np.searchsorted(categories, stated["category_id"].to_numpy()[keep])),
                ),
                shape=(len(partners), len(categories)),
            )
            result.append(((told @ by_category) > 0).astype(np.float32).tocsr())
        return result

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
        interests, needs = self._stated_matrices(analysis, partners, products)
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
            interest = interests[start : start + rows].toarray()
            need = needs[start : start + rows].toarray()
            scores *= 1.0 + INTEREST_BOOST * interest + NEED_BOOST * need
            scores[often[start : start + rows].toarray() > 0] = 0.0
            k = min(RECOMMENDATIONS_PER_CUSTOMER, scores.shape[1])
            best = np.argsort(-scores, axis=1)[:, :k]
            dense = block.toarray()
            block_partners = partners[start : start + rows]
            # The block's columns, one array per rank, joined by numpy: pandas' concat of frames checks
            # each cell of an object column for missing values, in Python.
            parts = {name: [] for name in BLOCK_COLUMNS}
            for rank in range(k):
                columns = best[:, rank]
                chosen = scores[np.arange(len(columns)), columns]
                contributions = dense * lift[:, columns].T
                anchors = contributions.argmax(axis=1)
                anchor_lift = contributions[np.arange(len(columns)), anchors]
                keep = chosen > 0
                picked = np.arange(len(columns))
                match = np.where(
                    need[picked, columns] > 0, "need", np.where(interest[picked, columns] > 0, "interest", None)
                )
                parts["partner_id"].append(block_partners[keep])
                parts["rank"].append(np.full(int(keep.sum()), rank + 1))
                parts["product_id"].append(products[columns[keep]])
                parts["anchor_product_id"].append(products[anchors[keep]])
                parts["lift"].append(np.round(anchor_lift[keep], 2))
                parts["match"].append(match[keep])
            yield (
                int(block_partners[-1]),
                pd.DataFrame({name: np.concatenate(arrays) for name, arrays in parts.items()}),
            )

    @api.model
    def _store_block(self, analysis, block, after, upto):
        """Make the stored recommendations of the customers with ``after < partner id <= upto`` (of the
        run's company, or of none) equal ``block`` (the columns of ``BLOCK_COLUMNS``), touching only rows
        that differ.

        One block covers a few thousand customers: its stored rows are read by the partner index, and
        the comparison runs in pandas."""
        cr = self.env.cr
        # The customers of the range that this run may write: the company's own and shared partners.
        # Purchases were read on another snapshot (a replica's, or before a partner merge), so customers
        # deleted since then are dropped here rather than failing the write on a foreign key. Products
        # need no such check: a product on an order line cannot be deleted.
        cr.execute(
            SQL(
                "SELECT p.id, %s FROM res_partner p LEFT JOIN crm_relationship_figures f ON f.partner_id = p.id"
                " WHERE p.id > %s AND p.id <= %s AND %s",
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
            SELECT id, partner_id, rank, product_id, anchor_product_id, lift, match
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
            | (changed["match"].fillna("") != old["match"].fillna(""))
        ]
        if len(changed):
            cr.execute(
                "CREATE TEMP TABLE IF NOT EXISTS crm_recommendation_changed"
                " (id int, product_id int, anchor_product_id int, lift numeric, match varchar) ON COMMIT DROP"
            )
            cr.execute("TRUNCATE crm_recommendation_changed")
            columns = ["id", "product_id", "anchor_product_id", "lift", "match"]
            bulk.write_frame(cr, "crm_recommendation_changed", changed[columns].astype({"id": "int64"}))
            cr.execute(
                """
                UPDATE crm_relationship_recommendation r
                   SET product_id = c.product_id, anchor_product_id = c.anchor_product_id, lift = c.lift,
                       match = c.match
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
