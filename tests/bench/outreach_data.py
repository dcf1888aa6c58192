"""What the generated history lacks for benchmark 6 (NPS and retention scheduling), added in bulk.

Salespeople on every customer, phone preferences and contact windows, survey consents and one posted
invoice per customer for the survey window: rows cloned in SQL from rows the ORM made, the way
``generate.py`` fills the history. Consents cloned this way have no log line; the invoices are copies
of one real invoice (balanced like it), linked to the first line of their order.
"""

from datetime import timedelta

import numpy as np
import pandas as pd

from .common import Timer
from .generate import clone_rows, copy_frame, reserve_ids

SALESPEOPLE = 5
BENCH_LOGIN = "bench-sales-{}"


def customers(cr):
    cr.execute("SELECT id FROM res_partner WHERE ref LIKE 'BCH%%' ORDER BY id")
    return np.array([row[0] for row in cr.fetchall()], dtype=np.int64)


def prepare_salespeople(env, partner_ids):
    group = env.ref("sales_team.group_sale_salesman")
    users = (
        env["res.users"]
        .with_context(no_reset_password=True, mail_create_nosubscribe=True)
        .create(
            [
                {
                    "name": f"Bench salesperson {i + 1}",
                    "login": BENCH_LOGIN.format(i + 1),
                    "email": f"sales{i + 1}@bench.example",
                    "group_ids": [(6, 0, group.ids)],
                }
                for i in range(SALESPEOPLE)
            ]
        )
    )
    env.flush_all()
    cr = env.cr
    cr.execute(
        "UPDATE res_partner p SET user_id = (%s::int[])[1 + (p.id %% %s)] WHERE p.id = ANY(%s)",
        [users.ids, len(users), partner_ids.tolist()],
    )
    return len(users)


def prepare_preferences(env, partner_ids):
    """One customer in ten prefers the phone; one in five has a weekday window of 9 to 17 in their timezone."""
    cr = env.cr
    phone = partner_ids[partner_ids % 10 == 0]
    window = partner_ids[partner_ids % 5 == 1]
    cr.execute(
        "UPDATE res_partner SET rel_preferred_contact_channel = 'phone', phone = '+1 555 0100' WHERE id = ANY(%s)",
        [phone.tolist()],
    )
    cr.execute(
        "UPDATE res_partner SET rel_contact_window_start = 9, rel_contact_window_end = 17,"
        " tz = (ARRAY['Europe/Zurich', 'America/New_York', 'Asia/Shanghai'])[1 + id %% 3] WHERE id = ANY(%s)",
        [window.tolist()],
    )
    cr.execute("SELECT id FROM crm_relationship_weekday WHERE sequence < 5")
    weekdays = [row[0] for row in cr.fetchall()]
    relation = env["res.partner"]._fields["rel_contact_window_weekday_ids"]
    cr.execute(
        f'INSERT INTO "{relation.relation}" ("{relation.column1}", "{relation.column2}")'
        " SELECT p, d FROM unnest(%s::int[]) p CROSS JOIN unnest(%s::int[]) d",
        [window.tolist(), weekdays],
    )
    return {"prefer_phone": len(phone), "contact_window": len(window)}


def prepare_consents(env, partner_ids):
    """Survey consent granted by three customers in five, on the channel they prefer (cloned rows, no log)."""
    cr = env.cr
    consenting = partner_ids[partner_ids % 5 < 3]
    template = env["res.partner"].browse(int(consenting[0]))._rel_set_consent("email", "surveys", True, "import")
    env.flush_all()
    rest = consenting[1:]
    frame = pd.DataFrame({"partner_id": rest, "channel": np.where(rest % 10 == 0, "phone", "email")})
    cr.execute("CREATE TEMP TABLE bch_consent (partner_id int, channel varchar) ON COMMIT DROP")
    copy_frame(cr, "bch_consent", frame)
    cr.execute("SELECT pg_get_serial_sequence('crm_relationship_consent', 'id')")
    sequence = cr.fetchone()[0]
    inserted = clone_rows(
        cr,
        "crm_relationship_consent",
        template.id,
        "bch_consent",
        {
            "id": f"nextval('{sequence}')",
            "partner_id": "s.partner_id",
            "commercial_partner_id": "s.partner_id",
            "channel": "s.channel",
        },
    )
    return inserted + 1


def prepare_invoices(env, partner_ids):
    """A posted invoice for each customer's last confirmed order of the survey window.

    The template is a real invoice of a one-line order, made and posted through the ORM; each clone carries
    its lines (product, tax, receivable: balanced as the template) and links its product line to the first
    line of its order."""
    cr = env.cr
    delay, interval = env["crm.relationship.nps"]._survey_settings()
    # The history ends on a fixed day: its last orders are invoiced as if that day were the last day the
    # survey delay allows, whenever the benchmark runs.
    until = (pd.Timestamp.today().normalize() - pd.Timedelta(days=delay)).date()
    cr.execute(
        "SELECT max(date_order)::date FROM sale_order WHERE state = 'sale' AND partner_id = ANY(%s)",
        [partner_ids.tolist()],
    )
    last = cr.fetchone()[0]
    if not last:
        return 0
    shift = until - last
    cr.execute(
        """
        SELECT DISTINCT ON (so.partner_id) so.id, so.partner_id, so.date_order::date + %s,
               (SELECT min(sol.id) FROM sale_order_line sol WHERE sol.order_id = so.id)
          FROM sale_order so
         WHERE so.state = 'sale' AND so.partner_id = ANY(%s)
           AND so.date_order::date > %s AND so.date_order::date <= %s
      ORDER BY so.partner_id, so.date_order DESC
        """,
        [shift.days, partner_ids.tolist(), last - timedelta(days=interval), last],
    )
    rows = cr.fetchall()
    if not rows:
        return 0
    product = env["product.product"].search([("name", "=like", "Bench product %")], limit=1)
    order = env["sale.order"].create(
        {"partner_id": int(rows[0][1]), "order_line": [(0, 0, {"product_id": product.id})]}
    )
    order.action_confirm()
    template = order._create_invoices()
    template.invoice_date = rows[0][2]
    template.action_post()
    env.flush_all()
    n = len(rows)
    first_move = reserve_ids(cr, "account_move", n)
    moves = pd.DataFrame(
        {
            "id": np.arange(first_move, first_move + n),
            "name": [f"BINV/{i + 1:07d}" for i in range(n)],
            "partner_id": [r[1] for r in rows],
            "invoice_date": [r[2] for r in rows],
        }
    )
    cr.execute("CREATE TEMP TABLE bch_move (id int, name varchar, partner_id int, invoice_date date) ON COMMIT DROP")
    copy_frame(cr, "bch_move", moves)
    clone_rows(
        cr,
        "account_move",
        template.id,
        "bch_move",
        {
            "id": "s.id",
            "name": "s.name",
            "partner_id": "s.partner_id",
            "commercial_partner_id": "s.partner_id",
            "partner_shipping_id": "s.partner_id",
            "invoice_date": "s.invoice_date",
            "date": "s.invoice_date",
            "invoice_date_due": "s.invoice_date",
            "payment_reference": "s.name",
            "access_token": "NULL",
            "sequence_number": "NULL",
            "sequence_prefix": "NULL",
        },
    )
    template_lines = template.line_ids.sorted("id")
    product_line = template.invoice_line_ids[:1]
    lines = pd.DataFrame(
        {
            "move_id": np.repeat(moves["id"].to_numpy(), len(template_lines)),
            "template_line_id": np.tile(template_lines.ids, n),
            "partner_id": np.repeat(moves["partner_id"].to_numpy(), len(template_lines)),
            "invoice_date": np.repeat(moves["invoice_date"].to_numpy(), len(template_lines)),
            "move_name": np.repeat(moves["name"].to_numpy(), len(template_lines)),
            "order_line_id": np.where(
                np.tile(np.array(template_lines.ids) == product_line.id, n),
                np.repeat([r[3] for r in rows], len(template_lines)),
                0,
            ),
        }
    )
    first_line = reserve_ids(cr, "account_move_line", len(lines))
    lines.insert(0, "id", np.arange(first_line, first_line + len(lines)))
    cr.execute(
        "CREATE TEMP TABLE bch_move_line (id int, move_id int, template_line_id int, partner_id int,"
        " invoice_date date, move_name varchar, order_line_id int) ON COMMIT DROP"
    )
    copy_frame(cr, "bch_move_line", lines)
    cr.execute(
        "SELECT column_name FROM information_schema.columns WHERE table_name = 'account_move_line'"
        " ORDER BY ordinal_position"
    )
    overrides = {
        "id": "s.id",
        "move_id": "s.move_id",
        "partner_id": "s.partner_id",
        "date": "s.invoice_date",
        "invoice_date": "s.invoice_date",
        "date_maturity": "s.invoice_date",
        "move_name": "s.move_name",
    }
    columns = [c for (c,) in cr.fetchall()]
    cr.execute(
        f"INSERT INTO account_move_line ({', '.join(columns)}) "
        f"SELECT {', '.join(overrides.get(c, f't.{c}') for c in columns)}"
        " FROM bch_move_line s JOIN account_move_line t ON t.id = s.template_line_id"
    )
    cr.execute(
        "INSERT INTO sale_order_line_invoice_rel (order_line_id, invoice_line_id)"
        " SELECT order_line_id, id FROM bch_move_line WHERE order_line_id > 0"
    )
    cr.execute("ANALYZE account_move; ANALYZE account_move_line; ANALYZE sale_order_line_invoice_rel")
    env.invalidate_all()
    return n + 1


def prepare(env):
    """Add salespeople, preferences, consents and invoices once; report what was added."""
    cr = env.cr
    if env["res.users"].with_context(active_test=False).search_count([("login", "=", BENCH_LOGIN.format(1))]):
        return {"already_prepared": True}
    partner_ids = customers(cr)
    with Timer() as timer:
        prepared = {
            "customers": len(partner_ids),
            "salespeople": prepare_salespeople(env, partner_ids),
            **prepare_preferences(env, partner_ids),
            "survey_consents": prepare_consents(env, partner_ids),
            "invoices": prepare_invoices(env, partner_ids),
        }
        env.flush_all()
        env.invalidate_all()
        cr.commit()
    prepared["seconds"] = round(timer.seconds, 1)
    return prepared
