from freezegun import freeze_time
from pytz import utc

from odoo.tests import tagged

from .common_complaint import ComplaintCase, at


@tagged("post_install", "-at_install")
class TestComplaintSla(ComplaintCase):
    def test_sequence_reference(self):
        complaint = self._complaint()
        self.assertRegex(complaint.name, r"^CMP/\d{4}/\d{5}$")
        self.assertNotEqual(self._complaint().name, complaint.name)

    def test_deadline_within_day_skips_lunch(self):
        complaint = self._complaint(date_open=at(0, 11))
        # 11-12 then 13-16: 4 working hours
        self.assertEqual(complaint.sla_response_deadline, at(0, 16))

    def test_deadline_across_night(self):
        complaint = self._complaint(date_open=at(0, 15))
        self.assertEqual(complaint.sla_response_deadline, at(1, 10))
        # 16 h: 2 on Monday, 8 on Tuesday, 6 on Wednesday
        self.assertEqual(complaint.sla_resolution_deadline, at(2, 15))

    def test_deadline_across_weekend(self):
        complaint = self._complaint(date_open=at(4, 16))
        self.assertEqual(complaint.sla_response_deadline, at(7, 11))

    def test_deadline_received_on_sunday(self):
        complaint = self._complaint(date_open=at(6, 20))
        self.assertEqual(complaint.sla_response_deadline, at(7, 12))

    def test_deadline_skips_public_holiday(self):
        self.env["resource.calendar.leaves"].create(
            {"name": "Holiday", "calendar_id": self.calendar.id, "date_from": at(7, 0), "date_to": at(7, 23, 59)}
        )
        complaint = self._complaint(date_open=at(4, 16))
        self.assertEqual(complaint.sla_response_deadline, at(8, 11))

    def test_batch_planning_matches_calendar_plan_hours(self):
        self.env["resource.calendar.leaves"].create(
            {"name": "Holiday", "calendar_id": self.calendar.id, "date_from": at(9, 0), "date_to": at(9, 23, 59)}
        )
        requests = [
            (at(day, hour, 30), hours)
            for day in range(12)
            for hour in (3, 9, 12, 16, 22)
            for hours in (0.5, 4, 13.25, 60)
        ]
        planned = self.calendar._rel_plan_hours_batch(requests)
        for (start, hours), moment in zip(requests, planned, strict=True):
            expected = self.calendar.plan_hours(hours, utc.localize(start), compute_leaves=True)
            self.assertEqual(moment, expected.astimezone(utc).replace(tzinfo=None), f"{hours} h from {start}")

    def test_severity_change_moves_deadlines(self):
        complaint = self._complaint(date_open=at(0, 9))
        self.assertEqual(complaint.sla_id, self.sla_normal)
        self.assertEqual(complaint.sla_resolution_deadline, at(2, 9))
        complaint.severity = "critical"
        self.assertEqual(complaint.sla_id, self.sla_critical)
        self.assertEqual(complaint.sla_response_deadline, at(0, 10))
        self.assertEqual(complaint.sla_resolution_deadline, at(0, 14))

    def test_category_policy_is_more_specific(self):
        sub = self.env["crm.complaint.category"].create({"name": "Late", "parent_id": self.category.id})
        policy = self.sla_normal.copy({"name": "Delivery", "category_id": self.category.id, "resolution_hours": 8})
        complaint = self._complaint(category_id=sub.id)
        self.assertEqual(complaint.sla_id, policy)
        complaint.category_id = False
        self.assertEqual(complaint.sla_id, self.sla_normal)

    def test_status_on_track_at_risk_breached_met(self):
        with freeze_time(at(0, 9)):
            complaint = self._complaint(date_open=at(0, 9))
            self.assertEqual(complaint.sla_status, "on_track")
        # 4 working hours: 9-12 and 13-14
        self.assertEqual(complaint.sla_response_deadline, at(0, 14))
        complaint._refresh_sla_status(now=at(0, 13, 30))
        self.assertEqual(complaint.sla_status, "at_risk")
        complaint._refresh_sla_status(now=at(0, 14, 1))
        self.assertEqual(complaint.sla_status, "breached")
        complaint.date_first_response = at(0, 12)
        complaint._refresh_sla_status(now=at(0, 14, 1))
        self.assertEqual(complaint.sla_status, "on_track")
        with freeze_time(at(1, 9)):
            complaint.write(
                {"stage_id": self.stage_resolved.id, "resolution": "<p>Refund</p>", "root_cause_id": self.cause.id}
            )
        self.assertEqual(complaint.sla_status, "met")

    def test_first_response_is_first_public_employee_message(self):
        complaint = self._complaint()
        complaint.message_post(
            body="internal", message_type="comment", subtype_xmlid="mail.mt_note", author_id=self.agent.partner_id.id
        )
        self.assertFalse(complaint.date_first_response)
        complaint.message_post(
            body="from customer", message_type="comment", subtype_xmlid="mail.mt_comment", author_id=self.contact.id
        )
        self.assertFalse(complaint.date_first_response)
        complaint.message_post(
            body="We are on it",
            message_type="comment",
            subtype_xmlid="mail.mt_comment",
            author_id=self.agent.partner_id.id,
        )
        self.assertTrue(complaint.date_first_response)

    def test_pause_and_resume_shift_deadlines_by_working_time(self):
        with freeze_time(at(0, 9)):
            complaint = self._complaint(date_open=at(0, 9))
        self.assertEqual(complaint.sla_resolution_deadline, at(2, 9))
        with freeze_time(at(0, 10)):
            complaint.stage_id = self.stage_waiting
        self.assertEqual(complaint.sla_paused_since, at(0, 10))
        # past the original deadline while paused: the clock stands still
        complaint._refresh_sla_status(now=at(1, 11))
        self.assertEqual(complaint.sla_status, "on_track")
        with freeze_time(at(1, 10)):
            complaint.stage_id = self.stage_progress
        # paused Monday 10-12, 13-17 and Tuesday 8-10: 8 working hours
        self.assertFalse(complaint.sla_paused_since)
        self.assertAlmostEqual(complaint.sla_paused_hours, 8.0)
        self.assertEqual(complaint.sla_resolution_deadline, at(3, 9))
