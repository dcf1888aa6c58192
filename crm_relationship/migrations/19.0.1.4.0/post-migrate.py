"""The analysis's figures move from ``res_partner`` to ``crm_relationship_figures``, one row per customer.

Each partner column ``rel_<name>`` becomes the column ``<name>`` of the partner's figures row, which
the partner links as ``rel_figures_id``; the partner's columns are then dropped, and the partner
table no longer keeps room on its pages for a nightly rewrite.
"""

from odoo.tools import SQL
from odoo.tools.sql import column_exists

# The figures' columns as of this version, written out: a migration must not change with the code after it.
MOVED = [
    "rfm_recency",
    "rfm_frequency",
    "rfm_monetary",
    "rfm_r_score",
    "rfm_f_score",
    "rfm_m_score",
    "rfm_segment",
    "clv_expected_purchases",
    "clv_value",
    "lifetime_value",
    "value_rank",
    "clv_probability_alive",
    "lifecycle_stage",
    "loyalty_quadrant",
    "attitude",
    "health",
    "health_value_points",
    "health_retention_points",
    "health_satisfaction_points",
    "health_complaint_points",
    "company_id",
    "age_days",
    "usual_gap_days",
    "longest_gap_days",
    "clv_spend",
    "clv_discounted_purchases",
    "figures_rough",
    "previous_value_rank",
    "previous_lifetime_value",
    "previous_rfm_frequency",
    "previous_probability_alive",
    "value_rank_change",
]


def migrate(cr, version):
    moved = [column for column in MOVED if column_exists(cr, "res_partner", f"rel_{column}")]
    if moved:
        targets = SQL(", ").join(SQL.identifier(column) for column in moved)
        sources = SQL(", ").join(SQL.identifier(f"rel_{column}") for column in moved)
        cr.execute(
            SQL(
                "INSERT INTO crm_relationship_figures (partner_id, %s, create_uid, create_date, write_uid, write_date)"
                " SELECT id, %s, 1, NOW() AT TIME ZONE 'UTC', 1, NOW() AT TIME ZONE 'UTC' FROM res_partner"
                " WHERE rel_rfm_recency IS NOT NULL OR rel_company_id IS NOT NULL"
                " ON CONFLICT (partner_id) DO NOTHING",
                targets,
                sources,
            )
        )
        cr.execute(
            "UPDATE res_partner p SET rel_figures_id = f.id FROM crm_relationship_figures f WHERE f.partner_id = p.id"
        )
        cr.execute(
            SQL(
                "ALTER TABLE res_partner %s",
                SQL(", ").join(SQL("DROP COLUMN %s", SQL.identifier(f"rel_{column}")) for column in moved),
            )
        )
    cr.execute("ALTER TABLE res_partner RESET (fillfactor)")
