import threading
import time
from datetime import timedelta
from unittest.mock import patch

from psycopg2.errors import UniqueViolation

from odoo import SUPERUSER_ID, api, fields
from odoo.exceptions import UserError
from odoo.service.model import retrying
from odoo.tests import TransactionCase, tagged
from odoo.tools import mute_logger

from ..models.loyalty_history import LOT_TYPES


@tagged("post_install", "-at_install")
class TestLedgerConcurrency(TransactionCase):
    """Two transactions on two cursors, as two Odoo workers run them.

    Odoo runs every request in REPEATABLE READ and retries it (``odoo.service.model.retrying``) when
    PostgreSQL reports a serialization failure. These tests commit a fixture, interleave two
    transactions on cursors of their own, run the second one through that retry, and check that
    nothing was counted twice or lost. They delete what they committed at the end.
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
                    "rel_ledger": True,
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
                    "reward_ids": [
                        (0, 0, {"reward_type": "discount", "discount": 10, "required_points": 1000}),
                        (
                            0,
                            0,
                            {
                                "reward_type": "discount",
                                "discount_mode": "per_order",
                                "discount": 5,
                                "discount_applicability": "order",
                                "required_points": 80,
                            },
                        ),
                    ],
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
                "reward": program.reward_ids.filtered(lambda r: r.required_points == 80).id,
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
            # The ledger is append-only for users; the database deletes a test card's lines with it. On a
            # demo database the orders also gave the customer a card of the demo program.
            env["loyalty.card"].search(
                ["|", ("program_id", "=", self.ids["program"]), ("partner_id", "=", self.ids["partner"])]
            ).unlink()
            program = env["loyalty.program"].browse(self.ids["program"])
            program.active = False
            program.unlink()
            env["product.product"].browse(self.ids["product"]).product_tmpl_id.unlink()
            env["res.partner"].browse(self.ids["partner"]).unlink()

    # ------------------------------------------------------------------ helpers
    def _envs(self, cr1, cr2):
        env1, env2 = api.Environment(cr1, SUPERUSER_ID, {}), api.Environment(cr2, SUPERUSER_ID, {})
        # Both transactions take their snapshot now, before either has written anything.
        env1["loyalty.card"].browse(self.ids["card"]).points  # noqa: B018
        env2["loyalty.card"].browse(self.ids["card"]).points  # noqa: B018
        return env1, env2

    def _committed_lots(self, reward_on_second_order=False):
        """A lot of 100 points due tomorrow, one of 100 due in 60 days; maybe 5 off order 2 for 80 points."""
        today = fields.Date.today()
        with self.registry.cursor() as cr:
            env = api.Environment(cr, SUPERUSER_ID, {})
            card = env["loyalty.card"].browse(self.ids["card"])
            internal = env["loyalty.history"].with_context(rel_ledger_internal=True)
            due = card._rel_add_movement("goodwill", 100, "Due lot")
            later = card._rel_add_movement("goodwill", 100, "Later lot")
            internal.browse(due.id).write({"rel_expiry_date": today + timedelta(days=1)})
            internal.browse(later.id).write({"rel_expiry_date": today + timedelta(days=60)})
            if reward_on_second_order:
                reward = env["loyalty.reward"].browse(self.ids["reward"])
                card._rel_claim_reward(reward, env["sale.order"].browse(self.ids["orders"][1]))

    def _as_a_request(self, env, operation):
        """Run ``operation`` as Odoo runs a request: retried after a concurrency error, then committed.

        Returns the number of attempts. Odoo waits a random moment before retrying; not here.
        """
        attempts = []

        def attempt():
            attempts.append(True)
            operation(env)

        with patch("odoo.service.model.random.uniform", return_value=0.0), mute_logger("odoo.sql_db"):
            retrying(attempt, env)
        return len(attempts)

    def _while_first_holds_its_locks(self, env1, env2, operation):
        """Run ``operation`` as a request on ``env2`` in a thread while ``env1`` holds its locks.

        The first transaction commits once the second waits for one of its locks, as seen by
        ``pg_blocking_pids``. Returns the number of attempts of the second, or the error it ended with.
        """
        env1.flush_all()
        env1.cr.execute("SELECT pg_backend_pid()")
        first_pid = env1.cr.fetchone()[0]
        env2.cr.execute("SELECT pg_backend_pid()")
        second_pid = env2.cr.fetchone()[0]
        outcome = []

        def second_worker():
            try:
                outcome.append(self._as_a_request(env2, operation))
            except Exception as error:  # handed to the test, which asserts on it
                outcome.append(error)

        worker = threading.Thread(target=second_worker, name="second worker")
        worker.start()
        waiting, deadline = False, time.monotonic() + 10
        while not waiting and worker.is_alive() and time.monotonic() < deadline:
            env1.cr.execute("SELECT %s = ANY(pg_blocking_pids(%s))", [first_pid, second_pid])
            waiting = env1.cr.fetchone()[0]
            if not waiting:
                time.sleep(0.01)
        env1.cr.commit()
        worker.join(30)
        self.assertFalse(worker.is_alive(), "the second transaction finished once the first committed")
        self.assertTrue(waiting, "the second transaction waited for a lock of the first")
        return outcome[0]

    def _race(self, first, second, waiting=False):
        """``first`` runs on one worker, ``second`` on another whose snapshot predates it.

        Without ``waiting`` the first commits before the second starts writing; with it, the second
        waits on the first's locks until the first commits. Either way the second is refused once and
        retried; returns the committed card as ``_final_card`` does.
        """
        with self.registry.cursor() as cr1, self.registry.cursor() as cr2:
            env1, env2 = self._envs(cr1, cr2)
            first(env1)
            if waiting:
                attempts = self._while_first_holds_its_locks(env1, env2, second)
            else:
                cr1.commit()
                attempts = self._as_a_request(env2, second)
            self.assertEqual(attempts, 2)
        return self._final_card()

    def _confirm(self, order_id):
        return lambda env: env["sale.order"].browse(order_id).action_confirm()

    def _spend(self, points):
        return lambda env: env["loyalty.card"].browse(self.ids["card"])._rel_add_movement("spent", -points, "Reward")

    @staticmethod
    def _expire(today):
        return lambda env: env["loyalty.history"]._cron_expire_points(today=today)

    def _final_card(self):
        """The committed card checked for soundness; returns its balance and its ledger lines."""
        with self.registry.cursor() as cr:
            env = api.Environment(cr, SUPERUSER_ID, {})
            card = env["loyalty.card"].browse(self.ids["card"])
            history = card.history_ids
            ledger = sum(history.mapped("issued")) - sum(history.mapped("used"))
            self.assertEqual(card.points, ledger, "the balance is the sum of the ledger")
            lots = history.filtered(lambda h: h.rel_movement_type in LOT_TYPES)
            for lot in lots:
                self.assertTrue(
                    0 <= lot.rel_points_remaining <= lot.issued, f"{lot.description}: {lot.rel_points_remaining}"
                )
            self.assertEqual(
                sum(lots.mapped("rel_points_remaining")),
                card.points,
                "no lot was spent and expired both: they hold it all",
            )
            return card.points, history.mapped(
                lambda h: (h.rel_movement_type, h.order_id, h.issued, h.used, h.rel_points_remaining, h.description)
            )

    # ------------------------------------------------------------------ two orders of one customer
    def test_two_orders_of_one_customer_confirmed_at_once_both_count(self):
        order1, order2 = self.ids["orders"]
        # The second worker's snapshot predates the first order's points: confirming there would
        # compute the balance from stale data, so PostgreSQL refuses it and Odoo's retry replays it.
        points, lines = self._race(self._confirm(order1), self._confirm(order2))
        self.assertEqual(points, 80, "40 points from each order")
        self.assertEqual(sorted(line[1] for line in lines if line[0] == "earned"), sorted([order1, order2]))

    def test_two_orders_confirmed_while_the_other_holds_the_card(self):
        order1, order2 = self.ids["orders"]
        # The second confirmation waits for the first worker's lock on the card, is refused when the
        # first commits, and counts both orders on its retry.
        points, lines = self._race(self._confirm(order1), self._confirm(order2), waiting=True)
        self.assertEqual(points, 80, "40 points from each order")
        self.assertEqual(sorted(line[1] for line in lines if line[0] == "earned"), sorted([order1, order2]))

    # ------------------------------------------------------------------ expiry against a spend
    def test_expiry_run_concurrent_with_a_spend_does_not_expire_spent_points(self):
        tomorrow = fields.Date.today() + timedelta(days=1)
        self._committed_lots()
        # A customer spends 80 points today; they come from the lot that expires first. The nightly
        # expiry (run as of tomorrow, when the first lot is due) started before the spend was
        # committed: its snapshot still sees the due lot whole. It must not expire those 100 points;
        # after its retry it expires the 20 left.
        points, lines = self._race(self._spend(80), self._expire(tomorrow))
        expired = [line for line in lines if line[0] == "expired"]
        self.assertEqual([line[3] for line in expired], [20.0], "only what the spend left of the due lot")
        self.assertEqual(points, 100, "200 given, 80 spent, 20 expired")

    def test_spend_concurrent_with_an_expiry_run_draws_from_unexpired_points(self):
        tomorrow = fields.Date.today() + timedelta(days=1)
        self._committed_lots()

        def expire(env):
            self.assertEqual(self._expire(tomorrow)(env), 1)

        # The spend's snapshot still shows the due lot unexpired: drawing from it would spend
        # points that the expiry run has just taken.
        points, lines = self._race(expire, self._spend(80))
        self.assertEqual(points, 20, "200 given, 100 expired, 80 spent")
        self.assertEqual([line[4] for line in lines if line[5] == "Later lot"], [20.0], "spent from the valid lot")

    def test_expiry_run_waiting_for_an_order_that_spends_a_reward(self):
        tomorrow = fields.Date.today() + timedelta(days=1)
        self._committed_lots(reward_on_second_order=True)
        # The order spends 80 points on its discount, from the lot due tomorrow, and earns 40. The
        # expiry run waits for the order's lock on the card, then is refused and retried: only the 20
        # points the order left of the due lot expire.
        points, lines = self._race(self._confirm(self.ids["orders"][1]), self._expire(tomorrow), waiting=True)
        self.assertEqual([line[3] for line in lines if line[0] == "expired"], [20.0])
        self.assertEqual([line[3] for line in lines if line[0] == "spent"], [80.0], "the discount's points, once")
        self.assertEqual(points, 140, "200 given, 40 earned, 80 spent, 20 expired")

    def test_order_that_spends_a_reward_waiting_for_an_expiry_run(self):
        tomorrow = fields.Date.today() + timedelta(days=1)
        self._committed_lots(reward_on_second_order=True)
        # The confirmation waits for the expiry run's lock on the card; on its retry it sees the due
        # lot expired and takes the discount's points from the later one.
        points, lines = self._race(self._expire(tomorrow), self._confirm(self.ids["orders"][1]), waiting=True)
        self.assertEqual([line[3] for line in lines if line[0] == "expired"], [100.0])
        self.assertEqual([line[4] for line in lines if line[5] == "Later lot"], [20.0], "spent from the valid lot")
        self.assertEqual(points, 60, "200 given, 40 earned, 100 expired, 80 spent")

    # ------------------------------------------------------------------ a confirmation retried
    def test_retried_confirmation_never_awards_twice(self):
        order1 = self.ids["orders"][0]
        with self.registry.cursor() as cr1, self.registry.cursor() as cr2:
            env1, env2 = self._envs(cr1, cr2)
            env1["sale.order"].browse(order1).action_confirm()
            cr1.commit()
            # The same confirmation arriving again (a client retrying after a timeout) on a worker
            # whose snapshot predates the first: refused by the database, then by the order's state
            # once Odoo replays it.
            with self.assertRaises(UserError):
                self._as_a_request(env2, lambda env: env["sale.order"].browse(order1).action_confirm())
            cr2.rollback()
            # Even a second earned line written past the ORM is refused by the database.
            earned = env2["loyalty.history"].search(
                [("card_id", "=", self.ids["card"]), ("rel_movement_type", "=", "earned")]
            )
            self.assertEqual(len(earned), 1)
            with self.assertRaises(UniqueViolation), mute_logger("odoo.sql_db"):
                cr2.execute(
                    """
                    INSERT INTO loyalty_history
                           (card_id, rel_movement_type, order_model, order_id, issued, used, description)
                    VALUES (%s, 'earned', 'sale.order', %s, 40, 0, '{"en_US": "Again"}')
                    """,
                    [self.ids["card"], order1],
                )
            cr2.rollback()
        points, lines = self._final_card()
        self.assertEqual(points, 40)
        self.assertEqual(len([line for line in lines if line[0] == "earned"]), 1)

    def test_same_confirmation_on_two_workers_at_once_awards_once(self):
        order1 = self.ids["orders"][0]
        with self.registry.cursor() as cr1, self.registry.cursor() as cr2:
            env1, env2 = self._envs(cr1, cr2)
            env1["sale.order"].browse(order1).action_confirm()
            # A double click: the second confirmation waits for the first, then is refused (a
            # serialization failure whose retry finds the order confirmed, or the earned-once index).
            error = self._while_first_holds_its_locks(
                env1, env2, lambda env: env["sale.order"].browse(order1).action_confirm()
            )
            self.assertIsInstance(error, UserError)
            cr2.rollback()
        points, lines = self._final_card()
        self.assertEqual(points, 40)
        self.assertEqual(len([line for line in lines if line[0] == "earned"]), 1)

    def test_confirmation_rolled_back_after_awarding_is_retried_once(self):
        order1 = self.ids["orders"][0]
        order2 = self.ids["orders"][1]
        written = []

        def confirm(env):
            env.cr.execute("SET LOCAL lock_timeout = '5s'")
            env["sale.order"].browse(order1).action_confirm()
            env.flush_all()
            env.cr.execute(
                "SELECT count(*) FROM loyalty_history WHERE card_id = %s AND rel_movement_type = 'earned'",
                [self.ids["card"]],
            )
            written.append(env.cr.fetchone()[0])
            if len(written) == 1:
                # Later in the same request a row that another worker holds is not available: the
                # request is rolled back after the points were written, and Odoo runs it again.
                env.cr.execute("SELECT id FROM sale_order WHERE id = %s FOR NO KEY UPDATE NOWAIT", [order2])

        with self.registry.cursor() as other, self.registry.cursor() as cr:
            other.execute("SELECT id FROM sale_order WHERE id = %s FOR NO KEY UPDATE", [order2])
            attempts = self._as_a_request(api.Environment(cr, SUPERUSER_ID, {}), confirm)
            other.rollback()
        self.assertEqual(attempts, 2)
        self.assertEqual(written, [1, 1], "each attempt wrote the order's points once")
        points, lines = self._final_card()
        self.assertEqual(points, 40)
        self.assertEqual(len([line for line in lines if line[0] == "earned"]), 1)
