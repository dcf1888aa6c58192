from odoo import fields, models, tools

from .crm_complaint import SEVERITIES
from .crm_sla_clock_mixin import SLA_STATUSES


class CrmComplaintReport(models.Model):
    """Complaint analysis: one row per complaint, with SLA compliance as a 0/100 measure."""

    _name = "crm.complaint.report"
    _description = "Complaint Analysis"
    _auto = False
    _order = "date_received desc"
    _rec_name = "complaint_id"

    complaint_id = fields.Many2one("crm.complaint", string="Complaint", readonly=True)
    date_received = fields.Datetime(string="Received On", readonly=True)
    date_open = fields.Datetime(
        string="SLA Clock Start",
        readonly=True,
        help="When the service-level clock started; a reopened complaint restarts it.",
    )
    date_closed = fields.Datetime(string="Closed On", readonly=True)
    partner_id = fields.Many2one("res.partner", string="Customer", readonly=True)
    commercial_partner_id = fields.Many2one("res.partner", string="Customer Entity", readonly=True)
    category_id = fields.Many2one("crm.complaint.category", string="Category", readonly=True)
    root_cause_id = fields.Many2one("crm.complaint.cause", string="Root Cause", readonly=True)
    team_id = fields.Many2one("crm.team", string="Team", readonly=True)
    user_id = fields.Many2one("res.users", string="Handled By", readonly=True)
    stage_id = fields.Many2one("crm.complaint.stage", string="Stage", readonly=True)
    company_id = fields.Many2one("res.company", readonly=True)
    severity = fields.Selection(SEVERITIES, readonly=True)
    channel = fields.Selection(
        [("portal", "Portal"), ("email", "Email"), ("phone", "Phone"), ("in_person", "In Person"), ("other", "Other")],
        readonly=True,
    )
    sla_status = fields.Selection(SLA_STATUSES, string="SLA Status", readonly=True)
    is_closed = fields.Boolean(string="Closed", readonly=True)
    sla_compliance = fields.Float(
        string="SLA Compliance (%)",
        readonly=True,
        aggregator="avg",
        help="100 for a complaint that met its service level, 0 for one that breached it; others are left out.",
    )
    resolution_days = fields.Float(string="Days to Close", readonly=True, aggregator="avg")
    rating = fields.Float(string="Satisfaction", readonly=True, aggregator="avg")

    def init(self):
        tools.drop_view_if_exists(self.env.cr, self._table)
        self.env.cr.execute(
            f"""
            CREATE OR REPLACE VIEW {self._table} AS (
                SELECT c.id AS id,
                       c.id AS complaint_id,
                       c.create_date AS date_received,
                       c.date_open,
                       c.date_closed,
                       c.partner_id,
                       c.commercial_partner_id,
                       c.category_id,
                       c.root_cause_id,
                       c.team_id,
                       c.user_id,
                       c.stage_id,
                       c.company_id,
                       c.severity,
                       c.channel,
                       c.sla_status,
                       c.is_closed,
                       CASE WHEN c.sla_status = 'met' THEN 100.0
                            WHEN c.sla_status = 'breached' THEN 0.0
                       END AS sla_compliance,
                       CASE WHEN c.date_closed IS NOT NULL
                            THEN EXTRACT(EPOCH FROM c.date_closed - c.create_date) / 86400.0
                       END AS resolution_days,
                       NULLIF(c.rating_last_value, 0) AS rating
                  FROM crm_complaint c
            )
            """
        )
