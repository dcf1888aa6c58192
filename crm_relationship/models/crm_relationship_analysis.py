import contextlib
import logging
import threading
import time
from concurrent import futures
from concurrent.futures import ThreadPoolExecutor

import numpy as np

from odoo import api, fields, models, modules, tools
from odoo.exceptions import UserError

from ..analytics import bgnbd, bulk, churn, clv, gamma_gamma, scoring, store, summary, validation

_logger = logging.getLogger(__name__)

# Key of the PostgreSQL advisory lock that keeps two workers from running the analysis at once.
ANALYSIS_LOCK_KEY = 0x43_4D_52_41  # "CMRA"


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
    # Customers scored, written and committed together: large chunks mean fewer round trips and commits
    # (tests/bench/bench_analysis.py measures it), for a few megabytes of columns per chunk and at most
    # one chunk to redo after a crash.
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
    reliability_note = fields.Text(compute="_compute_reliability_note")
    value_horizon_months = fields.Integer(string="Lifetime Value Horizon (months)", readonly=True)
    value_discount_rate = fields.Float(string="Annual Discount Rate (%)", readonly=True, digits=(16, 2))
    value_margin = fields.Float(
        string="Gross Margin (%)",
        readonly=True,
        digits=(16, 2),
        help="The Settings' margin, for what is sold in product categories without a margin of their own.",
    )
    value_margin_mean = fields.Float(
        string="Average Margin (%)",
        readonly=True,
        digits=(16, 2),
        help="The margin the lifetime values counted, over all customers weighted by what they bought: each "
        "customer's is that of the product categories of their purchases.",
    )
    _chunk_size_positive = models.Constraint("CHECK(chunk_size > 0)", "The chunk size must be positive.")

    @api.depends("date_as_of", "create_date", "holdout_weeks")
    def _compute_name(self):
        for run in self:
            if run.holdout_weeks:
                run.name = self.env._(
                    "Validation as of %(date)s, last %(weeks)s weeks held out",
                    date=run.date_as_of or "",
                    weeks=run.holdout_weeks,
                )
            else:
                run.name = self.env._("Analysis as of %s", run.date_as_of or "")

    # ------------------------------------------------------------------ entry points
    @api.model
    def _cron_run(self):
        """Nightly: resume an interrupted run of today, or start a new one."""
        run = self.search(
            [("state", "=", "running"), ("company_id", "=", self.env.company.id), ("holdout_weeks", "=", 0)], limit=1
        )
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
            if not self.holdout_weeks:
                # A validation run changes no customer's figures: nothing to plan from it.
                retention = self.env["crm.relationship.retention"]._schedule_for_company(self.company_id)
                messages.append(self.env._("Retention: %s", retention.activity_message()))
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
    def _read_customers(self, as_of=None):
        """One row per customer entity of the run's company up to its date, or ``as_of`` (see
        ``store.read_customers``).

        Up to the run's own date, from the customers' purchase summary, brought up to date first for
        the customers whose orders changed (``analytics.summary``), unless an order is dated after the
        run's date. Otherwise from the orders, through Odoo's read-only cursor, so that a replica
        (db_replica_host) serves it.
        """
        cr = self.env.cr
        if as_of is None:
            summary.refresh(cr)
            if summary.is_usable(cr, self.company_id.id, self.date_as_of):
                return summary.read_customers(cr, self.company_id.id, self.date_as_of)
        with self._read_cursor() as read_cr:
            return store.read_customers(read_cr, self.company_id.id, as_of or self.date_as_of)

    # ------------------------------------------------------------------ recommendations
    def _recommend_in_background(self):
        """Start computing the customers' recommendations in a thread with a cursor of its own, and return
        its Future; or None when this run does not commit (tests, demo data loading): the recommendations
        then run at the end on this cursor, since another cursor would not see this transaction.

        Recommendations and metrics read different rows (order lines against orders), score apart and write
        different tables: while one waits on PostgreSQL the other computes, and the two use both cores."""
        if not self._can_commit():
            return None
        # The purchase summary, committed before the recommendations' own cursor reads it.
        summary.refresh(self.env.cr)
        self._commit()
        executor = ThreadPoolExecutor(max_workers=1, thread_name_prefix="crm_relationship_recommendations")
        future = executor.submit(self._recommend_on_own_cursor, self.env.cr.dbname)
        executor.shutdown(wait=False)
        return future

    def _recommend_on_own_cursor(self, dbname):
        threading.current_thread().dbname = dbname
        with self.env.registry.cursor() as cr:
            analysis = self.with_env(self.env(cr=cr))
            analysis.env["crm.relationship.recommendation"]._compute_for_analysis(analysis)

    # ------------------------------------------------------------------ computing
    def _analyse(self):
        self.env.flush_all()
        if self.holdout_weeks:
            return self._validate()
        background = self._recommend_in_background()
        try:
            messages = self._analyse_customers()
        finally:
            if background:
                # Also when the metrics failed: the run's lock is not released while recommendations are written.
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
            store.reset_stale_metrics(self.env.cr, self.company_id.id, 0, bulk.ID_MAX)
            self._rel_forget_figures()
            return [self.env._("No confirmed sales orders up to this date: nothing to analyse.")]
        self.write(
            {
                "customer_count": len(customers),
                "order_count": int(customers["orders"].sum()),
                "occasion_count": int(customers["occasions"].sum()),
            }
        )

        messages += self._fit(customers)
        # What needs every customer at once: value, quintile scores and the rank of each customer's value.
        customers, frequent_from = scoring.score_customer_base(customers, self._customer_margins(customers))
        self._estimate_losses(customers)
        # The rest, a chunk of customers at a time: attitude, segment, stage, quadrant, health, writing.
        self._score_and_write(customers, frequent_from)
        return messages

    def _fit(self, customers, horizon_weeks=scoring.HORIZON_WEEKS):
        """Fit BG/NBD and Gamma-Gamma on ``customers``, store their parameters on the run, and add the
        columns ``alive``, ``expected`` (purchases in ``horizon_weeks``), ``discounted`` (the lifetime
        value's discounted purchases) and ``spend``. Returns the warnings."""
        messages = []
        self.write(self._value_settings())
        x, t_x, T = scoring.purchase_history(customers)
        try:
            bg = bgnbd.fit(
                x, t_x, T, warm_start=self._previous_estimates("bgnbd_r", "bgnbd_alpha", "bgnbd_a", "bgnbd_b")
            )
            if not bg.converged:
                messages.append(self.env._("The BG/NBD fit did not fully converge; its estimates are approximate."))
            customers["alive"] = bgnbd.probability_alive(bg, x, t_x, T)
            customers["lost"] = churn.probability_lost(bg, churn.WEEKS_90_DAYS, customers["alive"], x, T)
            # The fit itself, for what a validation run predicts week by week.
            customers.attrs["bgnbd"] = bg
            customers["expected"] = bgnbd.expected_purchases(bg, horizon_weeks, x, t_x, T)
            customers["discounted"] = clv.discounted_purchases(
                bg, self.value_horizon_months, self.value_discount_rate / 100, x, t_x, T
            )
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
            scoring.assume_recent_alive(customers)

        positive_mean = scoring.mean_spend(customers)
        try:
            gg = gamma_gamma.fit(
                x, customers["repeat_mean"].to_numpy(), warm_start=self._previous_estimates("gg_p", "gg_q", "gg_v")
            )
            customers["spend"] = gamma_gamma.expected_spend(gg, x, customers["repeat_mean"].to_numpy(), positive_mean)
            self.write({"gg_p": gg.p, "gg_q": gg.q, "gg_v": gg.v, "gg_log_likelihood": gg.log_likelihood})
            if not gg.converged:
                messages.append(
                    self.env._("The Gamma-Gamma fit did not fully converge; its spend estimates are approximate.")
                )
        except ValueError as error:
            messages.append(self.env._("Spend per purchase not modelled (%s): the average spend is used.", error))
            customers["spend"] = positive_mean
        correlation = validation.spend_frequency_correlation(x, customers["repeat_mean"].to_numpy())
        if abs(correlation) > 0.3:
            messages.append(
                self.env._(
                    "Spend per purchase and number of purchases go together (correlation %(r).2f): the "
                    "Gamma-Gamma model assumes they do not, so expected spend and lifetime value are biased.",
                    r=correlation,
                )
            )
        return messages

    def _customer_margins(self, customers):
        """Each customer's margin (a fraction, indexed like ``customers``): that of the product categories
        they bought, weighted by the amounts, or the Settings' margin when no category has one of its own.
        Stores the base's average on the run."""
        default = self.value_margin
        with self._read_cursor() as cr:
            by_category = store.has_category_margins(cr)
            margins = store.read_margins(cr, self.company_id.id, self.date_as_of, default) if by_category else None
        if margins is None or margins.empty:
            self.value_margin_mean = default
            return default / 100
        margins = margins.reindex(customers.index)
        weights = margins["weight"].fillna(0.0)
        mean = (margins["margin"] * weights).sum() / weights.sum() if weights.sum() > 0 else default / 100
        self.value_margin_mean = mean * 100
        return margins["margin"].fillna(default / 100)

    def _value_settings(self):
        """The Settings' lifetime value horizon (months), annual discount rate and margin (percent)."""
        # sudo: system parameters are the administrators'; the run reads these whoever starts it
        params = self.env["ir.config_parameter"].sudo()
        return {
            "value_horizon_months": int(params.get_param("crm_relationship.value_horizon_months", 36)),
            "value_discount_rate": float(params.get_param("crm_relationship.value_discount_rate", 10.0)),
            "value_margin": float(params.get_param("crm_relationship.value_margin", 30.0)),
        }

    def _previous_estimates(self, *fields_):
        """The given parameters of the company's latest finished run that estimated them, as a warm start
        for tonight's fit (the customer base changes little from one night to the next)."""
        previous = self.search(
            [
                ("company_id", "=", self.company_id.id),
                ("state", "=", "done"),
                ("id", "!=", self.id),
                ("holdout_weeks", "=", 0),
                (fields_[0], ">", 0),
            ],
            limit=1,
        )
        return tuple(previous[name] for name in fields_) if previous else None

    def _health_weights(self):
        """The Settings' weights of value, retention, satisfaction and complaints, summing to 1."""
        params = self.env["ir.config_parameter"].sudo()
        return scoring.health_weights(
            [
                float(params.get_param(f"crm_relationship.health_weight_{name}", default))
                for name, default in (("value", 30), ("retention", 30), ("satisfaction", 25), ("complaints", 15))
            ]
        )

    # ------------------------------------------------------------------ writing
    def _score_and_write(self, customers, frequent_from):
        """Score and write a chunk of customers at a time, each chunk one bulk UPDATE committed as it
        goes; a resumed run skips what is written.

        ``customers`` is indexed by partner id in ascending order (as read).
        """
        first = customers.index.searchsorted(self.resume_after_partner_id, side="right")
        weights = self._health_weights()
        cr = self.env.cr
        table = store.MetricsTable(cr, self.env.uid)
        chunks = (
            (int(customers.index[min(start + self.chunk_size, len(customers)) - 1]), start)
            for start in range(first, len(customers), self.chunk_size)
        )
        for after, upto, start in bulk.id_ranges(chunks, self.resume_after_partner_id):
            if start is None:
                # Partners after the last customer that are no longer customers lose their old figures.
                store.reset_stale_metrics(cr, self.company_id.id, after, upto)
                continue
            part = customers.iloc[start : start + self.chunk_size]
            with self._read_cursor() as read_cr:
                part = part.join(store.read_attitude(read_cr, self.company_id.id, part.index.to_numpy()))
            scoring.score_relationship(part, frequent_from, weights)
            chunk = scoring.metric_rows(part, self.company_id.id)
            table.write_rows(chunk)
            # Partners of the chunk's id range that are no longer customers lose their old figures.
            store.reset_stale_metrics(cr, self.company_id.id, after, upto, table.name)
            self.write({"resume_after_partner_id": upto, "written_count": self.written_count + len(chunk)})
            self._commit(len(chunk), remaining=len(customers) - start - len(chunk))
        table.drop()
        self._rel_forget_figures()

    @api.model
    def _rel_clear_figures(self, partners):
        """Clear the figures and suggestions computed about these customer entities and their contacts."""
        entity = self.env["res.partner"].with_context(active_test=False).search([("id", "child_of", partners.ids)])
        self.env.flush_all()
        self.env.cr.execute("DELETE FROM crm_relationship_figures WHERE partner_id = ANY(%s)", [entity.ids])
        self._rel_forget_figures()
        # sudo: suggestions are written by the analysis only; clearing them goes with the figures
        self.env["crm.relationship.recommendation"].sudo().search([("partner_id", "in", entity.ids)]).unlink()

    @api.model
    def _rel_forget_figures(self):
        """Drop the cached figures after a write in SQL."""
        self.env["crm.relationship.figures"].invalidate_model()
        self.env["res.partner"].invalidate_model(store.PARTNER_FIELDS)

    def _sql_partner_writable(self):
        """Partners ``p`` this run may write: its company's own and shared ones."""
        return store.sql_partner_writable(self.company_id.id)

    def _sql_partner_analysed_here(self):
        """Partners whose figures ``f`` (left-joined) and recommendations are this run's company's or nobody's."""
        return store.sql_partner_analysed_here(self.company_id.id)
