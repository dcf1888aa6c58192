from psycopg2.errors import SerializationFailure

from odoo import SUPERUSER_ID, api
from odoo.tests import TransactionCase, tagged
from odoo.tools import mute_logger


@tagged("post_install", "-at_install")
class TestCardCreationRace(TransactionCase):
    """Two orders of a new customer confirmed at the same time give them one card, not two.

    Runs two real transactions on cursors of their own, so its records are committed; it deletes them
    at the end. The program only gives points for a product of its own, so that nothing else sees it.
    """

    def _committed_fixture(self):
        with self.registry.cursor() as cr:
            env = api.Environment(cr, SUPERUSER_ID, {})
            product = env["product.product"].create({"name": "Race kettle", "list_price": 50.0, "taxes_id": False})
            program = env["loyalty.program"].create(
                {
                    "name": "Race card",
                    "program_type": "loyalty",
                    "applies_on": "both",
                    "trigger": "auto",
                    "rule_ids": [
                        (
                            0,
                            0,
                            {
                                "reward_point_mode": "money",
                                "reward_point_amount": 1,
                                "minimum_amount": 0,
                                "product_ids": [(6, 0, product.ids)],
                            },
                        )
                    ],
                    "reward_ids": [(0, 0, {"reward_type": "discount", "discount": 10, "required_points": 1000})],
                }
            )
            partner = env["res.partner"].create({"name": "Rita Race"})
            orders = env["sale.order"].create(
                [
                    {"partner_id": partner.id, "order_line": [(0, 0, {"product_id": product.id, "product_uom_qty": 1})]}
                    for _ in range(2)
                ]
            )
            return product.id, program.id, partner.id, orders.ids

    def _cleanup(self, product_id, program_id, partner_id, order_ids):
        with self.registry.cursor() as cr:
            env = api.Environment(cr, SUPERUSER_ID, {})
            orders = env["sale.order"].browse(order_ids).exists()
            orders._action_cancel()
            orders.unlink()
            env["loyalty.card"].search([("program_id", "=", program_id)]).unlink()
            program = env["loyalty.program"].browse(program_id)
            program.active = False
            program.unlink()
            env["product.product"].browse(product_id).product_tmpl_id.unlink()
            env["res.partner"].browse(partner_id).unlink()

    def test_two_confirmations_at_once_create_one_card(self):
        product_id, program_id, partner_id, (order1, order2) = self._committed_fixture()
        self.addCleanup(self._cleanup, product_id, program_id, partner_id, [order1, order2])
        card_domain = [("partner_id", "=", partner_id), ("program_id", "=", program_id)]
        with self.registry.cursor() as cr1, self.registry.cursor() as cr2:
            env1 = api.Environment(cr1, SUPERUSER_ID, {})
            env2 = api.Environment(cr2, SUPERUSER_ID, {})
            # Both transactions start (and take their snapshot) before either has created the card.
            self.assertFalse(env1["loyalty.card"].search(card_domain))
            self.assertFalse(env2["loyalty.card"].search(card_domain))
            env1["sale.order"].browse(order1).action_confirm()
            cr1.commit()
            # The second one does not see the first one's card; creating its own fails to serialize ...
            with self.assertRaises(SerializationFailure), mute_logger("odoo.sql_db"):
                env2["sale.order"].browse(order2).action_confirm()
                env2.flush_all()
            cr2.rollback()
            env2.invalidate_all()
            # ... and Odoo's retry of the request finds the card.
            env2["sale.order"].browse(order2).action_confirm()
            cr2.commit()
        with self.registry.cursor() as cr:
            env = api.Environment(cr, SUPERUSER_ID, {})
            card = env["loyalty.card"].search(card_domain)
            self.assertEqual(len(card), 1, "one card for the customer and the program")
            self.assertEqual(card.points, 100, "both orders gave their points to it")
            self.assertEqual(env["sale.order"].browse([order1, order2]).mapped("state"), ["sale", "sale"])
