from collections import defaultdict

from odoo import api, models
from odoo.tools import float_is_zero

from .ledger_flags import LEDGER_RESYNC


class SaleOrderLine(models.Model):
    """Reward lines changed on a confirmed order: sale_loyalty moves the card's points by hand; on ledger
    cards the ledger records each change as a movement instead and resyncs the balance from it."""

    _inherit = "sale.order.line"

    def _rel_ledger_costs(self):
        """Points cost per (order, ledger card) of these lines of confirmed orders."""
        costs = defaultdict(float)
        for line in self:
            if line.state == "sale" and line.coupon_id and line.points_cost and line.coupon_id._rel_ledger_cards():
                costs[line.order_id, line.coupon_id] += line.points_cost
        return costs

    @api.model_create_multi
    def create(self, vals_list):
        # sale_loyalty takes the points off the card (left to the ledger, see loyalty.card.write) and
        # records the movement through sale.order._update_loyalty_history.
        return super(SaleOrderLine, self.with_context(rel_resync=LEDGER_RESYNC)).create(vals_list)

    def write(self, vals):
        if "points_cost" not in vals and "coupon_id" not in vals:
            return super().write(vals)
        before = self._rel_ledger_costs()
        result = super(SaleOrderLine, self.with_context(rel_resync=LEDGER_RESYNC)).write(vals)
        after = self._rel_ledger_costs()
        self._rel_record_cost_changes(before, after)
        return result

    def unlink(self):
        orders = self.order_id
        reward_keys = {(line.reward_id, line.coupon_id, line.reward_identifier_code) for line in self if line.reward_id}
        # sale_loyalty removes a reward's sibling lines with it
        removed = self | orders.order_line.filtered(
            lambda line: (line.reward_id, line.coupon_id, line.reward_identifier_code) in reward_keys
        )
        before = removed._rel_ledger_costs()
        result = super(SaleOrderLine, self.with_context(rel_resync=LEDGER_RESYNC)).unlink()
        self._rel_record_cost_changes(before, {})
        return result

    @api.model
    def _rel_record_cost_changes(self, before, after):
        """One movement per order and card for the points its reward lines now cost more (spent) or less
        (given back, as a lot of its own)."""
        for order, card in before.keys() | after.keys():
            given_back = before.get((order, card), 0.0) - after.get((order, card), 0.0)
            if float_is_zero(given_back, precision_digits=2):
                continue
            values = {"order_model": order._name, "order_id": order.id}
            if given_back > 0:
                values["rel_points_remaining"] = given_back
            card._rel_add_movement("spent", given_back, self.env._("Order %s", order.display_name), **values)
