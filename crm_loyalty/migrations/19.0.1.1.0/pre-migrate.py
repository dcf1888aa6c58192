"""Fields that crm_loyalty adds to Odoo's models carry the prefix ``rel_`` (see the README's naming rule)."""

from odoo.addons.crm_relationship.migration_tools import rename_fields

RENAMES = [
    ("res.partner", "referral_code", "rel_referral_code"),
    ("res.partner", "referred_by_id", "rel_referred_by_id"),
    ("res.partner", "crm_loyalty_card_id", "rel_loyalty_card_id"),
    ("res.partner", "crm_loyalty_tier_id", "rel_loyalty_tier_id"),
    ("res.partner", "crm_loyalty_points", "rel_loyalty_points"),
    ("crm.lead", "crm_referrer_id", "rel_referrer_id"),
    ("loyalty.card", "crm_tier_id", "rel_tier_id"),
    ("loyalty.card", "crm_tier_review_date", "rel_tier_review_date"),
    ("loyalty.card", "crm_tier_history_ids", "rel_tier_history_ids"),
    ("loyalty.card", "crm_negative_balance", "rel_negative_balance"),
    ("loyalty.program", "crm_tier_ids", "rel_tier_ids"),
    ("loyalty.program", "crm_ledger", "rel_ledger"),
    ("loyalty.program", "crm_points_expire", "rel_points_expire"),
    ("loyalty.program", "crm_points_expiry_days", "rel_points_expiry_days"),
    ("loyalty.program", "crm_expiry_reminder_days", "rel_expiry_reminder_days"),
    ("loyalty.program", "crm_tier_grace_days", "rel_tier_grace_days"),
    ("loyalty.program", "crm_point_value", "rel_point_value"),
    ("loyalty.program", "crm_points_outstanding", "rel_points_outstanding"),
    ("loyalty.program", "crm_points_liability", "rel_points_liability"),
    ("res.config.settings", "crm_loyalty_goodwill_max_points", "rel_goodwill_max_points"),
    ("loyalty.history", "movement_type", "rel_movement_type"),
    ("loyalty.history", "points_remaining", "rel_points_remaining"),
    ("loyalty.history", "expiry_date", "rel_expiry_date"),
    ("loyalty.history", "crm_reminded_date", "rel_reminded_date"),
    ("loyalty.history", "reversed_history_id", "rel_reversed_history_id"),
    ("loyalty.history", "reversed_by_id", "rel_reversed_by_id"),
    ("loyalty.history", "crm_credit_note_id", "rel_credit_note_id"),
    ("loyalty.history", "points", "rel_points"),
    ("loyalty.history", "reason", "rel_reason"),
    ("loyalty.history", "complaint_id", "rel_complaint_id"),
    ("loyalty.history", "partner_id", "rel_partner_id"),
    ("loyalty.history", "program_id", "rel_program_id"),
    ("loyalty.history", "user_id", "rel_user_id"),
]


def migrate(cr, version):
    rename_fields(cr, "crm_loyalty", RENAMES)
