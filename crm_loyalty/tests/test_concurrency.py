from datetime import timedelta

from psycopg2 import DatabaseError
from psycopg2.errors import SerializationFailure, UniqueViolation

from odoo import SUPERUSER_ID, api, fields
from odoo.exceptions import UserError
from odoo.tests import TransactionCase, tagged
from odoo.tools import mute_logger


@tagged("post_install", "-at_install")
class TestLedgerConcurrency(TransactionCase):
    """Two transactions on two cursors, as two Odoo workers run them.

    Odoo runs every request in REPEATABLE READ and retries it when PostgreSQL reports a serialization
    failure. These tests commit a fixture, interleave two transactions on cursors of their own, replay
    the refused one as Odoo's retry does, and check that nothing was counted twice or lost. They
    delete what they committed at the end.
    """

    def setUp(self):
        super().setUp()
        with self.registry.cursor() as cr:
            env = api.Environment(cr, SUPERUSER_ID, {})
            product = env["product.product"].create(
                {"name": "Concurrent teapot", "list_price": 40.0, "taxes_id": False}
            )
            program = env["loyalty.program"].create(
                {
                    "name": "Concurrent card",
                    "program_type": "loyalty",
                    "applies_on": "both",
                    "trigger": "auto",
                    "crm_ledger": True,
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
            partner = env["res.partner"].create({"name": "Connie Current"})
            card = env["loyalty.card"].create({"program_id": program.id, "partner_id": partner.id})
            orders = env["sale.order"].create(
                [
                    {"partner_id": partner.id, "order_line": [(0, 0, {"product_id": product.id, "product_uom_qty": 1})]}
                    for _ in range(2)
                ]
            )
            self.ids = {
                "product": product.id,
                "program": program.id,
                "partner": partner.id,
                "card": card.id,
                "orders": orders.ids,
            }
        self.addCleanup(self._cleanup)

    def _cleanup(self):
        with self.registry.cursor() as cr:
            env = api.Environment(cr, SUPERUSER_ID, {})
            orders = env["sale.order"].browse(self.ids["orders"]).exists()
            orders._action_cancel()
            orders.unlink()
            # The ledger is append-only for users; the database deletes a test card's lines with it.
            env["loyalty.card"].search([("program_id", "=", self.ids["program"])]).unlink()
            program = env["loyalty.program"].browse(self.ids["program"])
            program.active = False
            program.unlink()
            env["product.product"].browse(self.ids["product"]).product_tmpl_id.unlink()
            env["res.partner"].browse(self.ids["partner"]).unlink()

    def _envs(self, cr1, cr2):
        env1, env2 = api.Environment(cr1, SUPERUSER_ID, {}), api.Environment(cr2, SUPERUSER_ID, {})
        # Both transactions take their snapshot now, before either has written anything.
        env1["loyalty.card"].browse(self.ids["card"]).points  # noqa: B018
        env2["loyalty.card"].browse(self.ids["card"]).points  # noqa: B018
        return env1, env2

    def _final_card(self):
        with self.registry.cursor() as cr:
            env = api.Environment(cr, SUPERUSER_ID, {})
            card = env["loyalty.card"].browse(self.ids["card"])
            history = card.history_ids
            ledger = sum(history.mapped("issued")) - sum(history.mapped("used"))
            return (
                card.points,
                ledger,
                history.mapped(lambda h: (h.movement_type, h.order_id, h.issued, h.used, h.points_remaining)),
            )

    def _retried(self, env, cr, operation):
        """What Odoo does with a request refused for a concurrent update: roll back, run it again."""
        with self.assertRaises(SerializationFailure), mute_logger("odoo.sql_db"):
            operation(env)
            env.flush_all()
        cr.rollback()
        env.invalidate_all()
        operation(env)
        env.flush_all()
        # The replayed request commits its own transaction, as a worker does.
        cr.commit()  # pylint: disable=invalid-commit

    def test_two_orders_of_one_customer_confirmed_at_once_both_count(self):
        order1, order2 = self.ids["orders"]
        with self.registry.cursor() as cr1, self.registry.cursor() as cr2:
            env1, env2 = self._envs(cr1, cr2)
            env1["sale.order"].browse(order1).action_confirm()
            cr1.commit()
            # The second worker's snapshot predates the first order's points: confirming there would
            # compute the balance from stale data, so PostgreSQL refuses it and Odoo's retry replays it.
            self._retried(env2, cr2, lambda env: env["sale.order"].browse(order2).action_confirm())
        points, ledger, lines = self._final_card()
        self.assertEqual(points, 80, "40 points from each order")
        self.assertEqual(ledger, points, "the balance is the sum of the ledger")
        self.assertEqual(sorted(line[1] for line in lines if line[0] == "earned"), sorted([order1, order2]))

    def test_expiry_run_concurrent_with_a_spend_does_not_expire_spent_points(self):
        today = fields.Date.today()
        tomorrow = today + timedelta(days=1)
        with self.registry.cursor() as cr:
            env = api.Environment(cr, SUPERUSER_ID, {})
            card = env["loyalty.card"].browse(self.ids["card"])
            internal = env["loyalty.history"].with_context(crm_loyalty_ledger_internal=True)
            due = card._crm_add_movement("goodwill", 100, "Due lot")
            later = card._crm_add_movement("goodwill", 100, "Later lot")
            internal.browse(due.id).write({"expiry_date": today + timedelta(days=1)})
            internal.browse(later.id).write({"expiry_date": today + timedelta(days=60)})
        with self.registry.cursor() as cr1, self.registry.cursor() as cr2:
            env1, env2 = self._envs(cr1, cr2)
            # A customer spends 80 points today; they come from the lot that expires first.
            env1["loyalty.card"].browse(self.ids["card"])._crm_add_movement("spent", -80, "Reward")
            cr1.commit()
            # The nightly expiry (run as of tomorrow, when the first lot is due) started before the
            # spend was committed: its snapshot still sees the due lot whole. It must not expire those
            # 100 points; after its retry it expires the 20 left.
            self._retried(env2, cr2, lambda env: env["loyalty.history"]._cron_expire_points(today=tomorrow))
        points, ledger, lines = self._final_card()
        expired = [line for line in lines if line[0] == "expired"]
        self.assertEqual([line[3] for line in expired], [20.0], "only what the spend left of the due lot")
        self.assertEqual(points, 100, "200 given, 80 spent, 20 expired")
        self.assertEqual(ledger, points)

    def test_spend_concurrent_with_an_expiry_run_draws_from_unexpired_points(self):
        today = fields.Date.today()
        tomorrow = today + timedelta(days=1)
        with self.registry.cursor() as cr:
            env = api.Environment(cr, SUPERUSER_ID, {})
            card = env["loyalty.card"].browse(self.ids["card"])
            internal = env["loyalty.history"].with_context(crm_loyalty_ledger_internal=True)
            due = card._crm_add_movement("goodwill", 100, "Due lot")
            later = card._crm_add_movement("goodwill", 100, "Later lot")
            internal.browse(due.id).write({"expiry_date": today + timedelta(days=1)})
            internal.browse(later.id).write({"expiry_date": today + timedelta(days=60)})
        with self.registry.cursor() as cr1, self.registry.cursor() as cr2:
            env1, env2 = self._envs(cr1, cr2)
            self.assertEqual(env1["loyalty.history"]._cron_expire_points(today=tomorrow), 1)
            cr1.commit()
            # The spend's snapshot still shows the due lot unexpired: drawing from it would spend
            # points that the expiry run has just taken.
            self._retried(
                env2,
                cr2,
                lambda env: env["loyalty.card"].browse(self.ids["card"])._crm_add_movement("spent", -80, "Reward"),
            )
        points, ledger, lines = self._final_card()
        self.assertEqual(points, 20, "200 given, 100 expired, 80 spent")
        self.assertEqual(ledger, points)
        later_lot = [line for line in lines if line[0] == "goodwill" and line[4]]
        self.assertEqual([line[4] for line in later_lot], [20.0], "the spend drew from the lot still valid")

    def test_retried_confirmation_never_awards_twice(self):
        order1 = self.ids["orders"][0]
        with self.registry.cursor() as cr1, self.registry.cursor() as cr2:
            env1, env2 = self._envs(cr1, cr2)
            env1["sale.order"].browse(order1).action_confirm()
            cr1.commit()
            # The same confirmation arriving again (a client retrying after a timeout) on a worker
            # whose snapshot predates the first: refused by the database (sale_loyalty's points row
            # for the order exists), and refused by the order's state once replayed.
            with self.assertRaises(DatabaseError) as refused, mute_logger("odoo.sql_db"):
                env2["sale.order"].browse(order1).action_confirm()
                env2.flush_all()
            self.assertIsInstance(refused.exception, (SerializationFailure, UniqueViolation))
            cr2.rollback()
            env2.invalidate_all()
            with self.assertRaises(UserError):
                env2["sale.order"].browse(order1).action_confirm()
            cr2.rollback()
            # Even a second earned line written past the ORM is refused by the database.
            earned = env2["loyalty.history"].search(
                [("card_id", "=", self.ids["card"]), ("movement_type", "=", "earned")]
            )
            self.assertEqual(len(earned), 1)
            with self.assertRaises(UniqueViolation), mute_logger("odoo.sql_db"):
                cr2.execute(
                    """
                    INSERT INTO loyalty_history
                           (card_id, movement_type, order_model, order_id, issued, used, description)
                    VALUES (%s, 'earned', 'sale.order', %s, 40, 0, 'Again')
                    """,
                    [self.ids["card"], order1],
                )
            cr2.rollback()
        points, ledger, lines = self._final_card()
        self.assertEqual(points, 40)
        self.assertEqual(ledger, points)
        self.assertEqual(len([line for line in lines if line[0] == "earned"]), 1)
