"""What the relationship analysis reads from and writes to PostgreSQL, in bulk.

The reads summarise sales orders, complaints and NPS answers per customer entity into typed
columns (through ``bulk.read_frame``); the writes put each chunk's metrics into a temporary table
and write the customers' figures (``crm_relationship_figures``) from it. Cursors are the caller's;
nothing here goes through the ORM.
"""

from datetime import datetime
from datetime import time as dtime

import pandas as pd

from odoo.tools import SQL

from . import bulk

# The columns of the customers' figures (``crm.relationship.figures``) the analysis writes, in the
# order of its temporary table. The partner shows each as the related field ``rel_<column>``.
METRIC_COLUMNS = [
    "rfm_recency",
    "rfm_frequency",
    "rfm_monetary",
    "rfm_r_score",
    "rfm_f_score",
    "rfm_m_score",
    "rfm_segment",
    "clv_expected_purchases",
    "clv_value",
    "lifetime_value",
    "value_rank",
    "clv_probability_alive",
    "lifecycle_stage",
    "loyalty_quadrant",
    "attitude",
    "health",
    "health_value_points",
    "health_retention_points",
    "health_satisfaction_points",
    "health_complaint_points",
    "company_id",
    "age_days",
    "usual_gap_days",
    "longest_gap_days",
    "clv_spend",
    "clv_discounted_purchases",
    "figures_rough",
]
# The figures of the run before, kept beside each customer's new ones when the new ones are written
# (rising and falling customers), and the move of the value rank between the two.
PREVIOUS_COLUMNS = {
    "previous_value_rank": "value_rank",
    "previous_lifetime_value": "lifetime_value",
    "previous_rfm_frequency": "rfm_frequency",
    "previous_probability_alive": "clv_probability_alive",
}
# Every column of the figures the run writes; the partner's field for each is ``rel_<column>``.
FIGURE_COLUMNS = [*METRIC_COLUMNS, *PREVIOUS_COLUMNS, "value_rank_change"]
# The partner's fields that show the figures, for the caches to forget after a write in SQL.
PARTNER_FIELDS = ["rel_figures_id", "rel_currency_id", *(f"rel_{column}" for column in FIGURE_COLUMNS)]

CUSTOMERS_QUERY = """
    WITH occasion AS (
        SELECT p.commercial_partner_id AS partner_id,
               so.date_order::date AS day,
               SUM(so.amount_untaxed / COALESCE(NULLIF(so.currency_rate, 0), 1)) AS amount,
               COUNT(*) AS orders
          FROM sale_order so
          JOIN res_partner p ON p.id = so.partner_id
          JOIN res_partner cp ON cp.id = p.commercial_partner_id
         WHERE so.state = 'sale' AND so.company_id = %(company)s AND so.date_order <= %(as_of_end)s
           AND cp.rel_profiling_objection IS NOT TRUE AND cp.rel_anonymised_on IS NULL
      GROUP BY 1, 2
    ), ordered AS (
        SELECT partner_id, day, amount, orders,
               day - LAG(day) OVER (PARTITION BY partner_id ORDER BY day) AS gap
          FROM occasion
    )
    SELECT partner_id,
           %(as_of)s::date - MIN(day) AS age_days,
           %(as_of)s::date - MAX(day) AS recency_days,
           MAX(day) - MIN(day) AS span_days,
           COUNT(*) AS occasions,
           SUM(orders) AS orders,
           SUM(amount)::float8 AS total,
           COALESCE(AVG(amount) FILTER (WHERE gap IS NOT NULL), 0)::float8 AS repeat_mean,
           COALESCE(MAX(gap), 0) AS max_gap_days
      FROM ordered
  GROUP BY partner_id
  ORDER BY partner_id
"""
CUSTOMERS_DTYPE = {
    "partner_id": "int64",
    "age_days": "int32",
    "recency_days": "int32",
    "span_days": "int32",
    "occasions": "int32",
    "orders": "int64",
    "total": "float64",
    "repeat_mean": "float64",
    "max_gap_days": "int32",
}
COMPLAINTS_QUERY = """
    SELECT c.commercial_partner_id AS partner_id,
           COUNT(*) AS complaints,
           COUNT(*) FILTER (WHERE NOT COALESCE(s.is_closed, FALSE)) AS open_complaints,
           AVG(NULLIF(c.rating_last_value, 0))::float8 AS rating
      FROM crm_complaint c
 LEFT JOIN crm_complaint_stage s ON s.id = c.stage_id
     WHERE c.company_id = %(company)s AND c.commercial_partner_id BETWEEN %(first)s AND %(last)s
  GROUP BY 1
"""
NPS_QUERY = """
    SELECT DISTINCT ON (commercial_partner_id) commercial_partner_id AS partner_id, score::float8 AS nps
      FROM crm_relationship_nps
     WHERE state = 'answered' AND company_id = %(company)s
       AND commercial_partner_id BETWEEN %(first)s AND %(last)s
  ORDER BY commercial_partner_id, date_answered DESC, id DESC
"""


def read_customers(cr, company_id, as_of):
    """One row per customer entity of ``company_id`` with confirmed orders up to the date ``as_of``
    (but those who objected to profiling or were anonymised),
    indexed by partner id (ascending), summarised by PostgreSQL: age, recency and span in days,
    purchase occasions (orders of one calendar day count once), orders, total and mean repeat spend
    (the first occasion excluded) in company currency, and the longest gap between occasions.

    Through COPY, so that the client holds a few typed columns rather than a row per occasion.
    """
    params = {"company": company_id, "as_of_end": datetime.combine(as_of, dtime.max), "as_of": as_of}
    return bulk.read_frame(cr, CUSTOMERS_QUERY, params, CUSTOMERS_DTYPE).set_index("partner_id")


def read_attitude(cr, company_id, partner_ids):
    """Complaints and NPS answers of the customer entities ``partner_ids`` (ascending ids of a chunk)."""
    bounds = {"company": company_id, "first": int(partner_ids[0]), "last": int(partner_ids[-1])}
    complaints = bulk.read_frame(
        cr,
        COMPLAINTS_QUERY,
        bounds,
        {"partner_id": "int64", "complaints": "float64", "open_complaints": "float64", "rating": "float64"},
    )
    nps = bulk.read_frame(cr, NPS_QUERY, bounds, {"partner_id": "int64", "nps": "float64"})
    frame = complaints.set_index("partner_id").join(nps.set_index("partner_id"), how="outer")
    frame = frame.reindex(pd.Index(partner_ids, name="partner_id"))
    frame[["complaints", "open_complaints"]] = frame[["complaints", "open_complaints"]].fillna(0)
    return frame


def sql_partner_writable(company_id):
    """Partners ``p`` a run of ``company_id`` may write: its company's own and shared ones."""
    return SQL("(p.company_id IS NULL OR p.company_id = %s)", company_id)


def sql_partner_analysed_here(company_id):
    """Partners ``p`` whose figures and recommendations are ``company_id``'s or nobody's: a run replaces
    another company's only for its own customers. ``f`` is the partner's figures, left-joined."""
    return SQL("(f.company_id IS NULL OR f.company_id = %s)", company_id)


class MetricsTable:
    """The temporary table ``crm_analysis_metrics`` of a run's metric rows, and the write of the figures
    from it.

    A plain temporary table outlives the commits between chunks; it is the session's own. Its
    columns are the figures' own, types included, and the partner's id.
    """

    name = "crm_analysis_metrics"

    def __init__(self, cr, uid):
        self.cr = cr
        names = [SQL.identifier(column) for column in METRIC_COLUMNS]
        cr.execute("DROP TABLE IF EXISTS crm_analysis_metrics")
        cr.execute(
            SQL(
                "CREATE TEMP TABLE crm_analysis_metrics AS SELECT partner_id, %s FROM crm_relationship_figures"
                " WITH NO DATA",
                SQL(", ").join(names),
            )
        )
        previous = [(SQL.identifier(old), SQL.identifier(new)) for old, new in PREVIOUS_COLUMNS.items()]
        rank, change = SQL.identifier("value_rank"), SQL.identifier("value_rank_change")
        same = SQL("(%s) IS NOT DISTINCT FROM (%s)", *self._tuples(names))
        olds = SQL(", ").join(SQL("f.%s", old) for old, _new in previous)
        news = SQL(", ").join(SQL("f.%s", new) for _old, new in previous)
        stamp = SQL("%s, NOW() AT TIME ZONE 'UTC'", uid)
        # One statement for both kinds of rows, whose expressions all read the row as it was:
        # - changed customers get their new figures, and the old ones become the previous figures;
        # - unchanged customers keep their figures, and since the run before had the same ones, nothing
        #   moved between the two; they are rewritten only when their previous figures say otherwise, so
        #   that a second re-run on the same data writes nothing.
        self._update = SQL(
            "UPDATE crm_relationship_figures f SET %s, %s, %s = CASE WHEN %s THEN 0 ELSE COALESCE(v.%s - f.%s, 0) END,"
            " (write_uid, write_date) = (%s)"
            " FROM crm_analysis_metrics v WHERE f.partner_id = v.partner_id"
            " AND (NOT %s OR (%s) IS DISTINCT FROM (%s) OR f.%s IS DISTINCT FROM 0)",
            SQL(", ").join(SQL("%s = v.%s", name, name) for name in names),
            SQL(", ").join(SQL("%s = COALESCE(f.%s, v.%s)", old, new, new) for old, new in previous),
            change,
            same,
            rank,
            rank,
            stamp,
            same,
            olds,
            news,
            change,
        )
        # A customer's first figures have none before them: they count as unmoved. Customers deleted
        # since their orders were read (on a replica, or before a merge) are left out. Each partner is
        # linked to its new figures.
        self._insert = SQL(
            "WITH created AS ("
            " INSERT INTO crm_relationship_figures"
            " (partner_id, %s, %s, %s, create_uid, create_date, write_uid, write_date)"
            " SELECT v.partner_id, %s, %s, 0, %s, %s"
            " FROM crm_analysis_metrics v JOIN res_partner p ON p.id = v.partner_id"
            " WHERE NOT EXISTS (SELECT 1 FROM crm_relationship_figures f WHERE f.partner_id = v.partner_id)"
            " RETURNING id, partner_id)"
            " UPDATE res_partner p SET rel_figures_id = created.id FROM created WHERE p.id = created.partner_id",
            SQL(", ").join(names),
            SQL(", ").join(old for old, _new in previous),
            change,
            SQL(", ").join(SQL("v.%s", name) for name in names),
            SQL(", ").join(SQL("v.%s", new) for _old, new in previous),
            stamp,
            stamp,
        )

    @staticmethod
    def _tuples(names):
        return SQL(", ").join(SQL("f.%s", name) for name in names), SQL(", ").join(SQL("v.%s", name) for name in names)

    def write_rows(self, rows):
        """Write the figures of the customers of ``rows`` (a ``partner_id`` column and the metric columns):
        update those who have figures, insert (and link) those who have none. The customers' id range
        bounds the scan of the figures."""
        self.cr.execute("TRUNCATE crm_analysis_metrics")
        bulk.write_frame(self.cr, self.name, rows)
        first, last = int(rows["partner_id"].min()), int(rows["partner_id"].max())
        self.cr.execute(SQL("%s AND f.partner_id BETWEEN %s AND %s", self._update, first, last))
        self.cr.execute(self._insert)

    def drop(self):
        self.cr.execute("DROP TABLE crm_analysis_metrics")


def link_figures(cr, partner_ids):
    """Link the partners ``partner_ids`` to their figures, as the figures' rows say (after a merge, which
    moves the figures but not the link)."""
    cr.execute(
        "UPDATE res_partner p SET rel_figures_id = f.id FROM crm_relationship_figures f"
        " WHERE f.partner_id = p.id AND p.id = ANY(%s) AND p.rel_figures_id IS DISTINCT FROM f.id",
        [list(partner_ids)],
    )


def reset_stale_metrics(cr, company_id, after, upto, written=None):
    """Customers with ``after < partner id <= upto`` that carry figures of an earlier run of ``company_id``
    but are not among this run's customers (no confirmed order any more) lose them. ``written`` names
    the table of the partner ids this run wrote in that range; without it, the range holds none.

    Figures of another company's analysis stay: a partner shared between companies keeps those of
    the last run that counted it as a customer, and a run for one company never clears them."""
    cr.execute(
        SQL(
            "DELETE FROM crm_relationship_figures f USING res_partner p"
            " WHERE p.id = f.partner_id AND f.partner_id > %s AND f.partner_id <= %s AND %s AND %s%s",
            after,
            upto,
            sql_partner_writable(company_id),
            sql_partner_analysed_here(company_id),
            SQL(" AND f.partner_id NOT IN (SELECT partner_id FROM %s)", SQL.identifier(written)) if written else SQL(),
        )
    )


HOLDOUT_QUERY = """
    SELECT p.commercial_partner_id AS partner_id,
           COUNT(DISTINCT so.date_order::date) AS purchases,
           SUM(so.amount_untaxed / COALESCE(NULLIF(so.currency_rate, 0), 1))::float8 AS amount
      FROM sale_order so
      JOIN res_partner p ON p.id = so.partner_id
     WHERE so.state = 'sale' AND so.company_id = %(company)s
       AND so.date_order > %(calibration_end)s AND so.date_order <= %(as_of_end)s
  GROUP BY 1
"""


def read_holdout(cr, company_id, calibration, as_of, partner_ids):
    """Purchase occasions and spend in company currency of the customer entities ``partner_ids`` (the
    calibration period's customers) after the date ``calibration`` up to the date ``as_of``; customers
    without purchases there get zeros."""
    params = {
        "company": company_id,
        "calibration_end": datetime.combine(calibration, dtime.max),
        "as_of_end": datetime.combine(as_of, dtime.max),
    }
    frame = bulk.read_frame(
        cr, HOLDOUT_QUERY, params, {"partner_id": "int64", "purchases": "float64", "amount": "float64"}
    )
    return frame.set_index("partner_id").reindex(pd.Index(partner_ids, name="partner_id"), fill_value=0.0)


HOLDOUT_WEEKS_QUERY = """
    SELECT (day - %(calibration)s::date - 1) / 7 + 1 AS week, COUNT(*)::float8 AS purchases
      FROM (
            SELECT DISTINCT p.commercial_partner_id, so.date_order::date AS day
              FROM sale_order so
              JOIN res_partner p ON p.id = so.partner_id
             WHERE so.state = 'sale' AND so.company_id = %(company)s
               AND so.date_order > %(calibration_end)s AND so.date_order <= %(as_of_end)s
               AND p.commercial_partner_id = ANY(%(partners)s)
           ) occasion
  GROUP BY 1
"""


def read_holdout_weeks(cr, company_id, calibration, as_of, partner_ids):
    """Purchase occasions of the customer entities ``partner_ids`` in each week after the date
    ``calibration`` (week 1 its first seven days) up to the date ``as_of``, indexed by week."""
    params = {
        "company": company_id,
        "calibration": calibration,
        "calibration_end": datetime.combine(calibration, dtime.max),
        "as_of_end": datetime.combine(as_of, dtime.max),
        "partners": [int(partner_id) for partner_id in partner_ids],
    }
    frame = bulk.read_frame(cr, HOLDOUT_WEEKS_QUERY, params, {"week": "int64", "purchases": "float64"})
    return frame.set_index("week")["purchases"]


# The margin of each product category in percent: its own, else its nearest parent's, else NULL (the
# Settings' margin applies).
CATEGORY_MARGINS_QUERY = """
    SELECT c.id AS categ_id,
           (SELECT a.rel_margin
              FROM product_category a
             WHERE a.rel_own_margin AND c.parent_path LIKE a.parent_path || '%%'
          ORDER BY length(a.parent_path) DESC
             LIMIT 1) AS margin
      FROM product_category c
"""
MARGINS_QUERY = f"""
    WITH category AS ({CATEGORY_MARGINS_QUERY}),
    line AS (
        SELECT p.commercial_partner_id AS partner_id,
               GREATEST(sol.price_subtotal / COALESCE(NULLIF(so.currency_rate, 0), 1), 0) AS amount,
               COALESCE(category.margin, %(default)s) / 100.0 AS margin
          FROM sale_order_line sol
          JOIN sale_order so ON so.id = sol.order_id
          JOIN res_partner p ON p.id = so.partner_id
          JOIN product_product pp ON pp.id = sol.product_id
          JOIN product_template pt ON pt.id = pp.product_tmpl_id
     LEFT JOIN category ON category.categ_id = pt.categ_id
         WHERE so.state = 'sale' AND so.company_id = %(company)s AND so.date_order <= %(as_of_end)s
           AND sol.display_type IS NULL
    )
    SELECT partner_id, SUM(amount)::float8 AS weight,
           (SUM(amount * margin) / NULLIF(SUM(amount), 0))::float8 AS margin
      FROM line
  GROUP BY partner_id
    HAVING SUM(amount) > 0
"""


def has_category_margins(cr):
    """Whether any product category carries a margin of its own."""
    cr.execute("SELECT EXISTS (SELECT 1 FROM product_category WHERE rel_own_margin)")
    return cr.fetchone()[0]


def read_margins(cr, company_id, as_of, default):
    """Each customer entity's margin (a fraction): the margins of the categories of what they bought
    from ``company_id`` up to the date ``as_of``, weighted by the untaxed amounts in company currency
    (lines of negative amount, such as discounts and returns, weigh nothing), ``default`` percent
    for categories without one. Also the weight (what they bought), indexed by partner id; customers
    who bought nothing of positive amount are left out."""
    params = {"company": company_id, "as_of_end": datetime.combine(as_of, dtime.max), "default": default}
    frame = bulk.read_frame(
        cr, MARGINS_QUERY, params, {"partner_id": "int64", "weight": "float64", "margin": "float64"}
    )
    return frame.set_index("partner_id")
