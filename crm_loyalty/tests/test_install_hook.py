from odoo.tests import tagged
from odoo.tools import sql

from ..hooks import pre_init_hook
from .common import LoyaltyCase


@tagged("post_install", "-at_install")
class TestInstallHook(LoyaltyCase):
    """History that outlives an uninstall, or predates the install, becomes a consistent ledger."""

    def _history_without_ledger(self, card, rows):
        """Drop the ledger's columns, as an uninstall does, and write Odoo's own history lines in SQL."""
        self.env.flush_all()
        cr = self.env.cr
        cr.execute(
            "ALTER TABLE loyalty_history DROP COLUMN rel_movement_type, DROP COLUMN rel_points,"
            " DROP COLUMN rel_points_remaining"
        )
        # Odoo's own description, untranslated until the install makes it translatable again (_install)
        sql.convert_column_translatable(cr, "loyalty_history", "description", "text")
        ids = []
        for order_id, issued, used in rows:
            cr.execute(
                """
                INSERT INTO loyalty_history (card_id, order_model, order_id, description, issued, used)
                VALUES (%s, %s, %s, 'before', %s, %s) RETURNING id
                """,
                [card.id, order_id and "sale.order", order_id, issued, used],
            )
            ids.append(cr.fetchone()[0])
        return ids

    def _install(self):
        """The hook, then the description made translatable as the install's model update does."""
        pre_init_hook(self.env)
        sql.convert_column_translatable(self.env.cr, "loyalty_history", "description", "jsonb")

    def _ledger(self, ids):
        self.env.invalidate_all()
        lines = self.env["loyalty.history"].browse(ids)
        return [(line.rel_movement_type, line.rel_points, line.rel_points_remaining) for line in lines]

    def test_history_is_typed_and_opened_as_lots(self):
        card = self.env["loyalty.card"].create({"program_id": self.program.id, "partner_id": self.customer.id})
        ids = self._history_without_ledger(
            card,
            [
                (9001, 100.0, 0.0),  # what order 9001 earned
                (9001, 0.0, 50.0),  # a reward on the same order
                (9001, 30.0, 0.0),  # a second gain on the same order: an adjustment
                (None, 20.0, 0.0),  # a gain without order
                (None, 0.0, 10.0),  # a loss without order
                (9002, 40.0, 10.0),  # sale_loyalty's single line: points won and spent on one order
            ],
        )
        self.env.cr.execute("UPDATE loyalty_card SET points = 150 WHERE id = %s", [card.id])

        self._install()

        self.assertEqual(
            self._ledger(ids),
            [
                ("earned", 100.0, 40.0),  # the 60 points lost are taken from the oldest lots first
                ("spent", -50.0, 0.0),
                ("adjusted", 30.0, 30.0),
                ("adjusted", 20.0, 20.0),
                ("adjusted", -10.0, 0.0),
                ("earned", 30.0, 30.0),
            ],
        )
        carried = card.history_ids.filtered(lambda line: line.id not in ids)
        self.assertEqual(
            [(carried.rel_movement_type, carried.issued, carried.rel_points_remaining)],
            [("adjusted", 30.0, 30.0)],
            "the balance the history did not explain is carried over, not lost",
        )
        self.assertLedgerBalanced(card)
        self.assertEqual(sum(card.history_ids.mapped("rel_points_remaining")), card.points)
        self.assertFalse(any(card.history_ids.mapped("rel_expiry_date")), "no expiry is invented for old points")

        # The index that failed on reinstall builds now, as Odoo builds it.
        history = self.env["loyalty.history"]
        index = type(history)._earned_once_per_order
        self.assertFalse(sql.index_exists(self.env.cr, index.full_name(history)), "dropped with its column")
        index.apply_to_database(history)
        self.assertTrue(sql.index_exists(self.env.cr, index.full_name(history)))

    def test_spending_beyond_the_lots_leaves_them_empty(self):
        card = self.env["loyalty.card"].create({"program_id": self.program.id, "partner_id": self.customer.id})
        ids = self._history_without_ledger(card, [(9003, 10.0, 0.0), (9003, 0.0, 25.0)])
        self.env.cr.execute("UPDATE loyalty_card SET points = -15 WHERE id = %s", [card.id])

        self._install()

        self.assertEqual(self._ledger(ids), [("earned", 10.0, 0.0), ("spent", -25.0, 0.0)])
        self.assertEqual(sorted(card.history_ids.ids), ids, "a balance its history explains needs no carried line")
        self.assertLedgerBalanced(card)
