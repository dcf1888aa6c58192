import logging
from datetime import timedelta

from odoo import fields
from odoo.exceptions import AccessError, UserError, ValidationError
from odoo.tests import new_test_user, tagged

from .common import LoyaltyCase

_logger = logging.getLogger(__name__)


@tagged("post_install", "-at_install")
class TestLoyaltyLedger(LoyaltyCase):
    def test_order_earns_and_cancel_reverses_exactly(self):
        order = self._order(qty=2)
        card = self._card()
        self.assertEqual(card.points, 200)
        earned = card.history_ids.filtered(lambda h: h.rel_movement_type == "earned")
        self.assertEqual(earned.issued, 200)
        self.assertEqual(earned.order_id, order.id)
        self.assertLedgerBalanced(card)

        order._action_cancel()
        self.assertEqual(card.points, 0)
        reversal = card.history_ids.filtered(lambda h: h.rel_movement_type == "reversed")
        self.assertEqual((reversal.used, reversal.rel_reversed_history_id), (200, earned))
        self.assertEqual(earned.rel_reversed_by_id, reversal)
        self.assertLedgerBalanced(card)

        order.action_draft()
        order.action_confirm()
        self.assertEqual(card.points, 200)
        self.assertEqual(len(card.history_ids), 3, "nothing was deleted or edited, only appended")
        self.assertLedgerBalanced(card)

    def test_balance_may_go_negative_and_shows_it(self):
        order = self._order(qty=2)
        card = self._card()
        manager = new_test_user(self.env, "loy_mgr", groups="crm_relationship.group_relationship_manager")
        self.env["crm.loyalty.adjustment"].with_user(manager).create(
            {"card_id": card.id, "points": -150, "reason": "Spent at the counter"}
        ).action_confirm()
        order._action_cancel()
        self.assertEqual(card.points, -150)
        self.assertTrue(card.rel_negative_balance)
        self.assertLedgerBalanced(card)

    def test_ledger_is_append_only(self):
        self._order()
        line = self._card().history_ids
        with self.assertRaises(UserError):
            line.write({"issued": 1000})
        with self.assertRaises(UserError):
            line.unlink()

    def test_manual_adjustment_needs_reason_and_manager(self):
        self._order()
        card = self._card()
        user = new_test_user(self.env, "loy_user", groups="crm_relationship.group_relationship_user")
        manager = new_test_user(self.env, "loy_mgr2", groups="crm_relationship.group_relationship_manager")
        with self.assertRaises(AccessError):
            self.env["crm.loyalty.adjustment"].with_user(user).create(
                {"card_id": card.id, "points": 10, "reason": "Because"}
            ).action_confirm()
        with self.assertRaises(UserError):
            self.env["crm.loyalty.adjustment"].with_user(manager).create(
                {"card_id": card.id, "points": 10, "reason": "   "}
            ).action_confirm()
        self.assertEqual(card.points, 100)

    def test_expiry_is_fifo_and_idempotent(self):
        self.program.write({"rel_points_expire": True, "rel_points_expiry_days": 30})
        self._order()  # lot of 100 points, expires in 30 days
        card = self._card()
        old = card._rel_add_movement("engagement", 50, "Survey answered")
        self.env.cr.execute(
            "UPDATE loyalty_history SET rel_expiry_date = %s WHERE id = %s",
            [fields.Date.today() + timedelta(days=5), old.id],
        )
        old.invalidate_recordset()
        card._rel_add_movement("spent", -30, "Counter reward")
        self.assertEqual(old.rel_points_remaining, 20, "spending drew from the lot that expires first")
        later = fields.Date.today() + timedelta(days=10)
        self.assertEqual(self.env["loyalty.history"]._cron_expire_points(today=later), 1)
        self.assertEqual(self.env["loyalty.history"]._cron_expire_points(today=later), 0)
        expired = card.history_ids.filtered(lambda h: h.rel_movement_type == "expired")
        self.assertEqual(expired.used, 20)
        self.assertEqual((expired.rel_partner_id, expired.rel_program_id), (self.customer, self.program))
        self.assertEqual(card.points, 100)
        self.assertLedgerBalanced(card)

    def test_bad_program_settings_are_refused(self):
        with self.assertRaises(ValidationError):
            self.program.write({"rel_points_expire": True, "rel_points_expiry_days": 0})

    def test_confirmation_cost_does_not_grow_with_history(self):
        self._order()
        card = self._card()

        def confirm_queries():
            order = self.env["sale.order"].create(
                {"partner_id": self.customer.id, "order_line": [(0, 0, {"product_id": self.product.id})]}
            )
            self.env.flush_all()
            self.env.invalidate_all()
            before = self.env.cr.sql_log_count
            order.action_confirm()
            self.env.flush_all()
            return self.env.cr.sql_log_count - before

        def grow_history(lines):
            """Past engagement lots in bulk SQL, each still holding a point, then the balance resynced."""
            self.env.flush_all()
            self.env.cr.execute(
                """
                INSERT INTO loyalty_history (card_id, rel_partner_id, rel_program_id, rel_movement_type, description,
                                             issued, used, rel_points, rel_points_remaining, create_date)
                SELECT %(card)s, %(partner)s, %(program)s, 'engagement', '{"en_US": "Past"}', 1, 0, 1, 1,
                       now() - make_interval(mins => n)
                  FROM generate_series(1, %(lines)s) n
                """,
                {"card": card.id, "partner": self.customer.id, "program": self.program.id, "lines": lines},
            )
            card._rel_sync_points_from_ledger()
            self.env.invalidate_all()

        grow_history(10 - len(card.history_ids))
        short = min(confirm_queries(), confirm_queries())
        grow_history(10_000 - len(card.history_ids))
        self.assertGreaterEqual(len(card.history_ids), 10_000)
        long = min(confirm_queries(), confirm_queries())
        _logger.info("order confirmation: %s queries with 10 past ledger lines, %s with 10,000", short, long)
        self.assertLessEqual(
            long, short, f"confirmation took {short} queries with 10 past ledger lines, {long} with 10,000"
        )
        self.assertLedgerBalanced(card)
