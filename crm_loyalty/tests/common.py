from odoo.tests import TransactionCase


class LoyaltyCase(TransactionCase):
    @classmethod
    def setUpClass(cls):
        super().setUpClass()
        cls.program = cls.env["loyalty.program"].create(
            {
                "name": "Relationship Card",
                "program_type": "loyalty",
                "applies_on": "both",
                "trigger": "auto",
                "rel_ledger": True,
                "rule_ids": [(0, 0, {"reward_point_mode": "money", "reward_point_amount": 1, "minimum_amount": 0})],
                "reward_ids": [
                    (
                        0,
                        0,
                        {
                            "reward_type": "discount",
                            "discount": 10,
                            "discount_mode": "percent",
                            "discount_applicability": "order",
                            "required_points": 100,
                        },
                    )
                ],
            }
        )
        cls.product = cls.env["product.product"].create({"name": "Tea box", "list_price": 100.0, "taxes_id": False})
        cls.customer = cls.env["res.partner"].create({"name": "Lea Loyal", "email": "lea@example.com"})

    def _order(self, partner=None, qty=1):
        order = self.env["sale.order"].create(
            {
                "partner_id": (partner or self.customer).id,
                "order_line": [(0, 0, {"product_id": self.product.id, "product_uom_qty": qty})],
            }
        )
        order.action_confirm()
        return order

    def _card(self, partner=None):
        return self.env["loyalty.card"].search(
            [("partner_id", "=", (partner or self.customer).id), ("program_id", "=", self.program.id)]
        )

    def assertLedgerBalanced(self, card):
        ledger = sum(card.history_ids.mapped("issued")) - sum(card.history_ids.mapped("used"))
        card.invalidate_recordset(["points"])
        self.assertAlmostEqual(card.points, ledger, places=2, msg="card balance differs from its ledger")
