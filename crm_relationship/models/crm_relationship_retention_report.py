from odoo import fields, models, tools

from .crm_relationship_retention_case import NO_ACTION_REASONS


class CrmRelationshipRetentionReport(models.Model):
    """Retention outcomes: one row per spell at risk, whether a retention activity was done, and whether the
    customer bought again within 90 days. Compares customers who got an action with those who got none."""

    _name = "crm.relationship.retention.report"
    _description = "Retention Outcomes"
    _auto = False
    _order = "date_at_risk desc"
    _rec_name = "partner_id"

    case_id = fields.Many2one("crm.relationship.retention.case", string="Spell at Risk", readonly=True)
    partner_id = fields.Many2one("res.partner", string="Customer", readonly=True)
    company_id = fields.Many2one("res.company", readonly=True)
    user_id = fields.Many2one("res.users", string="Salesperson", readonly=True)
    date_at_risk = fields.Datetime(string="At Risk Since", readonly=True)
    got_action = fields.Selection(
        [("yes", "Got an action"), ("no", "Got none")],
        string="Action Done",
        readonly=True,
        help="Got an action: a retention activity was planned for the customer and marked done.",
    )
    action = fields.Selection(
        [("done", "Done"), ("open", "Open"), ("cancelled", "Cancelled"), ("none", "None")],
        string="Retention Activity",
        readonly=True,
    )
    no_action_reason = fields.Selection(NO_ACTION_REASONS, string="No Action Because", readonly=True)
    outcome_status = fields.Selection(
        [("bought", "Bought again"), ("not_bought", "Did not buy"), ("pending", "Under 90 days")],
        string="Outcome",
        readonly=True,
        help="Bought again: a confirmed order within 90 days of being found at risk. Did not buy: none in "
        "those 90 days. Under 90 days: none yet, and the 90 days have not passed.",
    )
    customer_count = fields.Integer(string="Customers at Risk", readonly=True)
    repurchased = fields.Integer(
        string="Bought Again",
        readonly=True,
        help="Customers with a confirmed order within 90 days of being found at risk.",
    )
    repurchase_rate = fields.Float(
        string="Bought Again (%)",
        readonly=True,
        aggregator="avg",
        help="Share of the customers who bought again within 90 days, among those whose 90 days are over or "
        "who bought already.",
    )
    days_to_purchase = fields.Float(
        string="Days to Next Order", readonly=True, aggregator="avg", help="For those who bought again within 90 days."
    )
    date_purchase = fields.Datetime(string="Next Order On", readonly=True)
    date_done = fields.Datetime(string="Activity Done On", readonly=True)
    outcome = fields.Text(string="Activity Outcome", readonly=True)

    def init(self):
        tools.drop_view_if_exists(self.env.cr, self._table)
        self.env.cr.execute(
            f"""
            CREATE OR REPLACE VIEW {self._table} AS (
                SELECT c.id AS id,
                       c.id AS case_id,
                       c.partner_id,
                       c.company_id,
                       COALESCE(a.user_id, p.user_id) AS user_id,
                       c.date_at_risk,
                       1 AS customer_count,
                       CASE WHEN c.done THEN 'yes' ELSE 'no' END AS got_action,
                       CASE WHEN c.done THEN 'done'
                            WHEN c.planned AND a.id IS NOT NULL THEN 'open'
                            WHEN c.planned THEN 'cancelled'
                            ELSE 'none'
                       END AS action,
                       CASE WHEN NOT COALESCE(c.planned, FALSE) THEN c.no_action_reason END AS no_action_reason,
                       CASE WHEN nxt.date_order <= w.horizon THEN 'bought'
                            WHEN w.horizon < NOW() AT TIME ZONE 'UTC'
                            THEN 'not_bought'
                            ELSE 'pending'
                       END AS outcome_status,
                       CASE WHEN nxt.date_order <= w.horizon THEN 1
                            ELSE 0
                       END AS repurchased,
                       CASE WHEN nxt.date_order <= w.horizon THEN 100.0
                            WHEN w.horizon < NOW() AT TIME ZONE 'UTC'
                            THEN 0.0
                       END AS repurchase_rate,
                       CASE WHEN nxt.date_order <= w.horizon
                            THEN EXTRACT(EPOCH FROM nxt.date_order - c.date_at_risk) / 86400.0
                       END AS days_to_purchase,
                       nxt.date_order AS date_purchase,
                       c.date_done,
                       c.outcome
                  FROM crm_relationship_retention_case c
                  -- a confirmed order within 90 days of being found at risk counts as buying again
                  CROSS JOIN LATERAL (SELECT c.date_at_risk + INTERVAL '90 days' AS horizon) w
                  JOIN res_partner p ON p.id = c.partner_id
             LEFT JOIN mail_activity a ON a.id = c.activity_id
             LEFT JOIN LATERAL (
                       SELECT MIN(o.date_order) AS date_order
                         FROM sale_order o
                         JOIN res_partner op ON op.id = o.partner_id
                        WHERE op.commercial_partner_id = c.partner_id AND o.company_id = c.company_id
                          AND o.state = 'sale' AND o.date_order > c.date_at_risk
                   ) nxt ON TRUE
            )
            """
        )
