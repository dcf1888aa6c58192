from odoo import fields, models, tools
from odoo.tools import SQL


class CrmRelationshipCohortReport(models.Model):
    """Customers by the month of their first purchase (their cohort): one row per cohort and month, from
    that month to the current one, with how many of the cohort bought in it.

    A customer buys in a month when a confirmed order of positive untaxed amount falls in it: orders of
    zero amount and returns (negative amounts) do not count as buying, and a customer who never bought
    anything of positive amount belongs to no cohort. Amounts are in company currency; customers who
    objected to profiling or were anonymised are left out, as from the analysis.

    One row per cohort and month rather than per customer keeps the report to a few hundred rows a
    company; the shares are weighted by the customers behind them in any grouping (``_read_group_select``).
    """

    _name = "crm.relationship.cohort.report"
    _description = "Customer Cohorts"
    _auto = False
    _order = "cohort_month desc, month"
    _rec_name = "cohort_month"

    company_id = fields.Many2one("res.company", readonly=True)
    currency_id = fields.Many2one("res.currency", readonly=True)
    cohort_month = fields.Date(string="First Purchase", readonly=True, help="Month of the customers' first purchase.")
    month = fields.Date(readonly=True)
    month_index = fields.Integer(
        string="Months Since First Purchase",
        readonly=True,
        aggregator=False,
        help="0 is the month of the first purchase.",
    )
    month_closed = fields.Boolean(string="Month Over", readonly=True, help="False for the current month.")
    cohort_size = fields.Integer(string="Customers in Cohort", readonly=True, aggregator=False)
    buyer_count = fields.Integer(string="Customers Buying", readonly=True, help="Customers who bought in the month.")
    buyer_before_count = fields.Integer(string="Customers Buying the Month Before", readonly=True, aggregator=False)
    kept_count = fields.Integer(string="Customers Buying Both Months", readonly=True, aggregator=False)
    retained = fields.Float(
        string="Still Buying (%)",
        readonly=True,
        aggregator="avg",
        help="Share of the cohort's customers who bought in the month.",
    )
    churned = fields.Float(
        string="Churn Rate (%)",
        readonly=True,
        aggregator="avg",
        help="Of the customers who bought in the previous month, the share who did not buy in this one.",
    )
    amount = fields.Monetary(string="Revenue", readonly=True, help="Untaxed, returns deducted, in company currency.")

    def _read_group_select(self, aggregate_spec, query):
        """Shares over the customers behind them, whatever the grouping: the customers buying over the
        cohorts' customers, and those who stopped over those who bought the month before."""
        if aggregate_spec == "retained:avg":
            return SQL(
                "SUM(%s) * 100.0 / NULLIF(SUM(%s), 0)",
                self._field_to_sql(self._table, "buyer_count", query),
                self._field_to_sql(self._table, "cohort_size", query),
            )
        if aggregate_spec == "churned:avg":
            before = self._field_to_sql(self._table, "buyer_before_count", query)
            return SQL(
                "SUM(%s - %s) * 100.0 / NULLIF(SUM(%s), 0)",
                before,
                self._field_to_sql(self._table, "kept_count", query),
                before,
            )
        return super()._read_group_select(aggregate_spec, query)

    def init(self):
        tools.drop_view_if_exists(self.env.cr, self._table)
        self.env.cr.execute(
            f"""
            CREATE OR REPLACE VIEW {self._table} AS (
                -- one row per customer entity and month with confirmed orders
                WITH purchase AS (
                    SELECT so.company_id,
                           p.commercial_partner_id AS partner_id,
                           date_trunc('month', so.date_order)::date AS month,
                           SUM(so.amount_untaxed / COALESCE(NULLIF(so.currency_rate, 0), 1)) AS amount,
                           BOOL_OR(so.amount_untaxed > 0) AS bought
                      FROM sale_order so
                      JOIN res_partner p ON p.id = so.partner_id
                      JOIN res_partner cp ON cp.id = p.commercial_partner_id
                     WHERE so.state = 'sale'
                       AND cp.rel_profiling_objection IS NOT TRUE AND cp.rel_anonymised_on IS NULL
                  GROUP BY 1, 2, 3
                -- each customer's first month of buying, and the month they last bought before this one
                ), activity AS (
                    SELECT purchase.*,
                           MIN(month) FILTER (WHERE bought) OVER (PARTITION BY company_id, partner_id) AS cohort_month,
                           LAG(month) OVER (PARTITION BY company_id, partner_id, bought ORDER BY month) AS previous
                      FROM purchase
                -- per cohort and month: customers buying, those of them who bought the month before too
                ), monthly AS (
                    SELECT company_id, cohort_month, month,
                           COUNT(*) FILTER (WHERE bought) AS buyers,
                           COUNT(*) FILTER (WHERE bought AND previous = (month - interval '1 month')::date) AS kept,
                           SUM(amount) AS amount
                      FROM activity
                     WHERE month >= cohort_month
                  GROUP BY 1, 2, 3
                ), cohort AS (
                    SELECT company_id, cohort_month, buyers AS size
                      FROM monthly
                     WHERE month = cohort_month
                -- every month from the cohort's first to the current one, bought in or not
                ), grid AS (
                    SELECT c.company_id, c.cohort_month, c.size, m::date AS month,
                           COALESCE(mo.buyers, 0) AS buyers,
                           COALESCE(mo.kept, 0) AS kept,
                           COALESCE(mo.amount, 0) AS amount
                      FROM cohort c
                     CROSS JOIN generate_series(c.cohort_month, date_trunc('month', CURRENT_DATE), '1 month') m
                      LEFT JOIN monthly mo
                        ON mo.company_id = c.company_id AND mo.cohort_month = c.cohort_month AND mo.month = m::date
                ), marked AS (
                    SELECT grid.*,
                           COALESCE(LAG(buyers) OVER (PARTITION BY company_id, cohort_month ORDER BY month), 0)
                             AS buyers_before
                      FROM grid
                )
                SELECT ROW_NUMBER() OVER (ORDER BY m.company_id, m.cohort_month, m.month) AS id,
                       m.company_id,
                       rc.currency_id,
                       m.cohort_month,
                       m.month,
                       ((EXTRACT(YEAR FROM m.month) - EXTRACT(YEAR FROM m.cohort_month)) * 12
                        + EXTRACT(MONTH FROM m.month) - EXTRACT(MONTH FROM m.cohort_month))::int AS month_index,
                       m.month < date_trunc('month', CURRENT_DATE) AS month_closed,
                       m.size AS cohort_size,
                       m.buyers AS buyer_count,
                       m.buyers_before AS buyer_before_count,
                       m.kept AS kept_count,
                       100.0 * m.buyers / m.size AS retained,
                       CASE WHEN m.buyers_before > 0
                            THEN 100.0 * (m.buyers_before - m.kept) / m.buyers_before
                       END AS churned,
                       m.amount
                  FROM marked m
                  JOIN res_company rc ON rc.id = m.company_id
            )
            """
        )
