"""Each customer's purchase history kept summarised as the orders change, for the nightly analysis.

The nightly run needs, per customer entity, the first and last purchase day, the purchase occasions,
the total and the mean repeat spend and the longest gap: figures that change only for the customers
whose orders changed since the night before. PostgreSQL keeps the list of those customers itself
(``crm_relationship_purchase_dirty``), through triggers on ``sale_order``, ``sale_order_line`` and
``res_partner``, so that no way of changing an order escapes it: the ORM, a partner merge (which moves
orders in SQL), an import or a script. The run then summarises again only the customers listed, and
reads the summary (``crm_relationship_purchase_summary``) instead of every order.

The recommendations read the products each customer bought from a second summary, kept with the
first (``crm_relationship_purchase_product``). The summaries hold what does not depend on the date
of the run. Who objected to profiling or was anonymised is left out when they are read, as in
``store.read_customers``, which stays the reference: the two read the same rows.
"""

from datetime import datetime
from datetime import time as dtime

from odoo.tools import SQL

from . import bulk, store

SUMMARY_TABLE = "crm_relationship_purchase_summary"
PRODUCT_TABLE = "crm_relationship_purchase_product"
DIRTY_TABLE = "crm_relationship_purchase_dirty"
TRIGGERS = {
    "sale_order": ("crm_relationship_order_insert", "crm_relationship_order_update", "crm_relationship_order_delete"),
    "sale_order_line": (
        "crm_relationship_order_line_insert",
        "crm_relationship_order_line_update",
        "crm_relationship_order_line_delete",
    ),
    "res_partner": ("crm_relationship_partner_moved",),
}
# Customers summarised again from which the tables are analysed at once, not left to autovacuum.
ANALYZE_FROM = 1000
FUNCTIONS = ("crm_relationship_mark_order", "crm_relationship_mark_order_line", "crm_relationship_mark_partner")

# No unique key: merging partners moves the summary rows of one to the other in SQL (Odoo's merge
# updates every column referencing a partner), the orders' triggers list both, and the next refresh
# summarises the merged customer again.
# A listed customer may be listed many times, and a row without a customer asks for everyone: a mark
# is never merged with another, so that a run deletes only the marks its snapshot saw, and a mark
# written meanwhile by an order not yet committed stays for the next run.
SCHEMA = f"""
    CREATE TABLE IF NOT EXISTS {SUMMARY_TABLE} (
        partner_id int NOT NULL REFERENCES res_partner(id) ON DELETE CASCADE,
        company_id int NOT NULL REFERENCES res_company(id) ON DELETE CASCADE,
        first_day date NOT NULL,
        last_day date NOT NULL,
        occasions int NOT NULL,
        orders bigint NOT NULL,
        total float8 NOT NULL,
        repeat_mean float8 NOT NULL,
        max_gap_days int NOT NULL
    );
    CREATE INDEX IF NOT EXISTS {SUMMARY_TABLE}_company_partner_index ON {SUMMARY_TABLE} (company_id, partner_id);
    CREATE TABLE IF NOT EXISTS {PRODUCT_TABLE} (
        partner_id int NOT NULL REFERENCES res_partner(id) ON DELETE CASCADE,
        company_id int NOT NULL REFERENCES res_company(id) ON DELETE CASCADE,
        product_id int NOT NULL,
        orders int NOT NULL
    );
    CREATE INDEX IF NOT EXISTS {PRODUCT_TABLE}_company_partner_index ON {PRODUCT_TABLE} (company_id, partner_id);
    CREATE TABLE IF NOT EXISTS {DIRTY_TABLE} (partner_id int);

    CREATE OR REPLACE FUNCTION crm_relationship_mark_order() RETURNS trigger LANGUAGE plpgsql AS $$
    BEGIN
        IF TG_OP <> 'INSERT' THEN
            INSERT INTO {DIRTY_TABLE} (partner_id)
                 SELECT commercial_partner_id FROM res_partner WHERE id = OLD.partner_id;
        END IF;
        IF TG_OP <> 'DELETE' THEN
            INSERT INTO {DIRTY_TABLE} (partner_id)
                 SELECT commercial_partner_id FROM res_partner WHERE id = NEW.partner_id;
        END IF;
        RETURN NULL;
    END $$;

    CREATE OR REPLACE FUNCTION crm_relationship_mark_order_line() RETURNS trigger LANGUAGE plpgsql AS $$
    BEGIN
        IF TG_OP <> 'INSERT' THEN
            INSERT INTO {DIRTY_TABLE} (partner_id)
                 SELECT p.commercial_partner_id FROM sale_order so JOIN res_partner p ON p.id = so.partner_id
                  WHERE so.id = OLD.order_id AND so.state = 'sale';
        END IF;
        IF TG_OP <> 'DELETE' THEN
            INSERT INTO {DIRTY_TABLE} (partner_id)
                 SELECT p.commercial_partner_id FROM sale_order so JOIN res_partner p ON p.id = so.partner_id
                  WHERE so.id = NEW.order_id AND so.state = 'sale';
        END IF;
        RETURN NULL;
    END $$;

    CREATE OR REPLACE FUNCTION crm_relationship_mark_partner() RETURNS trigger LANGUAGE plpgsql AS $$
    BEGIN
        INSERT INTO {DIRTY_TABLE} (partner_id) VALUES (OLD.commercial_partner_id), (NEW.commercial_partner_id);
        RETURN NULL;
    END $$;

    DROP TRIGGER IF EXISTS crm_relationship_order_insert ON sale_order;
    CREATE TRIGGER crm_relationship_order_insert AFTER INSERT ON sale_order FOR EACH ROW
        WHEN (NEW.state = 'sale') EXECUTE FUNCTION crm_relationship_mark_order();
    DROP TRIGGER IF EXISTS crm_relationship_order_update ON sale_order;
    CREATE TRIGGER crm_relationship_order_update AFTER UPDATE ON sale_order FOR EACH ROW
        WHEN ((OLD.state = 'sale' OR NEW.state = 'sale')
              AND (OLD.state, OLD.date_order, OLD.partner_id, OLD.company_id, OLD.amount_untaxed, OLD.currency_rate)
                  IS DISTINCT FROM
                  (NEW.state, NEW.date_order, NEW.partner_id, NEW.company_id, NEW.amount_untaxed, NEW.currency_rate))
        EXECUTE FUNCTION crm_relationship_mark_order();
    DROP TRIGGER IF EXISTS crm_relationship_order_delete ON sale_order;
    CREATE TRIGGER crm_relationship_order_delete AFTER DELETE ON sale_order FOR EACH ROW
        WHEN (OLD.state = 'sale') EXECUTE FUNCTION crm_relationship_mark_order();
    DROP TRIGGER IF EXISTS crm_relationship_order_line_insert ON sale_order_line;
    CREATE TRIGGER crm_relationship_order_line_insert AFTER INSERT ON sale_order_line FOR EACH ROW
        EXECUTE FUNCTION crm_relationship_mark_order_line();
    DROP TRIGGER IF EXISTS crm_relationship_order_line_update ON sale_order_line;
    CREATE TRIGGER crm_relationship_order_line_update AFTER UPDATE ON sale_order_line FOR EACH ROW
        WHEN ((OLD.order_id, OLD.product_id, OLD.price_unit, OLD.display_type)
              IS DISTINCT FROM (NEW.order_id, NEW.product_id, NEW.price_unit, NEW.display_type))
        EXECUTE FUNCTION crm_relationship_mark_order_line();
    DROP TRIGGER IF EXISTS crm_relationship_order_line_delete ON sale_order_line;
    CREATE TRIGGER crm_relationship_order_line_delete AFTER DELETE ON sale_order_line FOR EACH ROW
        EXECUTE FUNCTION crm_relationship_mark_order_line();
    DROP TRIGGER IF EXISTS crm_relationship_partner_moved ON res_partner;
    CREATE TRIGGER crm_relationship_partner_moved AFTER UPDATE ON res_partner FOR EACH ROW
        WHEN (OLD.commercial_partner_id IS DISTINCT FROM NEW.commercial_partner_id)
        EXECUTE FUNCTION crm_relationship_mark_partner();
"""

# The customers' summary of store.CUSTOMERS_QUERY, of every company, without the date of the run and
# without the filter on profiling (applied when read); %(partners)s limits it to some customer entities.
SUMMARISE = f"""
    WITH occasion AS (
        SELECT p.commercial_partner_id AS partner_id, so.company_id,
               so.date_order::date AS day,
               SUM(so.amount_untaxed / COALESCE(NULLIF(so.currency_rate, 0), 1)) AS amount,
               COUNT(*) AS orders
          FROM sale_order so
          JOIN res_partner p ON p.id = so.partner_id
         WHERE so.state = 'sale' %(partners)s
      GROUP BY 1, 2, 3
    ), ordered AS (
        SELECT partner_id, company_id, day, amount, orders,
               day - LAG(day) OVER (PARTITION BY partner_id, company_id ORDER BY day) AS gap
          FROM occasion
    )
    INSERT INTO {SUMMARY_TABLE}
           (partner_id, company_id, first_day, last_day, occasions, orders, total, repeat_mean, max_gap_days)
    SELECT partner_id, company_id, MIN(day), MAX(day), COUNT(*), SUM(orders), SUM(amount)::float8,
           COALESCE(AVG(amount) FILTER (WHERE gap IS NOT NULL), 0)::float8, COALESCE(MAX(gap), 0)
      FROM ordered
  GROUP BY partner_id, company_id
"""

# The products of each customer entity, with in how many confirmed orders they bought each: what
# the recommendations score, read like crm.relationship.recommendation._read_bought reads the lines.
SUMMARISE_PRODUCTS = f"""
    INSERT INTO {PRODUCT_TABLE} (partner_id, company_id, product_id, orders)
    SELECT p.commercial_partner_id, so.company_id, sol.product_id, COUNT(DISTINCT so.id)
      FROM sale_order_line sol
      JOIN sale_order so ON so.id = sol.order_id
      JOIN res_partner p ON p.id = so.partner_id
     WHERE so.state = 'sale' AND sol.product_id IS NOT NULL AND sol.display_type IS NULL AND sol.price_unit > 0
           %(partners)s
  GROUP BY 1, 2, 3
"""

READ_PRODUCTS = f"""
    SELECT s.partner_id, s.product_id, s.orders
      FROM {PRODUCT_TABLE} s
      JOIN res_partner cp ON cp.id = s.partner_id
     WHERE s.company_id = %(company)s
       AND cp.rel_profiling_objection IS NOT TRUE AND cp.rel_anonymised_on IS NULL
"""

READ = f"""
    SELECT s.partner_id,
           %(as_of)s::date - s.first_day AS age_days,
           %(as_of)s::date - s.last_day AS recency_days,
           s.last_day - s.first_day AS span_days,
           s.occasions, s.orders, s.total, s.repeat_mean, s.max_gap_days
      FROM {SUMMARY_TABLE} s
      JOIN res_partner cp ON cp.id = s.partner_id
     WHERE s.company_id = %(company)s
       AND cp.rel_profiling_objection IS NOT TRUE AND cp.rel_anonymised_on IS NULL
"""


def install(cr):
    """Create the summaries, the list of customers to summarise again and its triggers (idempotent). A
    new summary starts empty, with a mark asking for every customer."""
    cr.execute("SELECT to_regclass(%s) IS NULL OR to_regclass(%s) IS NULL", [SUMMARY_TABLE, PRODUCT_TABLE])
    new = cr.fetchone()[0]
    cr.execute(SCHEMA)
    if new:
        cr.execute(SQL("INSERT INTO %s (partner_id) VALUES (NULL)", SQL.identifier(DIRTY_TABLE)))


def uninstall(cr):
    for table, triggers in TRIGGERS.items():
        for trigger in triggers:
            cr.execute(SQL("DROP TRIGGER IF EXISTS %s ON %s", SQL.identifier(trigger), SQL.identifier(table)))
    for function in FUNCTIONS:
        cr.execute(SQL("DROP FUNCTION IF EXISTS %s()", SQL.identifier(function)))
    tables = SQL(", ").join(SQL.identifier(name) for name in (SUMMARY_TABLE, PRODUCT_TABLE, DIRTY_TABLE))
    cr.execute(SQL("DROP TABLE IF EXISTS %s", tables))


def refresh(cr):
    """Summarise again the customers whose orders changed since the last refresh; returns how many.

    The marks this transaction sees are taken (a ``DELETE``: a ``TRUNCATE`` would also take those of
    transactions committed since this one began); those of transactions still running stay."""
    dirty, customers, products = (SQL.identifier(name) for name in (DIRTY_TABLE, SUMMARY_TABLE, PRODUCT_TABLE))
    cr.execute(SQL("WITH taken AS (DELETE FROM %s RETURNING partner_id) SELECT DISTINCT partner_id FROM taken", dirty))
    marked = [partner_id for (partner_id,) in cr.fetchall()]
    if not marked:
        return 0
    if None in marked:
        cr.execute(SQL("DELETE FROM %s", customers))
        cr.execute(SQL("DELETE FROM %s", products))
        cr.execute(SUMMARISE_PRODUCTS.replace("%(partners)s", ""))
        cr.execute(SUMMARISE.replace("%(partners)s", ""))
        count = cr.rowcount
    else:
        partners = sorted(marked)
        only = "AND p.commercial_partner_id = ANY(%(ids)s)"
        cr.execute(SQL("DELETE FROM %s WHERE partner_id = ANY(%s)", customers, partners))
        cr.execute(SQL("DELETE FROM %s WHERE partner_id = ANY(%s)", products, partners))
        cr.execute(SUMMARISE.replace("%(partners)s", only), {"ids": partners})
        cr.execute(SUMMARISE_PRODUCTS.replace("%(partners)s", only), {"ids": partners})
        count = len(partners)
    if count >= ANALYZE_FROM:
        # The planner's statistics of the tables, which the reads that follow need at once: without
        # them it chose a nested loop over every customer.
        cr.execute(SQL("ANALYZE %s, %s", customers, products))
    return count


def is_usable(cr, company_id, as_of):
    """Whether a run of ``company_id`` dated ``as_of`` may read the summary, once refreshed: not when
    the company has confirmed orders dated after that day, which the summary holds and the run may not
    know."""
    cr.execute(
        "SELECT NOT EXISTS (SELECT 1 FROM sale_order WHERE date_order > %s AND state = 'sale' AND company_id = %s)",
        [datetime.combine(as_of, dtime.max), company_id],
    )
    return cr.fetchone()[0]


def read_products(cr, company_id):
    """Per customer entity of ``company_id`` and product: in how many confirmed orders they bought it
    (``crm.relationship.recommendation._read_bought``), from the summary."""
    return bulk.read_frame(
        cr, READ_PRODUCTS, {"company": company_id}, {"partner_id": "int32", "product_id": "int32", "orders": "int32"}
    )


def read_customers(cr, company_id, as_of):
    """The rows of ``store.read_customers(cr, company_id, as_of)``, from the summary; valid when it is
    fresh (``refresh``) and usable for ``as_of`` (``is_usable``)."""
    params = {"company": company_id, "as_of": as_of}
    # sorted by pandas: a sort in PostgreSQL spilled to disk under the default work_mem
    return bulk.read_frame(cr, READ, params, store.CUSTOMERS_DTYPE).set_index("partner_id").sort_index()
