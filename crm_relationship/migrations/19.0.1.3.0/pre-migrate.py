"""Fields that crm_relationship adds to Odoo's models carry the prefix ``rel_`` (see the README's naming rule)."""

from odoo.addons.crm_relationship.migration_tools import rename_fields, rename_in_views

RENAMES = [
    ("res.partner", "preferred_contact_channel", "rel_preferred_contact_channel"),
    ("res.partner", "contact_window_weekday_ids", "rel_contact_window_weekday_ids"),
    ("res.partner", "contact_window_start", "rel_contact_window_start"),
    ("res.partner", "contact_window_end", "rel_contact_window_end"),
    ("res.partner", "interest_category_ids", "rel_interest_category_ids"),
    ("res.partner", "relationship_need_ids", "rel_need_ids"),
    ("res.partner", "relationship_need_open_count", "rel_need_open_count"),
    ("res.partner", "relationship_role", "rel_role"),
    ("res.partner", "relationship_consent_ids", "rel_consent_ids"),
    ("res.partner", "relationship_consent_log_ids", "rel_consent_log_ids"),
    ("res.partner", "relationship_nps_ids", "rel_nps_ids"),
    ("res.partner", "complaint_ids", "rel_complaint_ids"),
    ("res.partner", "rfm_recency", "rel_rfm_recency"),
    ("res.partner", "rfm_frequency", "rel_rfm_frequency"),
    ("res.partner", "rfm_monetary", "rel_rfm_monetary"),
    ("res.partner", "rfm_r_score", "rel_rfm_r_score"),
    ("res.partner", "rfm_f_score", "rel_rfm_f_score"),
    ("res.partner", "rfm_m_score", "rel_rfm_m_score"),
    ("res.partner", "rfm_segment", "rel_rfm_segment"),
    ("res.partner", "clv_expected_purchases", "rel_clv_expected_purchases"),
    ("res.partner", "clv_value", "rel_clv_value"),
    ("res.partner", "clv_probability_alive", "rel_clv_probability_alive"),
    ("res.partner", "lifecycle_stage", "rel_lifecycle_stage"),
    ("res.partner", "loyalty_quadrant", "rel_loyalty_quadrant"),
    ("res.partner", "relationship_attitude", "rel_attitude"),
    ("res.partner", "relationship_health", "rel_health"),
    ("res.partner", "health_value_points", "rel_health_value_points"),
    ("res.partner", "health_retention_points", "rel_health_retention_points"),
    ("res.partner", "health_satisfaction_points", "rel_health_satisfaction_points"),
    ("res.partner", "health_complaint_points", "rel_health_complaint_points"),
    ("res.partner", "relationship_company_id", "rel_company_id"),
    ("res.partner", "relationship_analysed_on", "rel_analysed_on"),
    ("res.partner", "relationship_currency_id", "rel_currency_id"),
    ("res.partner", "relationship_recommendation_ids", "rel_recommendation_ids"),
    ("res.partner", "complaint_count", "rel_complaint_count"),
    ("res.partner", "complaint_open_count", "rel_complaint_open_count"),
    ("res.partner", "complaint_last_rating", "rel_complaint_last_rating"),
    ("res.partner", "cmr_anonymised_on", "rel_anonymised_on"),
    ("res.config.settings", "complaint_reopen_days", "rel_complaint_reopen_days"),
    ("res.config.settings", "relationship_health_weight_value", "rel_health_weight_value"),
    ("res.config.settings", "relationship_health_weight_retention", "rel_health_weight_retention"),
    ("res.config.settings", "relationship_health_weight_satisfaction", "rel_health_weight_satisfaction"),
    ("res.config.settings", "relationship_health_weight_complaints", "rel_health_weight_complaints"),
]


def migrate(cr, version):
    rename_fields(cr, "crm_relationship", RENAMES)
    rename_in_views(cr, "res.partner", "action_cmr_anonymise", "action_rel_anonymise")
    rename_in_views(cr, "res.partner", "action_view_complaints", "action_rel_view_complaints")
