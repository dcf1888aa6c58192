from odoo import api, fields, models

from .crm_relationship_outreach import OutreachResult


class CrmRelationshipRetention(models.AbstractModel):
    """After each analysis run: one retention activity for each valuable customer who newly became at risk.

    "Newly" is kept on the customer (``rel_retention_flagged``): set when their activity is planned,
    cleared by the first run that no longer finds them at risk, so that a customer who drifts away
    again gets a new activity, and never a second one while they stay at risk.
    """

    _name = "crm.relationship.retention"
    _description = "Retention Actions"

    @api.model
    def _thresholds(self):
        params = self.env["ir.config_parameter"].sudo()
        top = float(params.get_param("crm_relationship.retention_value_top_percent", 20) or 0)
        alive = float(params.get_param("crm_relationship.retention_alive_max_percent", 60) or 0)
        return min(max(top, 0.0), 100.0) / 100.0, min(max(alive, 0.0), 100.0) / 100.0

    @api.model
    def _schedule_for_company(self, company, now=None):
        """Plan the retention activities of ``company``'s customers; returns the counts."""
        now = now or fields.Datetime.now()
        top, alive_max = self._thresholds()
        result = OutreachResult(self.env)
        self.env.flush_all()
        cr = self.env.cr
        cr.execute(
            """
            UPDATE res_partner SET rel_retention_flagged = FALSE
             WHERE rel_retention_flagged AND rel_company_id = %s
               AND rel_lifecycle_stage IS DISTINCT FROM 'at_risk'
            """,
            [company.id],
        )
        cr.execute(
            """
            WITH ranked AS (
                SELECT id, rel_lifecycle_stage, rel_retention_flagged, rel_clv_probability_alive, rel_rfm_recency,
                       cume_dist() OVER (ORDER BY rel_rfm_monetary DESC) AS value_rank
                  FROM res_partner
                 WHERE rel_company_id = %(company)s AND rel_rfm_segment IS NOT NULL
            ), occasions AS (
                SELECT p.commercial_partner_id AS id,
                       (MAX(o.date_order::date) - MIN(o.date_order::date))::float8
                         / NULLIF(COUNT(DISTINCT o.date_order::date) - 1, 0) AS interval_days
                  FROM sale_order o JOIN res_partner p ON p.id = o.partner_id
                 WHERE o.state = 'sale' AND o.company_id = %(company)s
                   AND p.commercial_partner_id IN (SELECT id FROM ranked WHERE rel_lifecycle_stage = 'at_risk')
              GROUP BY 1
            )
            SELECT r.id, r.value_rank, r.rel_rfm_recency, occasions.interval_days
              FROM ranked r LEFT JOIN occasions ON occasions.id = r.id
             WHERE r.rel_lifecycle_stage = 'at_risk' AND NOT COALESCE(r.rel_retention_flagged, FALSE)
               AND r.value_rank <= %(top)s AND COALESCE(r.rel_clv_probability_alive, 0) <= %(alive)s
             ORDER BY r.id
            """,
            {"company": company.id, "top": top, "alive": alive_max},
        )
        rows = {row[0]: row[1:] for row in cr.fetchall()}
        if not rows:
            return result
        # sudo: the analysis decides for the whole customer base, whoever may read each customer
        partners = self.env["res.partner"].sudo().browse(list(rows))
        plan = self.env["crm.relationship.outreach"]._plan(partners, "service", now=now)
        calls, todos = [], []
        for partner in partners:
            channel, detail = plan[partner.id]
            if channel == "skip":
                result.skip(detail)
            else:
                (calls if channel == "call" else todos).append((partner, detail))
        summary = self.env._("Retention: the customer is drifting away")

        def note(partner):
            return self._reason(*rows[partner.id])

        Outreach = self.env["crm.relationship.outreach"]
        reached = partners.browse()
        if calls:
            reached |= Outreach._plan_calls(calls, result, summary, note, now)
        if todos:
            todo = self.env.ref("mail.mail_activity_data_todo")
            reached |= Outreach._plan_calls(todos, result, summary, note, now, activity_type=todo)
        if reached:
            cr.execute("UPDATE res_partner SET rel_retention_flagged = TRUE WHERE id = ANY(%s)", [reached.ids])
            self.env["res.partner"].invalidate_model(["rel_retention_flagged"])
        return result

    def _reason(self, value_rank, recency, interval):
        """The reason in one sentence: "Bought every 6 weeks; nothing for 19 weeks; value rank top 5%"."""
        top = max(1, round(value_rank * 100))
        nothing = max(1, round((recency or 0) / 7))
        if interval:
            return self.env._(
                "Bought every %(every)s weeks; nothing for %(nothing)s weeks; value rank top %(top)s%%",
                every=max(1, round(interval / 7)),
                nothing=nothing,
                top=top,
            )
        return self.env._(
            "Bought once; nothing for %(nothing)s weeks; value rank top %(top)s%%", nothing=nothing, top=top
        )
