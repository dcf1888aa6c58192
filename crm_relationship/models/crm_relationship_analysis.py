import contextlib
import logging
import threading
import time
from concurrent import futures
from concurrent.futures import ThreadPoolExecutor
from datetime import datetime
from datetime import time as dtime

import numpy as np
import pandas as pd

from odoo import api, fields, models, modules, tools
from odoo.exceptions import UserError
from odoo.tools import SQL

from ..analytics import bgnbd, bulk, gamma_gamma, rfm

_logger = logging.getLogger(__name__)

# Key of the PostgreSQL advisory lock that keeps two workers from running the analysis at once.
ANALYSIS_LOCK_KEY = 0x43_4D_52_41  # "CMRA"
HORIZON_WEEKS = 52
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
    "clv_probability_alive",
    "lifecycle_stage",
    "loyalty_quadrant",
    "relationship_attitude",
    "relationship_health",
    "health_value_points",
    "health_retention_points",
    "health_satisfaction_points",
    "health_complaint_points",
    "relationship_company_id",
]


class CrmRelationshipAnalysis(models.Model):
    """One run of the relationship analysis: what was read, the fitted models, and what was written."""

    _name = "crm.relationship.analysis"
    _description = "Relationship Analysis Run"
    _order = "id desc"

    name = fields.Char(compute="_compute_name")
    date_as_of = fields.Date(
        string="As Of", required=True, default=fields.Date.context_today, help="Orders after this date are ignored."
    )
    company_id = fields.Many2one("res.company", required=True, default=lambda self: self.env.company)
    state = fields.Selection(
        [("draft", "Draft"), ("running", "Running"), ("done", "Done"), ("failed", "Failed")],
        required=True,
        default="draft",
        readonly=True,
    )
    date_start = fields.Datetime(string="Started", readonly=True)
    date_end = fields.Datetime(string="Finished", readonly=True)
    duration = fields.Float(string="Duration (s)", readonly=True, digits=(16, 2))
    customer_count = fields.Integer(string="Customers", readonly=True)
    order_count = fields.Integer(string="Orders", readonly=True)
    occasion_count = fields.Integer(string="Purchase Occasions", readonly=True)
    written_count = fields.Integer(string="Customers Written", readonly=True)
    resume_after_partner_id = fields.Integer(
        readonly=True, help="Last customer whose results are written: a resumed run continues after it."
    )
    # Customers scored, written and committed together. At 100,000 customers, 20,000 a chunk ran the
    # nightly analysis in 8.7-9.2 s against 10.5 s with 5,000 (fewer round trips and commits), for a
    # few megabytes of columns per chunk and at most one chunk to redo after a crash.
    chunk_size = fields.Integer(default=20000, required=True)
    bgnbd_r = fields.Float(string="BG/NBD r", digits=(16, 4), readonly=True)
    bgnbd_alpha = fields.Float(string="BG/NBD alpha (weeks)", digits=(16, 4), readonly=True)
    bgnbd_a = fields.Float(string="BG/NBD a", digits=(16, 4), readonly=True)
    bgnbd_b = fields.Float(string="BG/NBD b", digits=(16, 4), readonly=True)
    bgnbd_log_likelihood = fields.Float(string="BG/NBD log-likelihood", digits=(16, 2), readonly=True)
    gg_p = fields.Float(string="Gamma-Gamma p", digits=(16, 4), readonly=True)
    gg_q = fields.Float(string="Gamma-Gamma q", digits=(16, 4), readonly=True)
    gg_v = fields.Float(string="Gamma-Gamma v", digits=(16, 4), readonly=True)
    gg_log_likelihood = fields.Float(string="Gamma-Gamma log-likelihood", digits=(16, 2), readonly=True)
    message = fields.Text(readonly=True)

    _chunk_size_positive = models.Constraint("CHECK(chunk_size > 0)", "The chunk size must be positive.")

    @api.depends("date_as_of", "create_date")
    def _compute_name(self):
        for run in self:
            run.name = self.env._("Analysis as of %s", run.date_as_of or "")

    # ------------------------------------------------------------------ entry points
    @api.model
    def _cron_run(self):
        """Nightly: resume an interrupted run of today, or start a new one."""
        run = self.search([("state", "=", "running"), ("company_id", "=", self.env.company.id)], limit=1)
        (run or self.create({})).action_run()

    def action_run(self):
        # Refused before anything is read or written: a run commits its chunks as it goes.
        self.check_access("write")
        for run in self:
            run._run()
        return True

    def _read_cursor(self):
        """Odoo's read-only cursor, served by a replica when one is configured.

        While a module is being installed (demo data), the data is not committed yet: read it on the
        current cursor instead.
        """
        if not self.env.registry.ready:
            return contextlib.nullcontext(self.env.cr)
        return self.env.registry.cursor(readonly=True)

    def _can_commit(self):
        """Chunks commit as they go, except in tests and while modules load (demo data runs it)."""
        return self.env.registry.ready and not (tools.config["test_enable"] or modules.module.current_test)

    def _commit(self, written=0, remaining=None):
        """Commit what the run has written so far through Odoo's cron progress (a plain commit outside the
        scheduled action), adding ``written`` customers done and setting ``remaining`` when given.

        Scheduled Actions then shows the customers written and left, and a run killed at the worker's
        time limit after writing some counts as partially done: Odoo starts the job again soon and the
        run resumes, rather than the timeout counting towards deactivating the job. The run does not
        stop early when the cron's share of time is used up, since a resumed run reads and fits the
        whole customer base again."""
        if self._can_commit():
            self.env["ir.cron"]._commit_progress(written, remaining=remaining)

    def _run(self):
        self.ensure_one()
        if self.state == "done":
            raise UserError(self.env._("This analysis has already run; start a new one."))
        self.env.cr.execute("SELECT pg_try_advisory_lock(%s)", [ANALYSIS_LOCK_KEY])
        if not self.env.cr.fetchone()[0]:
            raise UserError(self.env._("Another relationship analysis is running; try again when it has finished."))
        started = time.monotonic()
        try:
            resumed = self.state == "running"
            self.write({"state": "running", "date_start": fields.Datetime.now()} if not resumed else {})
            self._commit()
            messages = self._analyse()
            self.write(
                {
                    "state": "done",
                    "date_end": fields.Datetime.now(),
                    "duration": time.monotonic() - started,
                    "message": "\n".join(messages) or False,
                }
            )
            self._commit(remaining=0)
        except Exception as error:
            _logger.exception("Relationship analysis %s failed", self.id)
            if self._can_commit():
                self.env.cr.rollback()
            self.write(
                {
                    "state": "failed",
                    "date_end": fields.Datetime.now(),
                    "duration": time.monotonic() - started,
                    "message": self.env._("The analysis failed: %s", error),
                }
            )
            # Nothing left for this job: the scheduled action does not run a failed analysis again at once.
            self._commit(remaining=0)
        finally:
            self.env.cr.execute("SELECT pg_advisory_unlock(%s)", [ANALYSIS_LOCK_KEY])

    # ------------------------------------------------------------------ reading
    def _read_customers(self):
        """One row per customer entity, summarised by PostgreSQL: age, recency and span in days,
        purchase occasions (orders of one calendar day count once), orders, total and mean repeat
        spend (the first occasion excluded) in company currency, and the longest gap between occasions.

        Read through Odoo's read-only cursor, so that a replica (db_replica_host) serves it, and
        through COPY, so that the client holds a few typed columns rather than a row per occasion.
        """
        as_of_end = datetime.combine(self.date_as_of, dtime.max)
        query = """
            WITH occasion AS (
                SELECT p.commercial_partner_id AS partner_id,
                       so.date_order::date AS day,
                       SUM(so.amount_untaxed / COALESCE(NULLIF(so.currency_rate, 0), 1)) AS amount,
                       COUNT(*) AS orders
                  FROM sale_order so
                  JOIN res_partner p ON p.id = so.partner_id
                 WHERE so.state = 'sale' AND so.company_id = %(company)s AND so.date_order <= %(as_of_end)s
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
        params = {"company": self.company_id.id, "as_of_end": as_of_end, "as_of": self.date_as_of}
        dtype = {
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
        with self._read_cursor() as cr:
            frame = bulk.read_frame(cr, query, params, dtype)
        return frame.set_index("partner_id")

    def _read_attitude(self, partner_ids):
        """Complaints and NPS answers of the customer entities ``partner_ids`` (ascending ids of a chunk)."""
        bounds = {"company": self.company_id.id, "first": int(partner_ids[0]), "last": int(partner_ids[-1])}
        with self._read_cursor() as cr:
            complaints = bulk.read_frame(
                cr,
                """
                SELECT c.commercial_partner_id AS partner_id,
                       COUNT(*) AS complaints,
                       COUNT(*) FILTER (WHERE NOT COALESCE(s.is_closed, FALSE)) AS open_complaints,
                       AVG(NULLIF(c.rating_last_value, 0))::float8 AS rating
                  FROM crm_complaint c
             LEFT JOIN crm_complaint_stage s ON s.id = c.stage_id
                 WHERE c.company_id = %(company)s AND c.commercial_partner_id BETWEEN %(first)s AND %(last)s
              GROUP BY 1
                """,
                bounds,
                {"partner_id": "int64", "complaints": "float64", "open_complaints": "float64", "rating": "float64"},
            )
            nps = bulk.read_frame(
                cr,
                """
                SELECT DISTINCT ON (commercial_partner_id) commercial_partner_id AS partner_id, score::float8 AS nps
                  FROM crm_relationship_nps
                 WHERE state = 'answered' AND company_id = %(company)s
                   AND commercial_partner_id BETWEEN %(first)s AND %(last)s
              ORDER BY commercial_partner_id, date_answered DESC, id DESC
                """,
                bounds,
                {"partner_id": "int64", "nps": "float64"},
            )
        frame = complaints.set_index("partner_id").join(nps.set_index("partner_id"), how="outer")
        frame = frame.reindex(pd.Index(partner_ids, name="partner_id"))
        frame[["complaints", "open_complaints"]] = frame[["complaints", "open_complaints"]].fillna(0)
        return frame

    # ------------------------------------------------------------------ suggestions
    def _suggest_in_background(self):
        """Start computing the customers' suggestions in a thread with a cursor of its own, and return
        its Future; or None when this run does not commit (tests, demo data loading): the suggestions
        then run at the end on this cursor, since another cursor would not see this transaction.

        Suggestions and metrics read different rows (order lines against orders), score apart and write
        different tables: while one waits on PostgreSQL the other computes, and the two use both cores."""
        if not self._can_commit():
            return None
        executor = ThreadPoolExecutor(max_workers=1, thread_name_prefix="crm_relationship_suggestions")
        future = executor.submit(self._suggest_on_own_cursor, self.env.cr.dbname)
        executor.shutdown(wait=False)
        return future

    def _suggest_on_own_cursor(self, dbname):
        threading.current_thread().dbname = dbname
        with self.env.registry.cursor() as cr:
            analysis = self.with_env(self.env(cr=cr))
            analysis.env["crm.relationship.recommendation"]._compute_for_analysis(analysis)

    # ------------------------------------------------------------------ computing
    def _analyse(self):
        self.env.flush_all()
        background = self._suggest_in_background()
        try:
            messages = self._analyse_customers()
        finally:
            if background:
                # Also when the metrics failed: the run's lock is not released while suggestions are written.
                futures.wait([background])
        if background:
            background.result()
            self.env["crm.relationship.recommendation"].invalidate_model()
        else:
            self.env["crm.relationship.recommendation"]._compute_for_analysis(self)
        return messages

    def _analyse_customers(self):
        messages = []
        customers = self._read_customers()
        if customers.empty:
            self.write({"customer_count": 0, "order_count": 0, "occasion_count": 0})
            self._reset_stale_metrics(0, bulk.ID_MAX)
            return [self.env._("No confirmed sales orders up to this date: nothing to analyse.")]
        self.write(
            {
                "customer_count": len(customers),
                "order_count": int(customers["orders"].sum()),
                "occasion_count": int(customers["occasions"].sum()),
            }
        )

        x = (customers["occasions"] - 1).to_numpy(dtype=float)
        t_x = customers["span_days"].to_numpy(dtype=float) / 7.0
        T = customers["age_days"].to_numpy(dtype=float) / 7.0

        try:
            bg = bgnbd.fit(
                x, t_x, T, warm_start=self._previous_estimates("bgnbd_r", "bgnbd_alpha", "bgnbd_a", "bgnbd_b")
            )
            if not bg.converged:
                messages.append(self.env._("The BG/NBD fit did not fully converge; its estimates are approximate."))
            customers["alive"] = bgnbd.probability_alive(bg, x, t_x, T)
            customers["expected"] = bgnbd.expected_purchases(bg, HORIZON_WEEKS, x, t_x, T)
            self.write(
                {
                    "bgnbd_r": bg.r,
                    "bgnbd_alpha": bg.alpha,
                    "bgnbd_a": bg.a,
                    "bgnbd_b": bg.b,
                    "bgnbd_log_likelihood": bg.log_likelihood,
                }
            )
        except (ValueError, FloatingPointError, np.linalg.LinAlgError) as error:
            messages.append(
                self.env._("Value and churn not estimated (%s): too little repeat buying to fit BG/NBD.", error)
            )
            customers["alive"] = np.where(customers["recency_days"] <= 365, 1.0, 0.0)
            customers["expected"] = 0.0

        positive_mean = float(customers.loc[customers["total"] > 0, "total"].sum()) / max(
            int(customers.loc[customers["total"] > 0, "occasions"].sum()), 1
        )
        try:
            gg = gamma_gamma.fit(
                x, customers["repeat_mean"].to_numpy(), warm_start=self._previous_estimates("gg_p", "gg_q", "gg_v")
            )
            customers["spend"] = gamma_gamma.expected_spend(gg, x, customers["repeat_mean"].to_numpy(), positive_mean)
            self.write({"gg_p": gg.p, "gg_q": gg.q, "gg_v": gg.v, "gg_log_likelihood": gg.log_likelihood})
        except ValueError as error:
            messages.append(self.env._("Spend per purchase not modelled (%s): the average spend is used.", error))
            customers["spend"] = positive_mean
        # Customers who took back at least what they paid (refunds larger than purchases) are worth nothing.
        customers.loc[customers["total"] <= 0, "spend"] = 0.0
        customers["clv"] = customers["expected"] * customers["spend"]

        # What needs every customer at once: quintile scores and the rank of each customer's value.
        r, f, m = rfm.scores(customers["recency_days"], customers["occasions"], customers["total"])
        customers["r"], customers["f"], customers["m"] = r.astype(np.int8), f.astype(np.int8), m.astype(np.int8)
        customers["value_rank"] = customers["clv"].rank(pct=True, method="average").fillna(0)
        repeat_occasions = customers.loc[customers["occasions"] >= 2, "occasions"]
        frequent_from = max(2.0, float(repeat_occasions.median() if len(repeat_occasions) else 2))
        customers = customers.drop(columns=["spend", "repeat_mean", "orders", "span_days"])
        # The rest, a chunk of customers at a time: attitude, segment, stage, quadrant, health, writing.
        self._score_and_write(customers, frequent_from)
        if len(customers) < 50:
            messages.append(self.env._("Fewer than 50 customers: quintiles and model estimates are rough."))
        return messages

    def _previous_estimates(self, *fields_):
        """The given parameters of the company's latest finished run that estimated them, as a warm start
        for tonight's fit (the customer base changes little from one night to the next)."""
        previous = self.search(
            [
                ("company_id", "=", self.company_id.id),
                ("state", "=", "done"),
                ("id", "!=", self.id),
                (fields_[0], ">", 0),
            ],
            limit=1,
        )
        return tuple(previous[name] for name in fields_) if previous else None

    def _health_weights(self):
        """The Settings' weights of value, retention, satisfaction and complaints, summing to 1."""
        params = self.env["ir.config_parameter"].sudo()
        weights = np.array(
            [
                float(params.get_param(f"crm_relationship.health_weight_{name}", default))
                for name, default in (("value", 30), ("retention", 30), ("satisfaction", 25), ("complaints", 15))
            ]
        )
        return weights / weights.sum() if weights.sum() > 0 else np.full(4, 0.25)

    def _score_relationship(self, customers, frequent_from, weights):
        """Segment, lifecycle stage, attitude, loyalty quadrant and the weighted health score of a chunk of
        customers, column-wise. ``frequent_from`` (purchase occasions that count as frequent) and the
        customers' ``value_rank`` come from the whole customer base."""
        customers["segment"] = rfm.segment(customers["r"], customers["f"], customers["m"])
        recency = customers["recency_days"]
        age_days = customers["age_days"]
        alive = customers["alive"]
        customers["stage"] = np.select(
            [
                age_days <= 90,
                (recency <= 180) & (customers["max_gap_days"] > 365),
                (recency <= 180) & (alive >= 0.5),
                (recency > 365) | (alive < 0.2),
            ],
            ["new", "won_back", "active", "lapsed"],
            default="at_risk",
        )

        # Attitude 0..1: the latest NPS answer and the mean complaint rating, neutral without data.
        nps_part = customers["nps"].astype(float) / 10.0
        rating_part = (customers["rating"].astype(float) - 1.0) / 4.0
        attitude = pd.concat([nps_part, rating_part], axis=1).mean(axis=1, skipna=True).fillna(0.5)
        attitude = attitude - 0.1 * customers["open_complaints"].clip(upper=3)
        customers["attitude"] = attitude.clip(0, 1)

        high_patronage = (customers["occasions"] >= frequent_from) & (alive >= 0.5)
        high_attitude = customers["attitude"] >= 0.6
        customers["quadrant"] = np.select(
            [high_attitude & high_patronage, high_attitude, high_patronage], ["true", "latent", "spurious"], "none"
        )

        complaints = 1 - (0.5 * customers["open_complaints"] + 0.1 * customers["complaints"]).clip(upper=1)
        parts = np.column_stack([customers["value_rank"], alive, customers["attitude"], complaints]) * weights * 100
        customers["health_value"], customers["health_retention"] = parts[:, 0], parts[:, 1]
        customers["health_satisfaction"], customers["health_complaints"] = parts[:, 2], parts[:, 3]
        customers["health"] = parts.sum(axis=1)

    # ------------------------------------------------------------------ writing
    def _metric_rows(self, customers):
        """The partner columns of a slice of the analysed customers, rounded as stored, marked with the
        run's company."""
        return pd.DataFrame(
            {
                "id": customers.index.astype(int),
                "rfm_recency": customers["recency_days"].astype(int),
                "rfm_frequency": customers["occasions"].astype(int),
                "rfm_monetary": customers["total"].round(2),
                "rfm_r_score": customers["r"].astype(int),
                "rfm_f_score": customers["f"].astype(int),
                "rfm_m_score": customers["m"].astype(int),
                "rfm_segment": customers["segment"],
                "clv_expected_purchases": customers["expected"].round(4),
                "clv_value": customers["clv"].round(2),
                "clv_probability_alive": customers["alive"].round(4),
                "lifecycle_stage": customers["stage"],
                "loyalty_quadrant": customers["quadrant"],
                "relationship_attitude": customers["attitude"].round(4),
                "relationship_health": customers["health"].round(1),
                "health_value_points": customers["health_value"].round(1),
                "health_retention_points": customers["health_retention"].round(1),
                "health_satisfaction_points": customers["health_satisfaction"].round(1),
                "health_complaint_points": customers["health_complaints"].round(1),
                "relationship_company_id": self.company_id.id,
            }
        )

    def _score_and_write(self, customers, frequent_from):
        """Score and write a chunk of customers at a time, each chunk one bulk UPDATE committed as it
        goes; a resumed run skips what is written.

        ``customers`` is indexed by partner id in ascending order (as read).
        """
        first = customers.index.searchsorted(self.resume_after_partner_id, side="right")
        weights = self._health_weights()
        cr = self.env.cr
        names = [SQL.identifier(column) for column in METRIC_COLUMNS]
        # A plain temporary table outlives the commits between chunks; it is the session's own. Its
        # columns are the partner's own, types included.
        cr.execute("DROP TABLE IF EXISTS crm_analysis_metrics")
        cr.execute(
            SQL(
                "CREATE TEMP TABLE crm_analysis_metrics AS SELECT id, %s FROM res_partner WITH NO DATA",
                SQL(", ").join(names),
            )
        )
        assignments = SQL(", ").join(SQL("%s = v.%s", name, name) for name in names)
        current = SQL(", ").join(SQL("p.%s", name) for name in names)
        computed = SQL(", ").join(SQL("v.%s", name) for name in names)
        chunks = (
            (int(customers.index[min(start + self.chunk_size, len(customers)) - 1]), start)
            for start in range(first, len(customers), self.chunk_size)
        )
        for after, upto, start in bulk.id_ranges(chunks, self.resume_after_partner_id):
            if start is None:
                # Partners after the last customer that are no longer customers lose their old figures.
                self._reset_stale_metrics(after, upto)
                continue
            part = customers.iloc[start : start + self.chunk_size]
            part = part.join(self._read_attitude(part.index.to_numpy()))
            self._score_relationship(part, frequent_from, weights)
            chunk = self._metric_rows(part)
            cr.execute("TRUNCATE crm_analysis_metrics")
            bulk.write_frame(cr, "crm_analysis_metrics", chunk)
            # Rows whose metrics are unchanged are not rewritten: a re-run on the same data writes nothing.
            cr.execute(
                SQL(
                    "UPDATE res_partner p SET %s FROM crm_analysis_metrics v"
                    " WHERE p.id = v.id AND (%s) IS DISTINCT FROM (%s)",
                    assignments,
                    current,
                    computed,
                )
            )
            # Partners of the chunk's id range that are no longer customers lose their old figures.
            self._reset_stale_metrics(after, upto, "crm_analysis_metrics")
            self.write({"resume_after_partner_id": upto, "written_count": self.written_count + len(chunk)})
            self._commit(len(chunk), remaining=len(customers) - start - len(chunk))
            if self.env.context.get("crm_relationship_analysis_stop_after_chunk"):
                raise _Interrupted
        cr.execute("DROP TABLE crm_analysis_metrics")
        self.env["res.partner"].invalidate_model(METRIC_COLUMNS)

    def _sql_partner_writable(self):
        """Partners ``p`` this run may write: its company's own and shared ones."""
        return SQL("(p.company_id IS NULL OR p.company_id = %s)", self.company_id.id)

    def _sql_partner_analysed_here(self):
        """Partners ``p`` whose figures and suggestions are this run's company's or nobody's: a run
        replaces another company's only for its own customers."""
        return SQL("(p.relationship_company_id IS NULL OR p.relationship_company_id = %s)", self.company_id.id)

    def _reset_stale_metrics(self, after, upto, written=None):
        """Partners with ``after < id <= upto`` that carry figures of an earlier run of this company but
        are not among this run's customers (no confirmed order any more) lose them. ``written`` names
        the table of the ids this run wrote in that range; without it, the range holds none.

        Figures of another company's analysis stay: a partner shared between companies keeps those of
        the last run that counted it as a customer, and a run for one company never clears them.

        "Has figures" is tested on an unindexed column: on the indexed segment, a planner whose
        statistics predate the first run scanned every analysed partner for each chunk (75 instead of
        11 ms a chunk at 100,000 customers)."""
        nulls = SQL(", ").join(SQL("%s = NULL", SQL.identifier(column)) for column in METRIC_COLUMNS)
        self.env.cr.execute(
            SQL(
                "UPDATE res_partner p SET %s WHERE p.id > %s AND p.id <= %s AND p.rfm_recency IS NOT NULL"
                " AND %s AND %s%s",
                nulls,
                after,
                upto,
                self._sql_partner_writable(),
                self._sql_partner_analysed_here(),
                SQL(" AND p.id NOT IN (SELECT id FROM %s)", SQL.identifier(written)) if written else SQL(),
            )
        )


class _Interrupted(Exception):
    """Raised by tests (through a context key) to simulate a crash between two chunks."""
