import numpy as np

from odoo import api, fields, models

from ..analytics import bulk
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
            UPDATE res_partner p SET rel_retention_flagged = FALSE
              FROM crm_relationship_figures f
             WHERE f.partner_id = p.id AND p.rel_retention_flagged AND f.company_id = %s
               AND f.lifecycle_stage IS DISTINCT FROM 'at_risk'
            """,
            [company.id],
        )
        self.env["res.partner"].invalidate_model(["rel_retention_flagged"])
        self._open_cases(company, now)
        rows = self._candidates(company, top, alive_max)
        if not rows:
            self._note_cases(company, {}, {}, {})
            return result
        # sudo: the analysis decides for the whole customer base, whoever may read each customer
        partners = self.env["res.partner"].sudo().browse(list(rows))
        plan = self.env["crm.relationship.outreach"]._plan(partners, "service", now=now)
        calls, todos, skipped = [], [], {}
        for partner in partners:
            channel, detail = plan[partner.id]
            if channel == "skip":
                result.skip(detail)
                skipped[partner.id] = detail
            else:
                (calls if channel == "call" else todos).append((partner, detail))

        def summary(env):
            return env._("Retention: the customer is drifting away")

        def note(env, partner):
            return self.with_env(env)._reason(*rows[partner.id])

        Outreach = self.env["crm.relationship.outreach"]
        reached = partners.browse()
        if calls:
            reached |= Outreach._plan_calls(calls, result, summary, note, now)
        if todos:
            todo = self.env.ref("mail.mail_activity_data_todo")
            reached |= Outreach._plan_calls(todos, result, summary, note, now, activity_type=todo)
        # the case of each customer selected: the activity planned now (or already open), else why none
        activities = {}
        for activity in (
            self.env["mail.activity"]
            .sudo()
            .search_fetch(
                [
                    ("res_model", "=", "res.partner"),
                    ("res_id", "in", list(rows)),
                    ("summary", "in", Outreach._texts_in_all_languages(summary)),
                ],
                ["res_id"],
            )
        ):
            activities[activity.res_id] = activity.id
        for partner, _when in calls + todos:
            if partner.id not in activities:
                skipped[partner.id] = "no_caller"
        self._note_cases(company, activities, skipped, {pid: self._reason(*row) for pid, row in rows.items()})
        if reached:
            cr.execute("UPDATE res_partner SET rel_retention_flagged = TRUE WHERE id = ANY(%s)", [reached.ids])
            self.env["res.partner"].invalidate_model(["rel_retention_flagged"])
        return result

    def _candidates(self, company, top, alive_max):
        """The valuable customers of ``company`` newly at risk: ``{partner id: (value rank, recency in days,
        days between purchases)}``, from the figures the analysis stored.

        The value rank is the share of the analysed customers who spent at least as much (the most
        valuable: near 0); ``top`` and ``alive_max`` are fractions. The rhythm is the days between the
        first and last purchase (age less recency) over the purchases after the first. The ranking runs
        in numpy over one column: a window over the customers' rows in SQL spilled to disk under the
        default ``work_mem``, and a join back to the customers gave the planner, whose statistics
        predate the run's writes, room for a nested loop over every customer."""
        cr = self.env.cr
        spend = bulk.read_frame(
            cr,
            """
            SELECT COALESCE(rfm_monetary, 0)::float8 AS spend FROM crm_relationship_figures
             WHERE company_id = %s AND rfm_segment IS NOT NULL
            """,
            [company.id],
            {"spend": "float64"},
        )["spend"].to_numpy()
        at_risk = bulk.read_frame(
            cr,
            """
            SELECT f.partner_id AS id, COALESCE(f.rfm_monetary, 0)::float8 AS spend, f.rfm_recency AS recency,
                   (f.age_days - f.rfm_recency)::float8 / NULLIF(f.rfm_frequency - 1, 0) AS interval_days
              FROM crm_relationship_figures f
              JOIN res_partner p ON p.id = f.partner_id
             WHERE f.company_id = %s AND f.rfm_segment IS NOT NULL AND f.lifecycle_stage = 'at_risk'
               AND NOT COALESCE(p.rel_retention_flagged, FALSE) AND COALESCE(f.clv_probability_alive, 0) <= %s
             ORDER BY f.partner_id
            """,
            [company.id, alive_max],
            {"id": "int64", "spend": "float64", "recency": "float64", "interval_days": "float64"},
        )
        if at_risk.empty:
            return {}
        spend.sort()
        rank = (len(spend) - np.searchsorted(spend, at_risk["spend"].to_numpy(), side="left")) / len(spend)
        chosen = at_risk.assign(rank=rank)[rank <= top]
        figures = chosen[["rank", "recency", "interval_days"]]
        figures = figures.astype(object).where(figures.notna(), None)
        return dict(zip(chosen["id"].tolist(), figures.itertuples(index=False, name=None), strict=True))

    def _open_cases(self, company, now):
        """Close the spells at risk of customers no longer at risk; open one for each customer newly at risk.

        The open cases are looked up as one hashed set (``NOT IN``), whatever the statistics say: right
        after a run has written the stages, the planner can still count a single customer at risk and
        chose an anti join that scanned every open case for each customer at risk."""
        cr = self.env.cr
        values = {"company": company.id, "now": now, "uid": self.env.uid}
        cr.execute(
            """
            UPDATE crm_relationship_retention_case c
               SET date_end = %(now)s, write_uid = %(uid)s, write_date = NOW() AT TIME ZONE 'UTC'
             WHERE c.company_id = %(company)s AND c.date_end IS NULL
               AND NOT EXISTS (SELECT 1 FROM crm_relationship_figures f
                                WHERE f.partner_id = c.partner_id AND f.company_id = %(company)s
                                  AND f.lifecycle_stage = 'at_risk')
            """,
            values,
        )
        cr.execute(
            """
            INSERT INTO crm_relationship_retention_case
                   (partner_id, company_id, date_at_risk, planned, create_uid, create_date, write_uid, write_date)
            SELECT p.id, %(company)s, %(now)s, COALESCE(p.rel_retention_flagged, FALSE),
                   %(uid)s, NOW() AT TIME ZONE 'UTC', %(uid)s, NOW() AT TIME ZONE 'UTC'
              FROM crm_relationship_figures f
              JOIN res_partner p ON p.id = f.partner_id
             WHERE f.company_id = %(company)s AND f.lifecycle_stage = 'at_risk'
               AND f.rfm_segment IS NOT NULL
               AND p.id NOT IN (SELECT c.partner_id FROM crm_relationship_retention_case c
                                 WHERE c.company_id = %(company)s AND c.date_end IS NULL)
            """,
            values,
        )

    def _note_cases(self, company, activities, skipped, reasons):
        """Write on the open cases the activity planned, or why none, in two statements; a case whose
        activity, reason and explanation are unchanged since the last run is not rewritten."""
        ids = sorted(set(activities) | set(skipped))
        cr = self.env.cr
        if ids:
            cr.execute(
                """
                UPDATE crm_relationship_retention_case c
                   SET planned = COALESCE(c.planned, FALSE) OR v.activity_id IS NOT NULL,
                       activity_id = COALESCE(v.activity_id, c.activity_id),
                       no_action_reason = CASE WHEN v.activity_id IS NULL THEN v.why END,
                       reason = v.reason
                  FROM unnest(%s::int[], %s::int[], %s::varchar[], %s::varchar[])
                       AS v(partner_id, activity_id, why, reason)
                 WHERE c.partner_id = v.partner_id AND c.company_id = %s AND c.date_end IS NULL
                   AND NOT (COALESCE(c.planned, FALSE) AND v.activity_id IS NULL)
                   AND (COALESCE(c.planned, FALSE) OR v.activity_id IS NOT NULL, COALESCE(v.activity_id, c.activity_id),
                        CASE WHEN v.activity_id IS NULL THEN v.why END, v.reason)
                       IS DISTINCT FROM (c.planned, c.activity_id, c.no_action_reason, c.reason)
                """,
                [
                    ids,
                    [activities.get(pid) for pid in ids],
                    [skipped.get(pid) for pid in ids],
                    [reasons.get(pid) for pid in ids],
                    company.id,
                ],
            )
        cr.execute(
            """
            UPDATE crm_relationship_retention_case SET no_action_reason = 'not_selected'
             WHERE company_id = %s AND date_end IS NULL AND NOT COALESCE(planned, FALSE) AND no_action_reason IS NULL
            """,
            [company.id],
        )
        self.env["crm.relationship.retention.case"].invalidate_model()

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
