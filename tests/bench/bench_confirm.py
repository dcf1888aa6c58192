"""Benchmark 2: sale order confirmation, time and SQL queries per order, through the ORM.

Usage: python -m tests.bench.bench_confirm --db DB [--orders N]

Creates N draft orders (3 lines each) for existing generated customers, commits them,
then confirms them one at a time as a salesperson's click would: ``action_confirm()``,
flush, commit. Queries are counted with the cursor's own counter (``cr.sql_log_count``).
run.py runs it on the database with our addons and on the one with only ``sale_loyalty``
and prints the ratio.
"""

import argparse
import statistics
import sys

from .common import Timer, emit, say, summary_ms
from .odoo_env import odoo_env


def run(db, n_orders):
    with odoo_env(db) as env:
        modules = env["ir.module.module"].search([("state", "=", "installed")]).mapped("name")
        customers = env["res.partner"].search([("ref", "=like", "BCH%")], order="ref", limit=n_orders)
        products = env["product.product"].search([("name", "=like", "Bench product%")], order="name", limit=3)
        orders = env["sale.order"].create(
            [
                {
                    "partner_id": customer.id,
                    "order_line": [
                        (0, 0, {"product_id": p.id, "product_uom_qty": 1 + i}) for i, p in enumerate(products)
                    ],
                }
                for customer in customers
            ]
        )
        env.cr.commit()
        order_ids = orders.ids
        seconds, queries = [], []
        for order_id in order_ids:
            env.invalidate_all()
            order = env["sale.order"].browse(order_id)
            count0 = env.cr.sql_log_count
            with Timer() as timer:
                order.action_confirm()
                env.flush_all()
                queries.append(env.cr.sql_log_count - count0)
                env.cr.commit()
            seconds.append(timer.seconds)
        env.invalidate_all()
        confirmed = env["sale.order"].search_count([("id", "in", order_ids), ("state", "=", "sale")])
        history = 0
        if "loyalty.history" in env:
            history = env["loyalty.history"].search_count([("order_id", "in", order_ids)])
    result = {
        "db": db,
        "orders": len(order_ids),
        "confirmed": confirmed,
        "loyalty_history_lines": history,
        "queries_per_order": round(statistics.fmean(queries), 1),
        "queries_max": max(queries),
        "our_addons": "crm_relationship" in modules,
        **summary_ms(seconds),
    }
    say(
        "confirm",
        f"{db}: {result['orders']} orders, p50 {result['p50_ms']} ms, {result['queries_per_order']} queries/order",
    )
    return result


def main(argv=None):
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--db", required=True)
    parser.add_argument("--orders", type=int, default=50)
    args = parser.parse_args(argv)
    emit(run(args.db, args.orders))


if __name__ == "__main__":
    sys.exit(main())
