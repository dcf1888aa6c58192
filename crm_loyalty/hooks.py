import logging

from odoo.tools import SQL
from odoo.tools.sql import column_exists, create_column

from .models.ledger_terms import BALANCE_BEFORE_LEDGER

_logger = logging.getLogger(__name__)

# The ledger columns the hook fills for history lines that exist before the install, with their SQL types.
LEDGER_COLUMNS = {
    "rel_movement_type": ("VARCHAR", "Movement Type"),
    "rel_points": ("DOUBLE PRECISION", "Points"),
    "rel_points_remaining": ("DOUBLE PRECISION", "Points Remaining"),
}


def pre_init_hook(env):
    """Make the loyalty history that exists before the install a consistent part of the ledger.

    sale_loyalty owns loyalty_history: its lines outlive an uninstall of this addon (which drops the
    ledger's columns) and exist on any database that used loyalty before. Left to Odoo, every such line
    would become 'earned' (the default), and the unique index on what an order earned could not be built.
    """
    cr = env.cr
    if column_exists(cr, "loyalty_history", "rel_movement_type"):
        _logger.warning("loyalty_history.rel_movement_type exists already: existing history left as it is")
        return
    _carry_card_balances(env)
    for column, (column_type, comment) in LEDGER_COLUMNS.items():
        if not column_exists(cr, "loyalty_history", column):
            create_column(cr, "loyalty_history", column, column_type, comment)
    _classify_history(cr)
    _open_lots(cr)


def _carry_card_balances(env):
    """A loyalty card whose balance differs from its history gets one line for the difference.

    The balance the customer sees is kept; from now on the ledger explains all of it.
    """
    env.cr.execute(
        SQL(
            """
            INSERT INTO loyalty_history (card_id, description, issued, used, create_uid, write_uid,
                                         create_date, write_date)
            SELECT card_id, %(description)s, GREATEST(diff, 0), GREATEST(-diff, 0), %(uid)s, %(uid)s,
                   now() at time zone 'utc', now() at time zone 'utc'
              FROM (SELECT c.id AS card_id,
                           COALESCE(c.points, 0) - COALESCE((SELECT SUM(COALESCE(h.issued, 0) - COALESCE(h.used, 0))
                                                               FROM loyalty_history h
                                                              WHERE h.card_id = c.id), 0) AS diff
                      FROM loyalty_card c
                      JOIN loyalty_program p ON p.id = c.program_id
                     WHERE p.program_type = 'loyalty') cards
             WHERE ABS(diff) >= 0.005
            """,
            # in English, the source of the translations the install then adds (models/ledger_terms.py)
            description=BALANCE_BEFORE_LEDGER._translate("en_US"),
            uid=env.uid,
        )
    )
    if env.cr.rowcount:
        _logger.info("loyalty ledger: %s card balances carried over as adjustments", env.cr.rowcount)


def _classify_history(cr):
    """Type each existing line from its points: the first gain per card and order is what the order earned.

    Other gains are adjustments, losses on an order are spending, other losses are adjustments.
    """
    cr.execute(
        """
        WITH lines AS (
            SELECT id, order_id, COALESCE(issued, 0) - COALESCE(used, 0) AS net,
                   row_number() OVER (
                       PARTITION BY card_id, order_model, order_id,
                                    COALESCE(issued, 0) - COALESCE(used, 0) > 0
                       ORDER BY id
                   ) AS nth
              FROM loyalty_history
        )
        UPDATE loyalty_history h
           SET rel_movement_type = CASE
                   WHEN l.net > 0 AND l.order_id IS NOT NULL AND l.nth = 1 THEN 'earned'
                   WHEN l.net < 0 AND l.order_id IS NOT NULL THEN 'spent'
                   ELSE 'adjusted'
               END,
               rel_points = COALESCE(h.issued, 0) - COALESCE(h.used, 0)
          FROM lines l
         WHERE h.id = l.id
        """
    )


def _open_lots(cr):
    """Each gain becomes a lot; a card's losses consume its oldest lots first.

    What is left of the lots then equals the card's positive balance. These lots get no expiry date:
    the rules they were earned under are not known (an uninstall drops the programs' expiry settings),
    so the expiry job leaves them alone, and spending draws on them after the lots that do expire.
    """
    cr.execute(
        """
        WITH nets AS (
            SELECT id, card_id, (COALESCE(issued, 0) - COALESCE(used, 0))::numeric AS net FROM loyalty_history
        ), taken AS (
            SELECT card_id, SUM(-net) AS points FROM nets WHERE net < 0 GROUP BY card_id
        ), lots AS (
            SELECT n.id, n.net, COALESCE(t.points, 0) AS taken,
                   SUM(n.net) OVER (PARTITION BY n.card_id ORDER BY n.id) - n.net AS before
              FROM nets n
         LEFT JOIN taken t ON t.card_id = n.card_id
             WHERE n.net > 0
        )
        UPDATE loyalty_history h
           SET rel_points_remaining = (lots.net - LEAST(GREATEST(lots.taken - lots.before, 0), lots.net))::float8
          FROM lots
         WHERE h.id = lots.id
        """
    )
