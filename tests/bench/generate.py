"""Fill a fresh Odoo database with a realistic sales history, fast.

Usage: python -m tests.bench.generate --db DB --size smoke|small|medium|large [--seed N]

The database must already have sale (and, for the later steps, our addons)
installed without demo data. The generator works in named steps so that new
data kinds can be added without touching the others:

- ``catalog``: product categories and products with the company's sale tax, through the ORM;
- ``loyalty_program``: one points-per-currency loyalty programme, through the ORM, unless one exists;
- ``customers``: customers, bulk-inserted by cloning a partner row the ORM created;
- ``orders``: confirmed and cancelled sale orders with their lines over three years, bulk-inserted
  the same way, with amounts computed as Odoo computes them (15 % tax, per-line rounding);
- ``complaints``, ``loyalty_ledger``, ``portal_users``: filled once the addons that own those
  models are installed; skipped (and reported as skipped) otherwise.

Every number drawn comes from one seeded random generator, so two databases filled
with the same size and seed hold the same history (ids apart).
"""

import argparse
import io
import json
import sys
import time
from datetime import datetime, timedelta

import numpy as np
import pandas as pd

from .odoo_env import odoo_env

SIZES = {
    "smoke": {"customers": 100, "lines": 1_000},
    "small": {"customers": 1_000, "lines": 10_000},
    "medium": {"customers": 20_000, "lines": 200_000},
    "large": {"customers": 100_000, "lines": 1_000_000},
}
YEARS = 3
CANCEL_RATE = 0.03
ONE_TIME_SHARE = 0.45
N_CATEGORIES = 5
N_PRODUCTS = 40
AS_OF = datetime(2026, 11, 1)


def log(msg):
    print(f"[generate] {msg}", flush=True)


# ---------------------------------------------------------------- the plan (pure numpy, no database)


def build_plan(size, seed=7):
    """Everything random, drawn up front from one seed: customers, orders, lines."""
    rng = np.random.default_rng(seed)
    n_cust, n_lines = SIZES[size]["customers"], SIZES[size]["lines"]
    n_orders = max(n_cust, int(n_lines / 2.5))

    # Orders per customer: a share of one-time buyers, the rest Pareto-skewed (few heavy buyers).
    one_time = rng.random(n_cust) < ONE_TIME_SHARE
    per_customer = np.ones(n_cust, dtype=np.int64)
    repeat = np.flatnonzero(~one_time)
    weights = rng.pareto(1.2, repeat.size) + 0.05
    extra = rng.multinomial(n_orders - n_cust, weights / weights.sum())
    per_customer[repeat] += extra
    order_customer = np.repeat(np.arange(n_cust), per_customer)

    # Order dates over three years, with seasonality (year-end peak, summer dip) and growth.
    days = np.arange(YEARS * 365)
    day_dates = pd.to_datetime(AS_OF) - pd.to_timedelta(YEARS * 365 - days, unit="D")
    doy = day_dates.dayofyear.to_numpy()
    season = 1 + 0.35 * np.cos(2 * np.pi * (doy - 350) / 365) + 0.6 * (day_dates.month.to_numpy() >= 11)
    season *= 1 + 0.3 * days / days.size
    day = rng.choice(days, size=n_orders, p=season / season.sum())
    seconds = rng.integers(8 * 3600, 20 * 3600, n_orders)
    date_order = day_dates.to_numpy()[day] + seconds.astype("timedelta64[s]")
    state = np.where(rng.random(n_orders) < CANCEL_RATE, "cancel", "sale")

    # Lines: one per order, the rest spread at random; heavy buyers also buy more per order.
    per_order = np.ones(n_orders, dtype=np.int64)
    if n_lines > n_orders:
        per_order += rng.multinomial(n_lines - n_orders, np.full(n_orders, 1 / n_orders))
    line_order = np.repeat(np.arange(n_orders), per_order)
    line_seq = np.arange(n_lines) - np.repeat(np.cumsum(per_order) - per_order, per_order)
    popularity = rng.zipf(1.6, N_PRODUCTS).astype(float)
    line_product = rng.choice(N_PRODUCTS, size=n_lines, p=popularity / popularity.sum())
    line_qty = 1 + rng.poisson(0.7, n_lines)
    line_discount = np.where(rng.random(n_lines) < 0.1, 10.0, 0.0)
    product_price = np.round(np.exp(rng.normal(3.5, 0.9, N_PRODUCTS)), 2) + 0.99
    return {
        "size": size,
        "seed": seed,
        "customers": n_cust,
        "customer_since": rng.integers(30, 400, n_cust),
        "order_customer": order_customer,
        "date_order": date_order,
        "order_state": state,
        "line_order": line_order,
        "line_seq": line_seq,
        "line_product": line_product,
        "line_qty": line_qty,
        "line_discount": line_discount,
        "product_price": product_price,
    }


# ---------------------------------------------------------------- SQL helpers


def round_half_up(values):
    """Round positive amounts to cents the way Odoo's float_round does (half away from zero)."""
    return np.floor(np.asarray(values, dtype=float) * 100 + 0.5 + 1e-7) / 100


def copy_frame(cr, table, frame):
    """COPY a DataFrame into an existing (temporary) table."""
    buf = io.StringIO()
    frame.to_csv(buf, index=False, header=False, na_rep="")
    buf.seek(0)
    cr._obj.copy_expert(f"COPY {table} ({', '.join(frame.columns)}) FROM STDIN WITH (FORMAT csv)", buf)


def reserve_ids(cr, table, count):
    """Reserve ``count`` consecutive ids of ``table``'s sequence; return the first."""
    cr.execute("SELECT pg_get_serial_sequence(%s, 'id')", [table])
    seq = cr.fetchone()[0]
    cr.execute(f"LOCK TABLE {table} IN EXCLUSIVE MODE; SELECT nextval(%s)", [seq])
    first = cr.fetchone()[0]
    cr.execute("SELECT setval(%s, %s)", [seq, first + count])
    return first


def clone_rows(cr, table, template_id, staging, overrides):
    """Insert one row per staging row: the template row's columns, ``overrides`` from staging.

    ``overrides`` maps a column of ``table`` to an SQL expression over the staging alias ``s``.
    Columns the ORM filled on the template (defaults, company, currency, ...) are kept as they are.
    """
    cr.execute(
        "SELECT column_name FROM information_schema.columns WHERE table_name = %s ORDER BY ordinal_position",
        [table],
    )
    columns = [c for (c,) in cr.fetchall()]
    exprs = [overrides.get(c, f"t.{c}") for c in columns]
    cr.execute(
        f"INSERT INTO {table} ({', '.join(columns)}) "
        f"SELECT {', '.join(exprs)} FROM {staging} s CROSS JOIN {table} t WHERE t.id = %s",
        [template_id],
    )
    return cr.rowcount


# ---------------------------------------------------------------- steps


def step_catalog(env, plan, state):
    company = env.company
    tax = env["account.tax"].search(
        [
            ("type_tax_use", "=", "sale"),
            ("amount_type", "=", "percent"),
            ("amount", ">", 0),
            ("company_id", "=", company.id),
        ],
        limit=1,
    )
    if not tax:
        tax = env["account.tax"].create({"name": "Bench 15%", "amount": 15.0, "type_tax_use": "sale"})
    categories = env["product.category"].create([{"name": f"Bench category {i + 1}"} for i in range(N_CATEGORIES)])
    templates = env["product.template"].create(
        [
            {
                "name": f"Bench product {i + 1:02d}",
                "type": "consu",
                "invoice_policy": "order",
                "list_price": float(plan["product_price"][i]),
                "categ_id": categories[i % N_CATEGORIES].id,
                "taxes_id": [(6, 0, tax.ids)],
            }
            for i in range(N_PRODUCTS)
        ]
    )
    products = templates.product_variant_id
    state.update(
        tax_id=tax.id,
        tax_rate=tax.amount / 100.0,
        product_ids=np.array(products.ids),
        product_names=[p.display_name for p in products],
        currency_id=company.currency_id.id,
    )
    return {"products": len(products), "categories": len(categories), "tax": tax.display_name}


def step_loyalty_program(env, plan, state):
    if "loyalty.program" not in env:
        return {"skipped": "loyalty not installed"}
    existing = env["loyalty.program"].search([("program_type", "=", "loyalty"), ("active", "=", True)], limit=1)
    if existing:
        state["loyalty_program_id"] = existing.id
        return {"program": existing.name, "created": False}
    program = env["loyalty.program"].create(
        {
            "name": "Bench loyalty card",
            "program_type": "loyalty",
            "trigger": "auto",
            "applies_on": "both",
            "rule_ids": [(0, 0, {"reward_point_mode": "money", "reward_point_amount": 1, "minimum_amount": 0})],
            "reward_ids": [
                (0, 0, {"reward_type": "discount", "discount": 5, "discount_mode": "percent", "required_points": 500})
            ],
        }
    )
    state["loyalty_program_id"] = program.id
    return {"program": program.name, "created": True}


def step_customers(env, plan, state):
    cr = env.cr
    n = plan["customers"]
    template = env["res.partner"].create(
        {"name": "Bench template", "email": "template@bench.example", "customer_rank": 1}
    )
    env.flush_all()
    first = reserve_ids(cr, "res_partner", n)
    ids = np.arange(first, first + n)
    since = pd.Timestamp(AS_OF) - pd.Timedelta(days=YEARS * 365) - pd.to_timedelta(plan["customer_since"], unit="D")
    frame = pd.DataFrame(
        {
            "id": ids,
            "name": [f"Bench Customer {i + 1:06d}" for i in range(n)],
            "email": [f"customer{i + 1:06d}@bench.example" for i in range(n)],
            "ref": [f"BCH{i + 1:06d}" for i in range(n)],
            "create_date": since,
        }
    )
    cr.execute(
        "CREATE TEMP TABLE bch_partner (id int, name varchar, email varchar, ref varchar, create_date timestamp)"
        " ON COMMIT DROP"
    )
    copy_frame(cr, "bch_partner", frame)
    inserted = clone_rows(
        cr,
        "res_partner",
        template.id,
        "bch_partner",
        {
            "id": "s.id",
            "name": "s.name",
            "complete_name": "s.name",
            "email": "s.email",
            "email_normalized": "s.email",
            "ref": "s.ref",
            "commercial_partner_id": "s.id",
            "create_date": "s.create_date",
            "write_date": "s.create_date",
        },
    )
    template.unlink()
    state["partner_ids"] = ids
    return {"customers": inserted}


def step_orders(env, plan, state):
    cr = env.cr
    partner_ids, product_ids = state["partner_ids"], state["product_ids"]
    rate = state["tax_rate"]
    n_orders, n_lines = plan["order_customer"].size, plan["line_order"].size

    # Amounts as Odoo computes them (tax rounded per line), then summed per order.
    price = plan["product_price"][plan["line_product"]]
    qty = plan["line_qty"].astype(float)
    disc = plan["line_discount"]
    reduce_excl = price * (1 - disc / 100)
    subtotal = round_half_up(qty * reduce_excl)
    tax = round_half_up(qty * reduce_excl * rate)
    total = subtotal + tax
    # Odoo's tax engine totals an order from the unrounded line bases and rounds the totals once.
    order_base = np.bincount(plan["line_order"], qty * reduce_excl, n_orders)
    order_untaxed = round_half_up(order_base)
    order_tax = round_half_up(order_base * rate)

    # A real draft order with one line: the template every inserted row is cloned from.
    template_partner = env["res.partner"].browse(int(partner_ids[0]))
    template = env["sale.order"].create(
        {"partner_id": template_partner.id, "order_line": [(0, 0, {"product_id": int(product_ids[0])})]}
    )
    env.flush_all()

    first_order = reserve_ids(cr, "sale_order", n_orders)
    order_ids = np.arange(first_order, first_order + n_orders)
    sold = plan["order_state"] == "sale"
    orders = pd.DataFrame(
        {
            "id": order_ids,
            "name": [f"BCH/{i + 1:07d}" for i in range(n_orders)],
            "partner_id": partner_ids[plan["order_customer"]],
            "date_order": plan["date_order"],
            "state": plan["order_state"],
            "invoice_status": np.where(sold, "to invoice", "no"),
            "amount_untaxed": order_untaxed,
            "amount_tax": order_tax,
            "amount_total": (order_untaxed + order_tax).round(2),
        }
    )
    cr.execute(
        "CREATE TEMP TABLE bch_order (id int, name varchar, partner_id int, date_order timestamp, state varchar,"
        " invoice_status varchar, amount_untaxed numeric, amount_tax numeric, amount_total numeric) ON COMMIT DROP"
    )
    copy_frame(cr, "bch_order", orders)
    started = time.time()
    clone_rows(
        cr,
        "sale_order",
        template.id,
        "bch_order",
        {
            "id": "s.id",
            "name": "s.name",
            "partner_id": "s.partner_id",
            "partner_invoice_id": "s.partner_id",
            "partner_shipping_id": "s.partner_id",
            "date_order": "s.date_order",
            "state": "s.state",
            "invoice_status": "s.invoice_status",
            "amount_untaxed": "s.amount_untaxed",
            "amount_tax": "s.amount_tax",
            "amount_total": "s.amount_total",
            "create_date": "s.date_order",
            "write_date": "s.date_order",
            "access_token": "NULL",
        },
    )
    log(f"  {n_orders} orders inserted in {time.time() - started:.1f}s")

    first_line = reserve_ids(cr, "sale_order_line", n_lines)
    line_sold = sold[plan["line_order"]]
    names = np.array(state["product_names"], dtype=object)[plan["line_product"]]
    lines = pd.DataFrame(
        {
            "id": np.arange(first_line, first_line + n_lines),
            "order_id": order_ids[plan["line_order"]],
            "sequence": 10 + plan["line_seq"],
            "partner_id": partner_ids[plan["order_customer"]][plan["line_order"]],
            "product_id": product_ids[plan["line_product"]],
            "name": names,
            "qty": qty,
            "price_unit": price,
            "discount": disc,
            "subtotal": subtotal,
            "tax": tax,
            "total": total.round(2),
            "reduce_excl": reduce_excl.round(2),
            "reduce_incl": (reduce_excl * (1 + rate)).round(2),
            "state": plan["order_state"][plan["line_order"]],
            "invoice_status": np.where(line_sold, "to invoice", "no"),
            "qty_to_invoice": np.where(line_sold, qty, 0.0),
            "to_invoice": np.where(line_sold, subtotal, 0.0),
            "date_order": plan["date_order"][plan["line_order"]],
        }
    )
    cr.execute(
        "CREATE TEMP TABLE bch_line (id int, order_id int, sequence int, partner_id int, product_id int, name varchar,"
        " qty numeric, price_unit numeric, discount numeric, subtotal numeric, tax numeric, total numeric,"
        " reduce_excl numeric, reduce_incl numeric, state varchar, invoice_status varchar, qty_to_invoice numeric,"
        " to_invoice numeric, date_order timestamp) ON COMMIT DROP"
    )
    copy_frame(cr, "bch_line", lines)
    template_line = template.order_line[0]
    started = time.time()
    clone_rows(
        cr,
        "sale_order_line",
        template_line.id,
        "bch_line",
        {
            "id": "s.id",
            "order_id": "s.order_id",
            "sequence": "s.sequence",
            "order_partner_id": "s.partner_id",
            "product_id": "s.product_id",
            "name": "s.name",
            "product_uom_qty": "s.qty",
            "price_unit": "s.price_unit",
            "technical_price_unit": "s.price_unit",
            "discount": "s.discount",
            "price_subtotal": "s.subtotal",
            "price_tax": "s.tax",
            "price_total": "s.total",
            "price_reduce_taxexcl": "s.reduce_excl",
            "price_reduce_taxinc": "s.reduce_incl",
            "state": "s.state",
            "invoice_status": "s.invoice_status",
            "qty_to_invoice": "s.qty_to_invoice",
            "untaxed_amount_to_invoice": "s.to_invoice",
            "create_date": "s.date_order",
            "write_date": "s.date_order",
        },
    )
    cr.execute(
        "INSERT INTO account_tax_sale_order_line_rel (sale_order_line_id, account_tax_id)"
        " SELECT id, %s FROM bch_line",
        [state["tax_id"]],
    )
    log(f"  {n_lines} lines inserted in {time.time() - started:.1f}s")
    template.unlink()
    cr.execute("ANALYZE res_partner; ANALYZE sale_order; ANALYZE sale_order_line")
    state["order_ids"] = order_ids
    state["order_points"] = np.bincount(plan["line_order"], total, n_orders).round(2)
    return {
        "orders": int(n_orders),
        "cancelled": int((~sold).sum()),
        "lines": int(n_lines),
        "revenue_untaxed": round(float(order_untaxed[sold].sum()), 2),
    }


COMPLAINTS = {"smoke": 100, "small": 10_000, "medium": 10_000, "large": 10_000}
SEVERITIES = ["low", "normal", "high", "critical"]


def step_complaints(env, plan, state):
    """Open complaints through the ORM (their SLA deadlines come from the calendar arithmetic).

    Their clocks started over the last eight days, so that the escalation benchmark finds
    complaints on track, at risk and breached. Two SLA policies are created if none exists.
    """
    if "crm.complaint" not in env:
        return {"skipped": "crm.complaint not installed in this database"}
    Complaint = env["crm.complaint"].with_context(
        tracking_disable=True, mail_create_nolog=True, mail_create_nosubscribe=True, mail_notrack=True
    )
    if not env["crm.complaint.sla"].search_count([]):
        env["crm.complaint.sla"].create(
            [
                {"name": "Bench standard", "response_hours": 8.0, "resolution_hours": 40.0},
                {"name": "Bench critical", "severity": "critical", "response_hours": 2.0, "resolution_hours": 8.0},
            ]
        )
    categories = env["crm.complaint.category"].search([])
    if not categories:
        categories = env["crm.complaint.category"].create(
            [{"name": name} for name in ("Delivery", "Product quality", "Billing")]
        )
    team = env["crm.team"].search([], limit=1)
    rng = np.random.default_rng(plan["seed"] + 1)
    n = COMPLAINTS[plan["size"]]
    partners = state["partner_ids"][rng.integers(0, plan["customers"], n)]
    severity = rng.choice(SEVERITIES, n, p=[0.3, 0.45, 0.2, 0.05])
    now = datetime.now().replace(microsecond=0)
    opened = [now - timedelta(minutes=int(m)) for m in rng.integers(10, 8 * 24 * 60, n)]
    product_ids = state["product_ids"]
    created = 0
    for start in range(0, n, 1000):
        Complaint.create(
            [
                {
                    "subject": f"Bench complaint {i + 1:06d}",
                    "partner_id": int(partners[i]),
                    "severity": str(severity[i]),
                    "category_id": int(categories[i % len(categories)].id),
                    "product_id": int(product_ids[i % len(product_ids)]),
                    "date_open": opened[i],
                    "team_id": team.id,
                }
                for i in range(start, min(n, start + 1000))
            ]
        )
        env.flush_all()
        created = min(n, start + 1000)
    env.cr.execute("SELECT sla_status, count(*) FROM crm_complaint GROUP BY 1 ORDER BY 1")
    return {"complaints": created, "sla_status": dict(env.cr.fetchall())}


REWARD_POINTS = 500


def ledger_plan(plan, state):
    """Points history of the confirmed orders: one card per buyer, points = the order's total
    (the programme gives 1 point per currency unit, taxes included, as Odoo computes it), and now
    and then a 500-point reward redeemed on an order once the balance allows it."""
    rng = np.random.default_rng(plan["seed"] + 2)
    frame = pd.DataFrame(
        {
            "order": np.arange(plan["order_customer"].size),
            "customer": plan["order_customer"],
            "date": plan["date_order"],
            "issued": state["order_points"],
        }
    )
    frame = frame[plan["order_state"] == "sale"].sort_values(["customer", "date"])
    wants = rng.random(len(frame)) < 0.3
    used = np.zeros(len(frame))
    customers, issued = frame["customer"].to_numpy(), frame["issued"].to_numpy()
    balance, previous = 0.0, -1
    for i in range(len(frame)):
        if customers[i] != previous:
            balance, previous = 0.0, customers[i]
        if wants[i] and balance >= REWARD_POINTS:
            used[i] = REWARD_POINTS
        balance += issued[i] - used[i]
    frame["used"] = used
    return frame


EXPIRY_DAYS = 365


def crm_ledger_lines(env, history, program):
    """crm_loyalty's ledger: an 'earned' lot per order (expiring after a year), a separate 'spent' line
    per redemption consuming the oldest lots first (FIFO), as its own bookkeeping would have done.
    No expiry has run yet: the lots older than a year are due, which is what the expiry benchmark runs on."""
    program.write({"rel_points_expire": True, "rel_points_expiry_days": EXPIRY_DAYS})
    earned = history.assign(used=0.0, rel_movement_type="earned", rel_points=history["issued"])
    spent = history[history["used"] > 0].assign(
        issued=0.0, rel_movement_type="spent", rel_points=-history["used"], order_id=history["order_id"]
    )
    spent = spent[spent["used"] > 0]
    lines = pd.concat([earned, spent]).sort_values(["card_id", "create_date", "rel_movement_type"], kind="stable")
    lines["rel_expiry_date"] = np.where(
        lines["rel_movement_type"] == "earned",
        (pd.to_datetime(lines["create_date"]) + pd.Timedelta(days=EXPIRY_DAYS)).dt.date,
        None,
    )
    remaining = np.where(lines["rel_movement_type"] == "earned", lines["issued"], 0.0)
    cards, kinds, used = lines["card_id"].to_numpy(), lines["rel_movement_type"].to_numpy(), lines["used"].to_numpy()
    lots, previous = [], None
    for i in range(len(lines)):
        if cards[i] != previous:
            lots, previous = [], cards[i]
        if kinds[i] == "earned":
            lots.append(i)
            continue
        to_take = used[i]
        for lot in lots:
            take = min(to_take, remaining[lot])
            remaining[lot] -= take
            to_take -= take
            if to_take <= 1e-9:
                break
        lots = [lot for lot in lots if remaining[lot] > 1e-9]
    lines["rel_points_remaining"] = remaining.round(2)
    return lines.reset_index(drop=True)


def step_loyalty_ledger(env, plan, state):
    """Odoo's own loyalty ledger (loyalty.card + loyalty.history), bulk-cloned like the orders."""
    if "loyalty.program" not in env or not state.get("loyalty_program_id"):
        return {"skipped": "loyalty not installed"}
    cr = env.cr
    frame = ledger_plan(plan, state)
    partner_ids, order_ids = state["partner_ids"], state["order_ids"]
    balances = frame.groupby("customer").agg(points=("issued", "sum"), used=("used", "sum"), first=("date", "min"))
    balances["points"] = (balances["points"] - balances["used"]).round(2)

    program = env["loyalty.program"].browse(state["loyalty_program_id"])
    template_card = env["loyalty.card"].create(
        {"program_id": program.id, "partner_id": int(partner_ids[0]), "points": 0, "code": "BCH-TEMPLATE"}
    )
    template_history = env["loyalty.history"].create(
        {"card_id": template_card.id, "description": "template", "issued": 0, "used": 0}
    )
    env.flush_all()
    first_card = reserve_ids(cr, "loyalty_card", len(balances))
    card_ids = pd.Series(np.arange(first_card, first_card + len(balances)), index=balances.index)
    cards = pd.DataFrame(
        {
            "id": card_ids.to_numpy(),
            "partner_id": partner_ids[balances.index.to_numpy()],
            "code": [f"BCH-{i:07d}" for i in balances.index],
            "points": balances["points"].to_numpy(),
            "create_date": balances["first"].to_numpy(),
        }
    )
    cr.execute(
        "CREATE TEMP TABLE bch_card (id int, partner_id int, code varchar, points float8, create_date timestamp)"
        " ON COMMIT DROP"
    )
    copy_frame(cr, "bch_card", cards)
    clone_rows(
        cr,
        "loyalty_card",
        template_card.id,
        "bch_card",
        {
            "id": "s.id",
            "partner_id": "s.partner_id",
            "code": "s.code",
            "points": "s.points",
            "create_date": "s.create_date",
            "write_date": "s.create_date",
            "order_id": "NULL",
        },
    )
    cr.execute("SELECT column_name FROM information_schema.columns WHERE table_name = 'loyalty_history'")
    rel_ledger = "rel_points_remaining" in {c for (c,) in cr.fetchall()}
    # crm_loyalty makes the description translatable (jsonb); Odoo alone keeps it text
    cr.execute(
        "SELECT data_type FROM information_schema.columns WHERE table_name = 'loyalty_history' "
        "AND column_name = 'description'"
    )
    translated = cr.fetchone()[0] == "jsonb"
    descriptions = [f"Order BCH/{o + 1:07d}" for o in frame["order"]]
    history = pd.DataFrame(
        {
            "card_id": card_ids.loc[frame["customer"].to_numpy()].to_numpy(),
            "rel_partner_id": partner_ids[frame["customer"].to_numpy()],
            "order_id": order_ids[frame["order"].to_numpy()],
            "description": [json.dumps({"en_US": d}) for d in descriptions] if translated else descriptions,
            "issued": frame["issued"].to_numpy(),
            "used": frame["used"].to_numpy(),
            "create_date": frame["date"].to_numpy(),
        }
    )
    if rel_ledger:
        history = crm_ledger_lines(env, history, program)
    first_history = reserve_ids(cr, "loyalty_history", len(history))
    history.insert(0, "id", np.arange(first_history, first_history + len(history)))
    columns = {
        "id": "int",
        "card_id": "int",
        "rel_partner_id": "int",
        "order_id": "int",
        "description": "jsonb" if translated else "text",
        "issued": "float8",
        "used": "float8",
        "create_date": "timestamp",
        "rel_movement_type": "varchar",
        "rel_points": "float8",
        "rel_points_remaining": "float8",
        "rel_expiry_date": "date",
    }
    columns = {c: t for c, t in columns.items() if c in history.columns}
    cr.execute(
        "CREATE TEMP TABLE bch_history (" + ", ".join(f"{c} {t}" for c, t in columns.items()) + ") ON COMMIT DROP"
    )
    copy_frame(cr, "bch_history", history[list(columns)])
    overrides = {c: f"s.{c}" for c in columns if c != "rel_partner_id" or rel_ledger}
    overrides.update(order_model="'sale.order'", write_date="s.create_date")
    clone_rows(cr, "loyalty_history", template_history.id, "bch_history", overrides)
    # SQL, not unlink(): crm_loyalty's ledger is append-only, and these two rows are only templates.
    cr.execute("DELETE FROM loyalty_history WHERE id = %s", [template_history.id])
    cr.execute("DELETE FROM loyalty_card WHERE id = %s", [template_card.id])
    env.invalidate_all()
    cr.execute("ANALYZE loyalty_card; ANALYZE loyalty_history")
    return {
        "cards": len(cards),
        "history_rows": len(history),
        "points_issued": round(float(history["issued"].sum()), 2),
        "points_used": round(float(history["used"].sum()), 2),
    }


PORTAL_PASSWORD = "bench-portal-pw"
PORTAL_USERS = {"smoke": 20, "small": 50, "medium": 100, "large": 200}


def step_portal_users(env, plan, state):
    """Portal logins for the first customers (login = e-mail, one shared password).

    Users are created through the ORM without a password (no invitation mail); the password hash
    of the first is then copied to the others in SQL, which avoids hashing it hundreds of times.
    """
    n = min(PORTAL_USERS[plan["size"]], plan["customers"])
    partners = env["res.partner"].browse(int(pid) for pid in state["partner_ids"][:n])
    portal = env.ref("base.group_portal")
    users = (
        env["res.users"]
        .with_context(no_reset_password=True, mail_create_nosubscribe=True)
        .create(
            [
                {"partner_id": p.id, "login": p.email, "name": p.name, "group_ids": [(6, 0, portal.ids)]}
                for p in partners
            ]
        )
    )
    users[0].password = PORTAL_PASSWORD
    env.flush_all()
    env.cr.execute(
        "UPDATE res_users SET password = (SELECT password FROM res_users WHERE id = %s) WHERE id = ANY(%s)",
        [users[0].id, users.ids],
    )
    return {"portal_users": len(users), "password": PORTAL_PASSWORD}


def check_amounts(env, limit=50):
    """Recompute a sample of generated orders with Odoo's own computes; return the mismatches."""
    orders = env["sale.order"].search([("name", "=like", "BCH/%")], limit=limit, order="id desc")

    def snapshot():
        return [
            (
                o.id,
                o.amount_untaxed,
                o.amount_tax,
                o.amount_total,
                o.invoice_status,
                *(
                    (line.price_subtotal, line.price_tax, line.price_total, line.qty_to_invoice, line.invoice_status)
                    for line in o.order_line
                ),
            )
            for o in orders
        ]

    def close(a, b):
        if isinstance(a, tuple):
            return len(a) == len(b) and all(close(x, y) for x, y in zip(a, b, strict=True))
        if isinstance(a, float):
            return abs(a - b) < 0.005
        return a == b

    stored = snapshot()
    env.invalidate_all()
    lines = orders.order_line
    for method in ("_compute_amount", "_compute_qty_to_invoice", "_compute_invoice_status"):
        getattr(lines, method)()
    orders._compute_amounts()
    orders._compute_invoice_status()
    computed = snapshot()
    env.invalidate_all()
    return [(a, b) for a, b in zip(stored, computed, strict=True) if not close(a, b)]


STEPS = [
    ("catalog", step_catalog),
    ("loyalty_program", step_loyalty_program),
    ("customers", step_customers),
    ("orders", step_orders),
    ("complaints", step_complaints),
    ("loyalty_ledger", step_loyalty_ledger),
    ("portal_users", step_portal_users),
]


def generate(db, size, seed=7):
    plan = build_plan(size, seed)
    state, report = {}, {"db": db, "size": size, "seed": seed, "steps": {}}
    started = time.time()
    with odoo_env(db) as env:
        for name, step in STEPS:
            t0 = time.time()
            result = step(env, plan, state)
            env.flush_all()
            env.cr.commit()
            result["seconds"] = round(time.time() - t0, 2)
            report["steps"][name] = result
            log(f"{name}: {result}")
    report["seconds"] = round(time.time() - started, 2)
    log(f"{db} filled ({size}) in {report['seconds']}s")
    return report


def main(argv=None):
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--db", required=True)
    parser.add_argument("--size", choices=sorted(SIZES), default="smoke")
    parser.add_argument("--seed", type=int, default=7)
    parser.add_argument(
        "--check", type=int, metavar="N", help="instead of filling: recompute N generated orders with Odoo's computes"
    )
    args = parser.parse_args(argv)
    if args.check:
        with odoo_env(args.db, commit=False) as env:
            bad = check_amounts(env, args.check)
        log(f"{args.check} orders recomputed by Odoo: {len(bad)} mismatches {bad[:2]}")
        return 1 if bad else 0
    report = generate(args.db, args.size, args.seed)
    print("BENCH_JSON " + json.dumps(report, default=str), flush=True)


if __name__ == "__main__":
    sys.exit(main())
