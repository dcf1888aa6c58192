from freezegun import freeze_time

from odoo.tests import tagged

from .common_complaint import ComplaintCase, at


@tagged("post_install", "-at_install")
class TestComplaintEscalation(ComplaintCase):
    def _activities(self, complaint):
        return self.env["mail.activity"].search([("res_model", "=", "crm.complaint"), ("res_id", "=", complaint.id)])

    def _escalation_notes(self, complaint):
        return complaint.message_ids.filtered(lambda m: "Escalated" in (m.body or ""))

    def test_escalation_is_idempotent(self):
        with freeze_time(at(0, 9)):
            complaint = self._complaint(team_id=self.team.id)
        complaints = self.env["crm.complaint"]
        with freeze_time(at(0, 13, 30)):  # 3 of the 4 response hours are gone
            complaints._cron_escalate()
            complaints._cron_escalate()
        self.assertEqual(complaint.sla_status, "at_risk")
        self.assertEqual(complaint.escalation_level, "1")
        self.assertEqual(len(self._activities(complaint)), 1)
        self.assertEqual(self._activities(complaint).user_id, self.leader)
        self.assertEqual(len(self._escalation_notes(complaint)), 1)
        self.assertEqual(complaint.severity, "normal")

        with freeze_time(at(0, 15)):
            complaints._cron_escalate()
            complaints._cron_escalate()
        self.assertEqual(complaint.sla_status, "breached")
        self.assertEqual(complaint.escalation_level, "2")
        self.assertEqual(complaint.severity, "high", "breach raises the severity one step")
        self.assertEqual(len(self._activities(complaint)), 2)
        self.assertEqual(len(self._escalation_notes(complaint)), 2)

        with freeze_time(at(1, 15)):
            complaints._cron_escalate()
        self.assertEqual(len(self._activities(complaint)), 2)
        self.assertEqual(complaint.severity, "high")

    def test_breach_without_severity_raise(self):
        self.sla_normal.raise_severity_on_breach = False
        with freeze_time(at(0, 9)):
            complaint = self._complaint(team_id=self.team.id)
        with freeze_time(at(0, 15)):
            self.env["crm.complaint"]._cron_escalate()
        self.assertEqual(complaint.escalation_level, "2")
        self.assertEqual(complaint.severity, "normal")
        self.assertEqual(len(self._activities(complaint)), 1, "a breach found directly escalates once")

    def test_paused_and_closed_complaints_are_not_escalated(self):
        with freeze_time(at(0, 9)):
            paused = self._complaint(team_id=self.team.id)
            closed = self._complaint(team_id=self.team.id)
            paused.stage_id = self.stage_waiting
            closed.write(
                {"stage_id": self.stage_resolved.id, "resolution": "<p>Done</p>", "root_cause_id": self.cause.id}
            )
        with freeze_time(at(3, 15)):
            self.env["crm.complaint"]._cron_escalate()
        self.assertEqual(paused.escalation_level, "0")
        self.assertEqual(closed.escalation_level, "0")
        self.assertFalse(self._activities(paused) | self._activities(closed))

    def test_status_refresh_queries_do_not_grow_with_volume(self):
        def refresh_queries(count):
            with freeze_time(at(0, 9)):
                complaints = self.env["crm.complaint"].create(
                    [{"subject": f"c{i}", "partner_id": self.contact.id, "date_open": at(0, 9)} for i in range(count)]
                )
            self.env.invalidate_all()
            before = self.env.cr.sql_log_count
            complaints._refresh_sla_status(now=at(0, 15))
            self.env.flush_all()
            return self.env.cr.sql_log_count - before

        self.assertEqual(refresh_queries(5), refresh_queries(40))

    def test_escalation_queries_do_not_grow_with_volume(self):
        def escalation_queries(count):
            with freeze_time(at(0, 9)):
                self.env["crm.complaint"].create(
                    [
                        {
                            "subject": f"e{i}",
                            "partner_id": self.contact.id,
                            "team_id": self.team.id,
                            "user_id": self.agent.id,
                            "date_open": at(0, 9),
                        }
                        for i in range(count)
                    ]
                )
            self.env.flush_all()
            self.env.invalidate_all()
            before = self.env.cr.sql_log_count
            self.env["crm.complaint"]._cron_escalate(now=at(3, 9))
            self.env.flush_all()
            return self.env.cr.sql_log_count - before

        few, many = escalation_queries(5), escalation_queries(40)
        self.assertLessEqual(many, few + 5, f"{few} queries for 5 complaints, {many} for 45")
