from odoo.addons.crm_relationship.analytics import store

# The partner's fields that show the figures, by the figures' own column.
FIGURE_FIELDS = {f"rel_{column}": column for column in store.FIGURE_COLUMNS}


def write_figures(partners, values):
    """Give ``partners`` the figures of ``values`` (the partner's ``rel_<name>`` fields) as an analysis run
    would, and write the rest of ``values`` on the partners. Fixtures only: the figures are the analysis's
    to write, through its own SQL."""
    figures = {FIGURE_FIELDS[name]: value for name, value in values.items() if name in FIGURE_FIELDS}
    others = {name: value for name, value in values.items() if name not in FIGURE_FIELDS}
    if others:
        partners.write(others)
    if figures:
        # sudo: nobody may write figures through the ORM; a fixture stands in for the analysis
        Figures = partners.env["crm.relationship.figures"].sudo()
        for partner in partners.sudo():
            if partner.rel_figures_id:
                partner.rel_figures_id.write(figures)
            else:
                Figures.create({"partner_id": partner.id, **figures})
        partners.invalidate_recordset()
