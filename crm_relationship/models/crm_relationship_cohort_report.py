from odoo import fields, models, tools


class CrmRelationshipCohortReport(models.Model):
    """Customers by the month of their first purchase: one row per customer entity and month, from that
    month to the current one, saying whether they bought in it.

    A customer buys in a month when a confirmed order of positive untaxed amount falls in it: orders of
    zero amount and returns (negative amounts) do not count as buying, and a customer who never bought
    anything of positive amount belongs to no cohort. Amounts are in company currency; customers who
    objected to profiling or were anonymised are left out, as from the analysis."""

    _name = "crm.relationship.cohort.report"
    _description = "Customer Cohorts"
    _auto = False
    _order = "cohort_month desc, month"
    _rec_name = "partner_id"

    partner_id = fields.Many2one("res.partner", string="Customer", readonly=True)
    company_id = fields.Many2one("res.company", readonly=True)
    currency_id = fields.Many2one("res.currency", readonly=True)
    cohort_month = fields.Date(string="First Purchase", readonly=True, help="Month of the customer's first purchase.")
    month = fields.Date(readonly=True)
    month_index = fields.Integer(
        string="Months Since First Purchase",
        readonly=True,
        aggregator=False,
        help="0 is the month of the first purchase.",
    )
    month_closed = fields.Boolean(string="Month Over", readonly=True, help="False for the current month.")
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
    buyer_count = fields.Integer(string="Customers Buying", readonly=True, help="Customers who bought in the month.")
    amount = fields.Monetary(string="Revenue", readonly=True, help="Untaxed, returns deducted, in company currency.")

    def init(self):
        tools.drop_view_if_exists(self.env.cr, self._table)
        self.env.cr.execute(
            f"""
            CREATE OR REPLACE VIEW {self._table} AS (
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
                ), cohort AS (
                    SELECT company_id, partner_id, MIN(month) AS cohort_month
                      FROM purchase
                     WHERE bought
                  GROUP BY 1, 2
                ), grid AS (
                    SELECT c.company_id, c.partner_id, c.cohort_month, m::date AS month,
                           COALESCE(pu.bought, FALSE) AS bought,
                           COALESCE(pu.amount, 0) AS amount
                      FROM cohort c
                     CROSS JOIN generate_series(c.cohort_month, date_trunc('month', CURRENT_DATE), '1 month') m
                      LEFT JOIN purchase pu
                        ON pu.company_id = c.company_id AND pu.partner_id = c.partner_id AND pu.month = m::date
                ), marked AS (
                    SELECT grid.*,
                           LAG(bought) OVER (PARTITION BY company_id, partner_id ORDER BY month) AS bought_before
                      FROM grid
                )
                SELECT ROW_NUMBER() OVER (ORDER BY m.company_id, m.partner_id, m.month) AS id,
                       m.partner_id,
                       m.company_id,
                       rc.currency_id,
                       m.cohort_month,
                       m.month,
                       ((EXTRACT(YEAR FROM m.month) - EXTRACT(YEAR FROM m.cohort_month)) * 12
                        + EXTRACT(MONTH FROM m.month) - EXTRACT(MONTH FROM m.cohort_month))::int AS month_index,
                       m.month < date_trunc('month', CURRENT_DATE) AS month_closed,
                       CASE WHEN m.bought THEN 100.0 ELSE 0.0 END AS retained,
                       CASE WHEN m.bought_before THEN CASE WHEN m.bought THEN 0.0 ELSE 100.0 END END AS churned,
                       m.bought::int AS buyer_count,
                       m.amount
                  FROM marked m
                  JOIN res_company rc ON rc.id = m.company_id
            )
            """
        )
