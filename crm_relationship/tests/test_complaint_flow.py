from datetime import timedelta

from freezegun import freeze_time

from odoo.exceptions import UserError, ValidationError
from odoo.tests import tagged

from .common_complaint import ComplaintCase, at


@tagged("post_install", "-at_install")
class TestComplaintFlow(ComplaintCase):
    @classmethod
    def setUpClass(cls):
        super().setUpClass()
        cls.product = cls.env["product.product"].create({"name": "Desk lamp (test)", "list_price": 30})
        cls.other_product = cls.env["product.product"].create({"name": "Chair (test)", "list_price": 60})
        cls.order = cls.env["sale.order"].create(
            {"partner_id": cls.customer.id, "order_line": [(0, 0, {"product_id": cls.product.id})]}
        )
        cls.stranger = cls.env["res.partner"].create({"name": "Stranger"})
        cls.stranger_order = cls.env["sale.order"].create(
            {"partner_id": cls.stranger.id, "order_line": [(0, 0, {"product_id": cls.product.id})]}
        )

    def _close(self, complaint):
        complaint.write(
            {
                "stage_id": self.stage_resolved.id,
                "resolution": "<p>Replaced the lamp</p>",
                "root_cause_id": self.cause.id,
            }
        )

    def test_order_and_product_must_belong_to_customer(self):
        complaint = self._complaint(sale_order_id=self.order.id, product_id=self.product.id)
        self.assertEqual(complaint.allowed_product_ids, self.product)
        with self.assertRaises(ValidationError):
            self._complaint(sale_order_id=self.stranger_order.id)
        with self.assertRaises(ValidationError):
            self._complaint(sale_order_id=self.order.id, product_id=self.other_product.id)

    def test_closing_requires_resolution_and_cause(self):
        complaint = self._complaint()
        with self.assertRaises(ValidationError):
            complaint.stage_id = self.stage_resolved
        with self.assertRaises(ValidationError):
            complaint.write({"stage_id": self.stage_resolved.id, "resolution": "<p>Done</p>"})
        self._close(complaint)
        self.assertTrue(complaint.is_closed)
        self.assertTrue(complaint.date_closed)

    def test_closed_complaint_cannot_be_closed_again(self):
        complaint = self._complaint()
        self._close(complaint)
        with self.assertRaises(UserError):
            complaint.stage_id = self.stage_resolved

    def test_closing_asks_customer_for_rating(self):
        complaint = self._complaint(user_id=self.agent.id)
        self._close(complaint.with_user(self.agent))
        rating = self.env["rating.rating"].search([("res_model", "=", "crm.complaint"), ("res_id", "=", complaint.id)])
        self.assertEqual(rating.partner_id, self.contact)
        request = complaint.message_ids.filtered(lambda m: rating.access_token in (m.body or ""))
        self.assertEqual(len(request), 1)
        complaint.rating_apply(4, token=rating.access_token, feedback="Quick and kind")
        self.assertEqual(complaint.rating_last_value, 4)
        self.assertEqual(self.customer.rel_complaint_last_rating, 4)

    def test_reopen_window(self):
        with freeze_time(at(0, 9)):
            complaint = self._complaint()
            self._close(complaint)
        with freeze_time(at(20, 9)):
            self.assertFalse(complaint._can_reopen())
            with self.assertRaises(UserError):
                complaint.action_reopen()
        self.env["ir.config_parameter"].sudo().set_param("crm_relationship.complaint_reopen_days", 30)
        with freeze_time(at(20, 9)):
            self.assertTrue(complaint._can_reopen())
            complaint.action_reopen()
        self.assertFalse(complaint.is_closed)
        self.assertFalse(complaint.date_closed)
        self.assertEqual(complaint.reopen_count, 1)
        self.assertEqual(complaint.date_open, at(20, 9), "the service-level clock restarts")
        self.assertEqual(complaint.sla_status, "on_track")
        with self.assertRaises(UserError):
            complaint.action_reopen()

    def test_reopen_default_window_is_fourteen_days(self):
        with freeze_time(at(0, 9)):
            complaint = self._complaint()
            self._close(complaint)
        with freeze_time(at(0, 9) + timedelta(days=13)):
            self.assertTrue(complaint._can_reopen())
        with freeze_time(at(0, 9) + timedelta(days=15)):
            self.assertFalse(complaint._can_reopen())

    def test_sla_targets_must_be_positive(self):
        for values in ({"response_hours": 0}, {"resolution_hours": -2}):
            with self.assertRaises(ValidationError):
                self.env["crm.complaint.sla"].create(
                    dict({"name": "bad", "resource_calendar_id": self.calendar.id}, **values)
                )

    def test_unlink_category_or_stage_in_use_refused(self):
        self._complaint(stage_id=self.stage_progress.id)
        with self.assertRaises(UserError):
            self.category.unlink()
        with self.assertRaises(UserError):
            self.stage_progress.unlink()
        unused = self.env["crm.complaint.category"].create({"name": "Unused"})
        unused.unlink()
        self.assertFalse(unused.exists())

    def test_partner_file_and_repeat_complainers(self):
        self._complaint()
        closed = self._complaint(partner_id=self.customer.id)
        self._close(closed)
        self.assertEqual(self.customer.rel_complaint_count, 2)
        self.assertEqual(self.customer.rel_complaint_open_count, 1)
        self.assertEqual(self.contact.rel_complaint_count, 1)
        repeaters = self.env["res.partner"].search([("rel_complaint_count", ">=", 2)])
        self.assertIn(self.customer, repeaters)
        self.assertNotIn(self.stranger, repeaters)
        action = self.customer.action_rel_view_complaints()
        self.assertEqual(self.env["crm.complaint"].search_count(action["domain"]), 2)

    def test_sla_compliance_report_per_team(self):
        with freeze_time(at(0, 9)):
            met = self._complaint(team_id=self.team.id)
            late = self._complaint(team_id=self.team.id, date_open=at(0, 8))
            self._close(met)
        with freeze_time(at(5, 9)):
            self._close(late)
        self.assertEqual((met.sla_status, late.sla_status), ("met", "breached"))
        self.env.flush_all()
        groups = self.env["crm.complaint.report"]._read_group(
            [("team_id", "=", self.team.id)], ["team_id"], ["sla_compliance:avg", "__count"]
        )
        self.assertEqual(groups, [(self.team, 50.0, 2)])

    def test_access_url(self):
        complaint = self._complaint()
        self.assertEqual(complaint.access_url, f"/my/complaints/{complaint.id}")
