"""Drill 1: 50 orders of one customer confirmed in parallel through the HTTP JSON-RPC API.

Usage: python -m tests.bench.drill_concurrency --db DB [--orders 50] [--workers 4]
       python -m tests.bench.drill_concurrency --db DB --salesperson-tiers [--orders 20] [--workers 4]

1. Creates the orders (drafts, through the ORM) for one generated customer who has no loyalty card yet.
2. Expected points: confirms them one after the other in a transaction that is rolled back,
   and notes the points each order earns there.
3. Starts Odoo with workers and confirms all orders at once, one JSON-RPC call per order
   (``sale.order.action_confirm``), 50 threads released together.
4. Checks: every order confirmed (or the error said why), one card, card balance equal to the sum
   of its ledger (``loyalty.history`` issued - used), and equal to the expected total of the
   confirmed orders. Prints what was lost (expected: nothing).

``--salesperson-tiers``: the confirmations are made by a salesperson (Sales / User: Own Documents Only, no
other group) over JSON-RPC, on a ledger programme of its own with two tiers (Silver at 30% and Gold, which
doubles points, at 70% of what the orders total), for a new customer of the salesperson's. Checks: every
order confirmed, one card, card balance equal to its ledger, each order's earned points exact (its amount,
doubled once the card is Gold, replayed in the order the ledger recorded them), one tier change per
threshold. Needs only a database with the addons installed (no generated data).
"""

import argparse
import re
import sys
import threading
import time

from .common import emit, say
from .odoo_env import odoo_env
from .server import OdooServer

ADMIN_PASSWORD = "admin"


def prepare(db, n_orders):
    with odoo_env(db) as env:
        program = env["loyalty.program"].search([("program_type", "=", "loyalty"), ("active", "=", True)], limit=1)
        env.cr.execute(
            "SELECT p.id FROM res_partner p WHERE p.ref LIKE 'BCH%%' AND NOT EXISTS"
            " (SELECT 1 FROM loyalty_card c WHERE c.partner_id = p.id) ORDER BY p.ref DESC LIMIT 1"
        )
        customer = env["res.partner"].browse(env.cr.fetchone()[0])
        products = env["product.product"].search([("name", "=like", "Bench product%")], order="name", limit=3)
        orders = env["sale.order"].create(
            [
                {
                    "partner_id": customer.id,
                    "order_line": [
                        (0, 0, {"product_id": products[j].id, "product_uom_qty": 1 + (i + j) % 3})
                        for j in range(1 + i % 3)
                    ],
                }
                for i in range(n_orders)
            ]
        )
        env.cr.commit()
        # The expected points: the same confirmations one at a time, then rolled back.
        expected = {}
        for order in orders:
            order.action_confirm()
            env.flush_all()
            history = env["loyalty.history"].search([("order_model", "=", "sale.order"), ("order_id", "=", order.id)])
            expected[order.id] = sum(history.mapped("issued")) - sum(history.mapped("used"))
        env.cr.rollback()
        return {
            "customer_id": customer.id,
            "program": program.name,
            "order_ids": orders.ids,
            "expected_points": expected,
        }


def fire(server, order_ids, uid, password=ADMIN_PASSWORD):
    """Confirm every order in its own JSON-RPC call, all released at once; return the errors."""
    errors, lock = {}, threading.Lock()
    barrier = threading.Barrier(len(order_ids))

    def confirm(order_id):
        barrier.wait()
        try:
            _result, error = server.jsonrpc(
                "object",
                "execute_kw",
                server.db,
                uid,
                password,
                "sale.order",
                "action_confirm",
                [[order_id]],
            )
        except Exception as exc:
            error = {"message": repr(exc)}
        if error:
            with lock:
                errors[order_id] = (error.get("data") or {}).get("message") or error.get("message")

    threads = [threading.Thread(target=confirm, args=(oid,)) for oid in order_ids]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    return errors


def check(db, plan):
    with odoo_env(db, commit=False) as env:
        orders = env["sale.order"].browse(plan["order_ids"])
        confirmed = orders.filtered(lambda o: o.state == "sale")
        cards = env["loyalty.card"].search([("partner_id", "=", plan["customer_id"])])
        history = env["loyalty.history"].search([("card_id", "in", cards.ids)])
        ledger = sum(history.mapped("issued")) - sum(history.mapped("used"))
        balance = sum(cards.mapped("points"))
        expected = sum(plan["expected_points"][oid] for oid in confirmed.ids)
        orders_in_ledger = len(set(history.filtered(lambda h: h.order_model == "sale.order").mapped("order_id")))
        return {
            "orders_confirmed": len(confirmed),
            "cards": len(cards),
            "card_balance": round(balance, 2),
            "ledger_sum": round(ledger, 2),
            "expected_total": round(expected, 2),
            "orders_in_ledger": orders_in_ledger,
        }


def run(db, n_orders=50, workers=4):
    plan = prepare(db, n_orders)
    plan["expected_points"] = {int(k): v for k, v in plan["expected_points"].items()}
    say("concurrency", f"{n_orders} draft orders for customer {plan['customer_id']}, program '{plan['program']}'")
    with OdooServer(db, workers=workers) as server:
        uid, error = server.jsonrpc("common", "login", db, "admin", ADMIN_PASSWORD)
        if error or not uid:
            raise RuntimeError(f"admin login over JSON-RPC failed: {error}")
        errors = fire(server, plan["order_ids"], uid)
        log = server.logfile.read_text(encoding="utf-8", errors="replace")
    retries = len(re.findall(r"tries left, try again", log))
    outcome = check(db, plan)
    lost = round(outcome["expected_total"] - outcome["card_balance"], 2)
    result = {
        "tried": f"{n_orders} parallel JSON-RPC action_confirm calls on one customer, {workers} workers",
        "calls_failed": len(errors),
        "failure_messages": sorted({str(m)[:120] for m in errors.values()}),
        "serialization_retries": retries,
        **outcome,
        "points_lost": lost,
        # More than one card for one customer in one programme splits the balance: a finding, not a loss.
        "duplicate_cards": max(0, outcome["cards"] - 1),
        "nothing_lost": bool(
            outcome["orders_confirmed"] + len(errors) == n_orders
            and abs(outcome["card_balance"] - outcome["ledger_sum"]) < 0.01
            and abs(lost) < 0.01
            and outcome["orders_in_ledger"] == outcome["orders_confirmed"]
        ),
    }
    say("concurrency", f"{result}")
    return result


SALESPERSON_LOGIN = "drill_salesperson"
SALESPERSON_PASSWORD = "drill-salesperson-pw"


def prepare_salesperson(db, n_orders):
    """A salesperson, a two-tier ledger programme, a new customer and their draft orders (committed)."""
    with odoo_env(db) as env:
        stamp = env.cr.now().strftime("%Y%m%d%H%M%S%f")
        Users = env["res.users"].with_context(no_reset_password=True)
        salesperson = Users.search([("login", "=", SALESPERSON_LOGIN)])
        groups = [(6, 0, [env.ref("sales_team.group_sale_salesman").id])]
        if salesperson:
            salesperson.write({"password": SALESPERSON_PASSWORD, "group_ids": groups})
        else:
            salesperson = Users.create(
                {
                    "name": "Drill Salesperson",
                    "login": SALESPERSON_LOGIN,
                    "password": SALESPERSON_PASSWORD,
                    "group_ids": groups,
                }
            )
        product = env["product.product"].create(
            {"name": f"Drill product {stamp}", "list_price": 100.0, "taxes_id": False}
        )
        customer = env["res.partner"].create({"name": f"Drill customer {stamp}", "user_id": salesperson.id})
        quantities = [1 + i % 3 for i in range(n_orders)]
        total = 100.0 * sum(quantities)
        program = env["loyalty.program"].create(
            {
                "name": f"Drill tiers {stamp}",
                "program_type": "loyalty",
                "applies_on": "both",
                "trigger": "auto",
                "rel_ledger": True,
                "rule_ids": [(0, 0, {"reward_point_mode": "money", "reward_point_amount": 1, "minimum_amount": 0})],
                "reward_ids": [(0, 0, {"reward_type": "discount", "discount": 5, "required_points": 1e9})],
            }
        )
        # Other automatic programmes would give points or discounts of their own: the drill wants its own only
        # (gift cards and eWallets apply only to their own products).
        others = env["loyalty.program"].search(
            [
                ("id", "!=", program.id),
                ("trigger", "=", "auto"),
                ("active", "=", True),
                ("program_type", "not in", ("gift_card", "ewallet")),
            ]
        )
        if others:
            raise RuntimeError(f"other automatic programmes are active: {others.mapped('name')}")
        silver, gold = env["crm.loyalty.tier"].create(
            [
                {"name": "Silver", "program_id": program.id, "threshold": round(total * 0.3)},
                {"name": "Gold", "program_id": program.id, "threshold": round(total * 0.7), "multiplier": 2},
            ]
        )
        orders = (
            env["sale.order"]
            .with_user(salesperson)
            .create(
                [
                    {
                        "partner_id": customer.id,
                        "order_line": [(0, 0, {"product_id": product.id, "product_uom_qty": q})],
                    }
                    for q in quantities
                ]
            )
        )
        return {
            "customer_id": customer.id,
            "program_id": program.id,
            "program": program.name,
            "order_ids": orders.ids,
            "amounts": dict(zip(orders.ids, orders.mapped("amount_untaxed"), strict=True)),
            "tiers": [(silver.id, silver.threshold, 1.0), (gold.id, gold.threshold, 2.0)],
            "salesperson_id": salesperson.id,
        }


def fire_as(server, order_ids, login, password):
    """Like ``fire``, as ``login``; return the user's id and the errors."""
    uid, error = server.jsonrpc("common", "login", server.db, login, password)
    if error or not uid:
        raise RuntimeError(f"login of {login} over JSON-RPC failed: {error}")
    return uid, fire(server, order_ids, uid, password)


def check_tiers(db, plan):
    """Replay the confirmations in the order the ledger recorded them and compare with what was stored."""
    with odoo_env(db, commit=False) as env:
        orders = env["sale.order"].browse(plan["order_ids"])
        confirmed = orders.filtered(lambda o: o.state == "sale")
        cards = env["loyalty.card"].search(
            [("partner_id", "=", plan["customer_id"]), ("program_id", "=", plan["program_id"])]
        )
        history = env["loyalty.history"].search([("card_id", "in", cards.ids)], order="id")
        ledger = sum(history.mapped("issued")) - sum(history.mapped("used"))
        balance = sum(cards.mapped("points"))
        spend, multiplier, expected, wrong = 0.0, 1.0, 0.0, []
        earned = history.filtered(lambda h: h.rel_movement_type == "earned" and h.order_model == "sale.order")
        for line in earned:
            amount = plan["amounts"][line.order_id]
            if abs(line.issued - amount * multiplier) > 0.01:
                wrong.append((line.order_id, line.issued, amount * multiplier))
            expected += amount * multiplier
            spend += amount
            multiplier = max([m for _tier, threshold, m in plan["tiers"] if spend >= threshold] or [1.0])
        changes = cards.rel_tier_history_ids
        per_tier = {
            env["crm.loyalty.tier"].browse(tier_id).name: len(
                changes.filtered(lambda c, t=tier_id: c.new_tier_id.id == t)
            )
            for tier_id, _threshold, _m in plan["tiers"]
        }
        return {
            "orders_confirmed": len(confirmed),
            "confirmed_by_salesperson": len(confirmed.filtered(lambda o: o.user_id.id == plan["salesperson_id"])),
            "cards": len(cards),
            "card_balance": round(balance, 2),
            "ledger_sum": round(ledger, 2),
            "expected_total": round(expected, 2),
            "orders_in_ledger": len(set(earned.mapped("order_id"))),
            "earned_lines_wrong": wrong,
            "tier_changes": per_tier,
            "final_tier": cards.rel_tier_id.name,
            "tier_thresholds": [threshold for _tier, threshold, _m in plan["tiers"]],
        }


def run_salesperson(db, n_orders=20, workers=4):
    plan = prepare_salesperson(db, n_orders)
    plan["amounts"] = {int(k): v for k, v in plan["amounts"].items()}
    say(
        "concurrency",
        f"{n_orders} draft orders of salesperson {SALESPERSON_LOGIN} for customer {plan['customer_id']}, "
        f"programme '{plan['program']}', tiers at {[t[1] for t in plan['tiers']]}",
    )
    started = time.perf_counter()
    with OdooServer(db, workers=workers) as server:
        fired = time.perf_counter()
        _uid, errors = fire_as(server, plan["order_ids"], SALESPERSON_LOGIN, SALESPERSON_PASSWORD)
        confirm_seconds = time.perf_counter() - fired
        log = server.logfile.read_text(encoding="utf-8", errors="replace")
    retries = len(re.findall(r"tries left, try again", log))
    outcome = check_tiers(db, plan)
    result = {
        "tried": f"{n_orders} parallel JSON-RPC action_confirm calls by a salesperson on one customer, "
        f"{workers} workers, across two tier thresholds",
        "calls_failed": len(errors),
        "failure_messages": sorted({str(m)[:160] for m in errors.values()}),
        "serialization_retries": retries,
        "confirm_seconds": round(confirm_seconds, 2),
        "drill_seconds": round(time.perf_counter() - started, 2),
        **outcome,
        "all_good": bool(
            outcome["orders_confirmed"] == n_orders
            and outcome["confirmed_by_salesperson"] == n_orders
            and outcome["cards"] == 1
            and abs(outcome["card_balance"] - outcome["ledger_sum"]) < 0.01
            and not outcome["earned_lines_wrong"]
            and outcome["orders_in_ledger"] == n_orders
            and abs(outcome["card_balance"] - outcome["expected_total"]) < 0.01
            and all(count == 1 for count in outcome["tier_changes"].values())
        ),
    }
    say("concurrency", f"{result}")
    return result


def main(argv=None):
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--db", required=True)
    parser.add_argument("--orders", type=int)
    parser.add_argument("--workers", type=int, default=4)
    parser.add_argument(
        "--salesperson-tiers", action="store_true", help="confirm as a salesperson across two tier thresholds"
    )
    args = parser.parse_args(argv)
    if args.salesperson_tiers:
        emit(run_salesperson(args.db, args.orders or 20, args.workers))
    else:
        emit(run(args.db, args.orders or 50, args.workers))


if __name__ == "__main__":
    sys.exit(main())
