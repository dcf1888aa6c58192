from odoo import Command
from odoo.tests import tagged

from .common import LoyaltyCase


@tagged("post_install", "-at_install")
class TestCreditNoteReversal(LoyaltyCase):
    """A credit note on an order's invoice takes back its points pro rata, exactly and only once."""

    @classmethod
    def setUpClass(cls):
        super().setUpClass()
        cls.product.invoice_policy = "order"

    def _invoice(self, order):
        invoice = order._create_invoices()
        invoice.action_post()
        return invoice

    def _credit_note(self, order, amount):
        """A credit note of ``amount`` untaxed on the order's line, as a partial refund is keyed in."""
        credit_note = self.env["account.move"].create(
            {
                "move_type": "out_refund",
                "partner_id": order.partner_id.id,
                "invoice_line_ids": [
                    Command.create(
                        {
                            "product_id": self.product.id,
                            "quantity": 1,
                            "price_unit": amount,
                            "tax_ids": [Command.clear()],
                            "sale_line_ids": [Command.set(order.order_line.filtered("product_id").ids[:1])],
                        }
                    )
                ],
            }
        )
        credit_note.action_post()
        return credit_note

    def _reversed(self, card, credit_note=None):
        lines = card.history_ids.filtered(lambda h: h.rel_movement_type == "reversed")
        if credit_note:
            lines = lines.filtered(lambda h: h.rel_credit_note_id == credit_note)
        return lines

    def test_partial_credit_notes_take_back_pro_rata(self):
        order = self._order(qty=2)  # 200 untaxed, 200 points
        card = self._card()
        self._invoice(order)
        earned = card.history_ids.filtered(lambda h: h.rel_movement_type == "earned")

        first = self._credit_note(order, 50.0)
        self.assertEqual(card.points, 150, "a quarter of the order refunded takes back a quarter of its points")
        self.assertEqual(self._reversed(card, first).mapped("used"), [50.0])
        self.assertEqual(self._reversed(card, first).rel_reversed_history_id, earned)
        self.assertFalse(earned.rel_reversed_by_id, "a partial reversal leaves the rest of the movement standing")
        self.assertEqual(earned.rel_points_remaining, 150)
        self.assertLedgerBalanced(card)

        second = self._credit_note(order, 150.0)
        self.assertEqual(card.points, 0)
        self.assertEqual(earned.rel_points_remaining, 0)
        self.assertLedgerBalanced(card)

        third = self._credit_note(order, 30.0)
        self.assertEqual(card.points, 0, "refunding more than the order takes back no more than it earned")
        self.assertFalse(self._reversed(card, third))
        self.assertEqual(sum(self._reversed(card).mapped("used")), earned.issued)
        self.assertTrue(second)

    def test_reset_to_draft_gives_back_and_reposting_takes_again(self):
        order = self._order(qty=2)
        card = self._card()
        self._invoice(order)
        credit_note = self._credit_note(order, 80.0)
        self.assertEqual(card.points, 120)

        credit_note.button_draft()
        self.assertEqual(card.points, 200, "a credit note taken back gives its points back")
        given_back = self._reversed(card, credit_note).filtered("issued")
        self.assertEqual(given_back.issued, 80)
        self.assertLedgerBalanced(card)

        credit_note.action_post()
        self.assertEqual(card.points, 120)
        self.assertEqual(len(self._reversed(card, credit_note)), 3, "every step is a new movement, none edited")
        self.assertLedgerBalanced(card)

        credit_note.button_cancel()
        self.assertEqual(card.points, 200)
        self.assertLedgerBalanced(card)

    def test_full_refund_through_reversal_wizard_gives_back_spent_points(self):
        self._order(qty=2)  # 200 points to spend
        card = self._card()
        order = self.env["sale.order"].create(
            {
                "partner_id": self.customer.id,
                "order_line": [Command.create({"product_id": self.product.id, "product_uom_qty": 1})],
            }
        )
        order._update_programs_and_rewards()
        order._apply_program_reward(self.program.reward_ids, card)
        order.action_confirm()
        history = card.history_ids.filtered(lambda h: h.order_id == order.id)
        spent = history.filtered(lambda h: h.rel_movement_type == "spent")
        earned = history.filtered(lambda h: h.rel_movement_type == "earned")
        self.assertEqual(spent.used, 100)
        self.assertEqual(card.points, 200 - 100 + earned.issued)
        invoice = self._invoice(order)

        wizard = (
            self.env["account.move.reversal"]
            .with_context(active_model="account.move", active_ids=invoice.ids)
            .create({"journal_id": invoice.journal_id.id, "reason": "Returned"})
        )
        wizard.refund_moves()
        credit_note = invoice.reversal_move_ids
        credit_note.action_post()
        self.assertEqual(card.points, 200, "a full refund takes back all it earned and gives back all it spent")
        reversed_lines = self._reversed(card, credit_note)
        self.assertEqual(sorted(reversed_lines.mapped("issued")), [0.0, 100.0])
        self.assertEqual(sorted(reversed_lines.mapped("used")), [0.0, earned.issued])
        self.assertLedgerBalanced(card)

    def test_cancel_after_partial_refund_reverses_only_the_rest(self):
        order = self._order(qty=2)
        card = self._card()
        invoice = self._invoice(order)
        self._credit_note(order, 60.0)
        self.assertEqual(card.points, 140)
        # Cancelling an invoiced order is refused by Odoo; its loyalty reversal is what we check here.
        order._rel_reverse_points_share(1.0, "Order cancelled")
        earned = card.history_ids.filtered(lambda h: h.rel_movement_type == "earned")
        self.assertEqual(card.points, 0)
        self.assertEqual(sum(self._reversed(card).mapped("used")), 200, "exactly what was earned, not more")
        self.assertTrue(earned.rel_reversed_by_id)
        self.assertLedgerBalanced(card)
        self.assertTrue(invoice)

    def test_refund_after_points_were_spent_shows_negative_balance(self):
        order = self._order(qty=2)
        card = self._card()
        self._invoice(order)
        card._rel_add_movement("spent", -180, "Counter reward")
        self._credit_note(order, 100.0)
        self.assertEqual(card.points, -80)
        self.assertTrue(card.rel_negative_balance)
        self.assertLedgerBalanced(card)

    def test_customer_invoice_changes_nothing(self):
        order = self._order(qty=2)
        card = self._card()
        lines_before = len(card.history_ids)
        self._invoice(order)
        self.assertEqual(len(card.history_ids), lines_before)
        self.assertEqual(card.points, 200)
