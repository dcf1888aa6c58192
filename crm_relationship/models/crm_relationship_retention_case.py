from odoo import api, fields, models

# Why an at-risk customer got no retention activity: not among the valuable customers of Settings, or
# the outbound policy's reason (crm.relationship.outreach).
NO_ACTION_REASONS = [
    ("not_selected", "Below the retention thresholds"),
    ("do_not_contact", "Do Not Contact"),
    ("no_consent", "No consent"),
    ("blacklisted", "Email address blacklisted"),
    ("no_email", "No email address"),
    ("no_phone", "No phone number"),
    ("invalid_window", "Contact window empty or invalid"),
    ("no_timezone", "No timezone"),
    ("no_caller", "No salesperson"),
    ("call_planned", "A call was already planned"),
    ("activity_planned", "An activity was already planned"),
]


class CrmRelationshipRetentionCase(models.Model):
    """One spell of a customer at risk: when the analysis found them at risk, the retention activity they
    got (or why none) and its outcome. The retention report compares who bought again with and without one.

    Written by the analysis run and by the activity being closed, never by hand.
    """

    _name = "crm.relationship.retention.case"
    _description = "Customer at Risk"
    _order = "date_at_risk desc, id desc"
    _rec_name = "partner_id"

    partner_id = fields.Many2one("res.partner", string="Customer", required=True, index=True, ondelete="cascade")
    company_id = fields.Many2one("res.company", required=True, index=True, ondelete="cascade")
    date_at_risk = fields.Datetime(string="At Risk Since", required=True, readonly=True)
    date_end = fields.Datetime(
        string="No Longer at Risk",
        readonly=True,
        help="The first analysis run that no longer found the customer at risk.",
    )
    reason = fields.Char(readonly=True, help="Why the customer is worth a retention activity, in one sentence.")
    planned = fields.Boolean(string="Activity Planned", readonly=True)
    activity_id = fields.Many2one(
        "mail.activity", string="Retention Activity", index="btree_not_null", ondelete="set null"
    )
    no_action_reason = fields.Selection(NO_ACTION_REASONS, string="No Action Because", readonly=True)
    done = fields.Boolean(string="Activity Done", readonly=True)
    date_done = fields.Datetime(string="Done On", readonly=True)
    done_user_id = fields.Many2one("res.users", string="Done By", readonly=True, ondelete="set null")
    outcome = fields.Text(readonly=True, help="What the person who closed the retention activity wrote.")

    _one_open_case = models.UniqueIndex(
        "(partner_id, company_id) WHERE date_end IS NULL", "A customer has one open spell at risk per company."
    )

    @api.model
    def _record_outcome(self, activities, feedback):
        """The retention activities among ``activities`` are being marked done: keep who, when and what."""
        cases = self.search([("activity_id", "in", activities.ids)])
        if cases:
            cases.write(
                {
                    "done": True,
                    "date_done": fields.Datetime.now(),
                    "done_user_id": self.env.uid,
                    "outcome": feedback or False,
                }
            )
