from odoo import models

from .ledger_flags import LEDGER_CANCEL


class SaleOrderCouponPoints(models.Model):
    _inherit = "sale.order.coupon.points"

    def unlink(self):
        """sale_loyalty removes a cancelled order's point entries as whoever cancels it, while it lets
        salespeople only read them: on ledger cards the ledger has already reversed the order's movements,
        so their entries are removed as superuser for a user who may cancel the order."""
        if self.env.su or self.env.context.get("rel_cancelling") is not LEDGER_CANCEL:
            return super().unlink()
        ledger = self.filtered(lambda entry: entry.order_id.state == "cancel" and entry.coupon_id._rel_ledger_cards())
        if ledger:
            # sudo: see the docstring; only entries of orders the caller has just cancelled
            super(SaleOrderCouponPoints, ledger.sudo()).unlink()
        rest = self - ledger
        return super(SaleOrderCouponPoints, rest).unlink() if rest else True
