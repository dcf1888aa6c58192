from odoo import api, fields, models
from odoo.exceptions import UserError
from odoo.tools import is_html_empty

# The action that moves a suggestion into each state; a direct change of the state (a card dragged
# across the kanban, a write over RPC) goes through it, with its checks and consequences.
STATE_ACTIONS = {
    "new": "action_reset",
    "under_review": "action_start_review",
    "accepted": "action_accept",
    "declined": "action_decline",
}


class CrmRelationshipSuggestion(models.Model):
    """An idea a customer gives the company: an improvement or a product wish."""

    _name = "crm.relationship.suggestion"
    _description = "Customer Suggestion"
    _inherit = ["mail.thread", "mail.activity.mixin", "crm.relationship.customer.mixin"]
    _order = "id desc"

    name = fields.Char(string="Title", required=True, tracking=True)
    description = fields.Html()
    # kept when the contact goes: the company answers for what was raised
    partner_id = fields.Many2one(tracking=True, ondelete="restrict")
    suggestion_type = fields.Selection(
        [("improvement", "Improvement"), ("product", "Product Wish")],
        string="Type",
        required=True,
        default="improvement",
        tracking=True,
    )
    state = fields.Selection(
        [
            ("new", "New"),
            ("under_review", "Under Review"),
            ("accepted", "Accepted"),
            ("declined", "Declined"),
        ],
        required=True,
        default="new",
        tracking=True,
        group_expand=True,
        copy=False,
    )
    company_answer = fields.Html(string="Our Answer")
    user_id = fields.Many2one(
        "res.users",
        string="Reviewer",
        tracking=True,
        default=lambda self: self.env.user if not self.env.user.share else False,
    )
    company_id = fields.Many2one("res.company", required=True, index=True, default=lambda self: self.env.company)
    date_decision = fields.Datetime(string="Decided On", readonly=True, copy=False)
    color = fields.Integer()

    # the customer's idea; the state, our answer, the reviewer and the decision are the company's
    _customer_fields = frozenset({"name", "description", "suggestion_type", "partner_id"})
    _customer_rate_limit = 5

    @api.model_create_multi
    def create(self, vals_list):
        self = self._customer_prepare_create(vals_list)
        suggestions = super().create(vals_list)
        for suggestion in suggestions:
            # sudo: the customer follows its own suggestion, also when it comes from the portal
            suggestion.sudo().message_subscribe(suggestion.partner_id.ids)
        return suggestions

    def write(self, vals):
        self._customer_check_write(vals)
        if self.env.su or not {"state", "date_decision"} & set(vals):
            return super().write(vals)
        if "date_decision" in vals:
            raise UserError(self.env._("The decision date is set by accepting or declining the suggestion."))
        vals = dict(vals)
        state = vals.pop("state")
        if state not in STATE_ACTIONS:
            raise UserError(self.env._("This is not a state of a suggestion."))
        result = super().write(vals) if vals else True
        moving = self.filtered(lambda s: s.state != state)
        getattr(moving, STATE_ACTIONS[state])()
        return result

    def _write_decision(self, vals):
        # sudo: the state and the decision date change only here, once the action has checked the caller's
        # rights and the suggestion's state; the tracking keeps the caller as author
        self.sudo().write(vals)

    def _check_undecided(self):
        decided = self.filtered(lambda s: s.state in ("accepted", "declined"))
        if decided:
            raise UserError(
                self.env._("Suggestion %(names)s has already been decided.", names=", ".join(decided.mapped("name")))
            )

    def action_start_review(self):
        self._check_relationship_user()
        self._check_undecided()
        self._write_decision({"state": "under_review"})
        return True

    def action_accept(self):
        self._check_relationship_user()
        self._check_undecided()
        self._write_decision({"state": "accepted", "date_decision": fields.Datetime.now()})
        self._on_accepted()
        return True

    def action_decline(self):
        self._check_relationship_user()
        self._check_undecided()
        unanswered = self.filtered(lambda s: is_html_empty(s.company_answer))
        if unanswered:
            raise UserError(
                self.env._(
                    "Tell the customer why before declining suggestion %(names)s.",
                    names=", ".join(unanswered.mapped("name")),
                )
            )
        self._write_decision({"state": "declined", "date_decision": fields.Datetime.now()})
        return True

    def action_reset(self):
        self._check_relationship_user()
        self._write_decision({"state": "new", "date_decision": False})
        return True

    def _on_accepted(self):
        """Hook called once a suggestion is accepted (crm_loyalty awards engagement points)."""
