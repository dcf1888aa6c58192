"""Benchmark of the SLA computation and escalation run on many open complaints.

Not collected by default (the name does not start with ``test_``); run it explicitly:

    PYTHONPATH=<odoo> pytest -s -p no:logging --odoo-database=<db> --odoo-config=.work/odoo.conf --odoo-log-level=info \
        crm_relationship/tests/bench_escalation.py 2>&1 | grep bench

``CMR_BENCH_COMPLAINTS`` sets the number of open complaints (default 10000). Logs figures only.
"""

import logging
import os
import time

from pytz import utc

from odoo.tests import tagged

from .common_complaint import ComplaintCase, at

_logger = logging.getLogger(__name__)


@tagged("post_install", "-at_install", "-standard", "bench")
class BenchComplaintEscalation(ComplaintCase):
    def test_bench_escalation(self):
        count = int(os.environ.get("CMR_BENCH_COMPLAINTS", 10000))
        self.team.member_ids = self.agent
        env = self.env(context=dict(self.env.context, mail_notrack=True, mail_auto_subscribe_no_notify=True))
        Complaint = env["crm.complaint"]
        vals_list = [
            {
                "subject": f"bench {index}",
                "partner_id": self.contact.id,
                "team_id": self.team.id,
                "user_id": self.agent.id,
                "severity": ("low", "normal", "high")[index % 3],
                # spread over two working weeks, at every quarter of an hour
                "date_open": at(index % 10, 8 + (index // 10) % 9, 15 * (index % 4)),
            }
            for index in range(count)
        ]
        started = time.perf_counter()
        complaints = Complaint.create(vals_list)
        env.flush_all()
        create_seconds = time.perf_counter() - started

        env.invalidate_all()
        env.add_to_compute(Complaint._fields["sla_response_deadline"], complaints)
        started = time.perf_counter()
        complaints._recompute_recordset(["sla_response_deadline"])
        env.flush_all()
        deadlines_seconds = time.perf_counter() - started

        sample = complaints[:200]
        started = time.perf_counter()
        for complaint in sample:
            hours = complaint.sla_id.resolution_hours
            self.calendar.plan_hours(hours, utc.localize(complaint.date_open), compute_leaves=True)
        naive_seconds = (time.perf_counter() - started) / len(sample) * count

        results = {}
        for label, moment in (("quiet", at(0, 8)), ("first", at(14, 12)), ("again", at(14, 12))):
            env.invalidate_all()
            queries = env.cr.sql_log_count
            # time is passed explicitly: freezegun would also freeze the benchmark's clock
            started = time.perf_counter()
            Complaint._cron_escalate(now=moment)
            env.flush_all()
            results[label] = (time.perf_counter() - started, env.cr.sql_log_count - queries)
        escalated = Complaint.search_count([("id", "in", complaints.ids), ("escalation_level", "=", "2")])

        _logger.info("[bench] %d open complaints", count)
        _logger.info("[bench] create (sequence, SLA matching, batch deadlines, status): %.2f s", create_seconds)
        _logger.info("[bench] recompute all deadlines in one batch: %.2f s", deadlines_seconds)
        _logger.info(
            "[bench] same with calendar.plan_hours per complaint (extrapolated from 200): %.2f s", naive_seconds
        )
        for label, (seconds, queries) in results.items():
            _logger.info("[bench] escalation run (%s): %.2f s, %d queries", label, seconds, queries)
        _logger.info("[bench] escalated as breached: %d", escalated)
        self.assertEqual(escalated, count)
