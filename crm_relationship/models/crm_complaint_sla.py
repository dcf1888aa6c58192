from odoo import api, fields, models
from odoo.exceptions import ValidationError


class CrmComplaintSla(models.Model):
    """Service-level promise: targets in working hours of a calendar.

    A complaint takes the most specific active policy whose category (or a parent of it),
    severity and team match; empty criteria match everything.
    """

    _name = "crm.complaint.sla"
    _description = "Complaint Service Level Policy"
    _order = "sequence, id"

    name = fields.Char(required=True, translate=True)
    sequence = fields.Integer(default=10)
    active = fields.Boolean(default=True)
    company_id = fields.Many2one("res.company", default=lambda self: self.env.company)
    category_id = fields.Many2one(
        "crm.complaint.category", string="Category", help="Applies to this category and its subcategories."
    )
    severity = fields.Selection(
        [("low", "Low"), ("normal", "Normal"), ("high", "High"), ("critical", "Critical")],
        help="Leave empty to apply to every severity.",
    )
    team_id = fields.Many2one("crm.team", string="Team")
    resource_calendar_id = fields.Many2one(
        "resource.calendar",
        string="Working Hours",
        required=True,
        default=lambda self: self.env.company.resource_calendar_id,
        help="Targets count working hours of this calendar; its public holidays are skipped.",
    )
    response_hours = fields.Float(string="First Response Target (h)", required=True, default=4.0)
    resolution_hours = fields.Float(string="Resolution Target (h)", required=True, default=24.0)
    at_risk_share = fields.Float(
        string="At Risk After (%)",
        default=75.0,
        help="A complaint is at risk once this share of a target's working time has elapsed.",
    )
    raise_severity_on_breach = fields.Boolean(
        default=True, help="Raise the severity one step when the escalation finds a breached complaint."
    )

    @api.constrains("response_hours", "resolution_hours", "at_risk_share")
    def _check_targets(self):
        for sla in self:
            if not 0 < sla.at_risk_share < 100:
                raise ValidationError(self.env._("The at-risk share must lie strictly between 0 and 100 percent."))
            if sla.response_hours <= 0 or sla.resolution_hours <= 0:
                raise ValidationError(self.env._("Service level targets must be greater than zero hours."))
            if sla.response_hours > sla.resolution_hours:
                raise ValidationError(
                    self.env._("The first response target cannot be longer than the resolution target.")
                )

    def _match_score(self, category, severity, team):
        """Return a specificity score when the policy matches, else -1."""
        self.ensure_one()
        score = 0
        if self.category_id:
            if not category or not category.parent_path.startswith(self.category_id.parent_path):
                return -1
            score += 100 + self.category_id.parent_path.count("/")
        if self.severity:
            if self.severity != severity:
                return -1
            score += 10
        if self.team_id:
            if self.team_id != team:
                return -1
            score += 1
        return score

    @api.model
    def _match_complaints(self, complaints):
        """Return ``{complaint: policy}``: the most specific policy of its company (or of none) that matches.

        A complaint without a matching policy maps to an empty recordset.
        """
        policies = self.sudo().search([])  # sudo: matching must see every policy
        matches = {}
        for complaint in complaints:
            best, best_score = self.browse(), -1
            for policy in policies:
                if policy.company_id and policy.company_id != complaint.company_id:
                    continue
                score = policy._match_score(complaint.category_id, complaint.severity, complaint.team_id)
                if score > best_score:
                    best, best_score = policy, score
            matches[complaint] = best
        return matches
