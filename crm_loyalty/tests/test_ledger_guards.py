from odoo import Command
from odoo.addons.crm_relationship.tests.common_roles import RolesMixin
from odoo.exceptions import AccessError, ValidationError
from odoo.tests import tagged

from .common import LoyaltyCase

# Context keys the ledger uses internally: sent by a caller (they reach RPC unchanged) they must change nothing.
FORGED_CONTEXT = {
    "rel_ledger_internal": True,
    "rel_keep_history": True,
    "rel_skip_cards": [],
    "rel_resync": True,
}


@tagged("post_install", "-at_install")
class TestLedgerGuards(RolesMixin, LoyaltyCase):
    """The ledger is append-only for everyone but its own code, whatever rights sale_loyalty grants."""

    @classmethod
    def setUpClass(cls):
        super().setUpClass()
        cls.setup_roles()
        cls.order = cls.env["sale.order"].create(
            {
                "partner_id": cls.customer.id,
                "order_line": [Command.create({"product_id": cls.product.id, "product_uom_qty": 2})],
            }
        )
        cls.order.action_confirm()
        cls.card = cls.env["loyalty.card"].search(
            [("partner_id", "=", cls.customer.id), ("program_id", "=", cls.program.id)]
        )
        cls.silver = cls.env["crm.loyalty.tier"].create(
            {"name": "Silver", "program_id": cls.program.id, "threshold": 10_000}
        )

    def _snapshot(self):
        self.env.invalidate_all()
        lines = self.card.history_ids
        return {
            "points": self.card.points,
            "tier": self.card.rel_tier_id.id,
            "review": self.card.rel_tier_review_date,
            "partner": self.card.partner_id.id,
            "lines": lines.ids,
            "values": lines.read(["issued", "used", "rel_points_remaining", "rel_movement_type", "rel_expiry_date"]),
        }

    def assertUnchanged(self, before):
        self.assertEqual(self._snapshot(), before, "the refused call changed the ledger or the card")

    def test_nobody_but_the_ledger_writes_movements(self):
        before = self._snapshot()
        self.assertEqual(before["points"], 200)
        for user in (self.salesperson, self.relationship_user, self.relationship_manager):
            for context in ({}, FORGED_CONTEXT):
                History = self.env["loyalty.history"].with_user(user).with_context(**context)
                with self.subTest(user=user.name, context=bool(context)):
                    with self.assertRaises(AccessError):
                        History.create(
                            {
                                "card_id": self.card.id,
                                "rel_movement_type": "adjusted",
                                "issued": 1000,
                                "description": "x",
                            }
                        )
                    self.assertUnchanged(before)
                    line = History.browse(before["lines"][0])
                    for values in ({"issued": 1000}, {"rel_points_remaining": 1000}, {"used": 0, "issued": 0}):
                        with self.assertRaises(AccessError):
                            line.write(values)
                        self.assertUnchanged(before)
                    with self.assertRaises(AccessError):
                        line.unlink()
                    self.assertUnchanged(before)
        self.assertLedgerBalanced(self.card)

    def test_nobody_writes_a_ledger_cards_points_or_tier(self):
        before = self._snapshot()
        other = self.env["res.partner"].create({"name": "Olga Other"})
        for user in (self.salesperson, self.relationship_user, self.relationship_manager):
            for context in ({}, FORGED_CONTEXT):
                card = self.card.with_user(user).with_context(**context)
                for values in (
                    {"points": 1_000_000},
                    {"rel_tier_id": self.silver.id},
                    {"rel_tier_review_date": "2000-01-01"},
                    {"partner_id": other.id},
                ):
                    with self.subTest(user=user.name, values=values, context=bool(context)):
                        with self.assertRaises(AccessError):
                            card.write(values)
                        self.assertUnchanged(before)

    def test_internal_context_keys_from_a_caller_change_nothing(self):
        """A salesperson confirming and cancelling with every internal key set gets the normal ledger."""
        order = (
            self.env["sale.order"]
            .with_user(self.salesperson)
            .with_context(rel_skip_cards=[self.card.id], rel_keep_history=True, rel_ledger_internal=True)
            .create(
                {
                    "partner_id": self.customer.id,
                    "order_line": [Command.create({"product_id": self.product.id})],
                }
            )
        )
        order.action_confirm()
        earned = self.card.history_ids.filtered(lambda h: h.order_id == order.id and h.rel_movement_type == "earned")
        self.assertEqual(earned.issued, 100, "the skip key sent by a caller dropped no ledger line")
        self.assertEqual(self.card.points, 300)
        order.action_cancel()
        self.assertTrue(earned.exists(), "the ledger line was kept")
        self.assertEqual(earned.rel_reversed_by_id.used, 100)
        self.assertEqual(self.card.points, 200)
        self.assertLedgerBalanced(self.card)

    def test_update_balance_wizard_goes_through_the_ledger(self):
        before = self._snapshot()
        for user in (self.salesperson, self.relationship_user):
            wizard = (
                self.env["loyalty.card.update.balance"]
                .with_user(user)
                .create({"card_id": self.card.id, "new_balance": 1_000_000, "description": "Because"})
            )
            with self.subTest(user=user.name), self.assertRaises(AccessError):
                wizard.action_update_card_point()
            self.assertUnchanged(before)
        Wizard = self.env["loyalty.card.update.balance"].with_user(self.relationship_manager)
        with self.assertRaises(ValidationError):
            Wizard.create(
                {"card_id": self.card.id, "new_balance": -5, "description": "Negative"}
            ).action_update_card_point()
        self.assertUnchanged(before)
        Wizard.create(
            {"card_id": self.card.id, "new_balance": 150, "description": "Damaged parcel"}
        ).action_update_card_point()
        adjusted = self.card.history_ids.filtered(lambda h: h.rel_movement_type == "adjusted")
        self.assertEqual(
            (adjusted.used, adjusted.description, adjusted.rel_reason), (50, "Damaged parcel", "Damaged parcel")
        )
        self.assertEqual(adjusted.rel_user_id, self.relationship_manager)
        self.assertEqual(self.card.points, 150)
        self.assertLedgerBalanced(self.card)

    def test_manual_adjustment_is_refused_to_others_over_rpc(self):
        before = self._snapshot()
        # The wizard's ACL is manager-only; its method checks the caller again, as an RPC call would reach it.
        wizard = self.env["crm.loyalty.adjustment"].create({"card_id": self.card.id, "points": 500, "reason": "Why"})
        for user in (self.salesperson, self.relationship_user):
            with self.subTest(user=user.name), self.assertRaises(AccessError):
                wizard.with_user(user).action_confirm()
            self.assertUnchanged(before)
        manager_wizard = (
            self.env["crm.loyalty.adjustment"]
            .with_user(self.relationship_manager)
            .create({"card_id": self.card.id, "points": 500, "reason": "Lost parcel"})
        )
        manager_wizard.action_confirm()
        adjusted = self.card.history_ids.filtered(lambda h: h.rel_movement_type == "adjusted")
        self.assertEqual((adjusted.issued, adjusted.rel_reason), (500, "Lost parcel"))
        self.assertEqual(self.card.points, 700)
        self.assertLedgerBalanced(self.card)

    def test_ledger_card_starts_at_zero_unless_the_ledger_opens_it(self):
        sales_manager = self.env["res.users"].create(
            {
                "name": "Sue Sales Manager",
                "login": "loy_sales_manager",
                "group_ids": [Command.link(self.env.ref("sales_team.group_sale_manager").id)],
            }
        )
        partner = self.env["res.partner"].create({"name": "Nina New"})
        Card = self.env["loyalty.card"].with_user(sales_manager)
        with self.assertRaises(AccessError):
            Card.create({"program_id": self.program.id, "partner_id": partner.id, "points": 5000})
        self.assertFalse(self.env["loyalty.card"].search([("partner_id", "=", partner.id)]))
        card = Card.create({"program_id": self.program.id, "partner_id": partner.id})
        self.assertEqual(card.points, 0)
