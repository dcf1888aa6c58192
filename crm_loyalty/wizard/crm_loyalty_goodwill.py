from odoo import api, fields, models
from odoo.exceptions import AccessError, UserError

SEVERITY_FACTOR = {"low": 0.5, "normal": 1.0, "high": 2.0, "critical": 3.0}


class CrmLoyaltyGoodwill(models.TransientModel):
    """Offer goodwill points on a complaint; the amount suggested grows with value and severity."""

    _name = "crm.loyalty.goodwill"
    _description = "Offer Goodwill Points"

    complaint_id = fields.Many2one("crm.complaint", required=True, readonly=True)
    program_id = fields.Many2one("loyalty.program", required=True, domain=[("program_type", "=", "loyalty")])
    points = fields.Float(required=True)
    reason = fields.Char(required=True, default=lambda self: self.env._("Goodwill for our mistake"))

    @api.model
    def default_get(self, fields_list):
        values = super().default_get(fields_list)
        values.setdefault("program_id", self.env["res.partner"]._rel_engagement_program().id)
        complaint = self.env["crm.complaint"].browse(values.get("complaint_id"))
        if "points" in fields_list and complaint:
            values.setdefault("points", self._suggest_points(complaint))
        return values

    @api.model
    def _suggest_points(self, complaint):
        """Base amount by severity, plus 1% of the customer's predicted yearly value (capped)."""
        params = self.env["ir.config_parameter"].sudo()
        base = float(params.get_param("crm_loyalty.goodwill_base_points", 50) or 0)
        customer = complaint.commercial_partner_id
        value = customer.rel_clv_value or customer.rel_rfm_monetary or 0
        return round(base * SEVERITY_FACTOR.get(complaint.severity, 1.0) + min(value * 0.01, base * 5))

    @api.model
    def _max_points(self):
        params = self.env["ir.config_parameter"].sudo()
        try:
            return float(params.get_param("crm_loyalty.goodwill_max_points", 500) or 0)
        except ValueError:
            return 500.0

    def _check_allowed(self, card=None):
        """Above the cap, or a second offer on the same complaint, only a relationship manager may give.

        Without ``card`` only the cap is checked (before the card is looked up or created).
        """
        env = self.env
        if env.user.has_group("crm_relationship.group_relationship_manager"):
            return
        cap = self._max_points()
        if self.points > cap:
            raise AccessError(
                env._(
                    "Only a relationship manager may offer more than %(cap)s goodwill points on a complaint.",
                    cap=f"{cap:g}",
                )
            )
        if not card:
            return
        # sudo: the earlier offers on this complaint count whoever made them
        offered = (
            env["loyalty.history"]
            .sudo()
            .search_count(
                [("rel_complaint_id", "=", self.complaint_id.id), ("rel_movement_type", "=", "goodwill")], limit=1
            )
        )
        if offered:
            raise AccessError(
                env._(
                    "Goodwill points were already offered on %(complaint)s: only a relationship manager may "
                    "offer more.",
                    complaint=self.complaint_id.display_name,
                )
            )

    def action_confirm(self):
        self.ensure_one()
        if self.points <= 0:
            raise UserError(self.env._("Offer a positive number of points."))
        self._check_allowed()
        card = self.complaint_id.partner_id._rel_loyalty_card_for(self.program_id)
        # Lock the card first: two offers on one complaint at once are counted one after the other.
        card._rel_lock()
        self._check_allowed(card)
        card._rel_add_movement(
            "goodwill",
            self.points,
            self.reason,
            rel_complaint_id=self.complaint_id.id,
            order_model="crm.complaint",
            order_id=self.complaint_id.id,
        )
        self.complaint_id.message_post(
            body=self.env._("%(points)s goodwill points offered: %(reason)s", points=self.points, reason=self.reason),
            subtype_xmlid="mail.mt_note",
        )
        return {"type": "ir.actions.act_window_close"}
