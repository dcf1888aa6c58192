def migrate(cr, version):
    """Suggestions are indexed by (partner_id, rank), unique; the index on partner_id alone only slows
    the writes of each analysis run."""
    cr.execute("DROP INDEX IF EXISTS crm_relationship_recommendation__partner_id_index")
