from odoo import models


class AccountMove(models.Model):
    _inherit = "account.move"

    def _post(self, soft=True):
        posted = super()._post(soft=soft)
        posted._rel_reverse_credited_points()
        return posted

    def button_draft(self):
        credit_notes = self.filtered(lambda move: move.move_type == "out_refund" and move.state == "posted")
        result = super().button_draft()
        credit_notes._rel_reverse_credited_points()
        return result

    def _rel_reverse_credited_points(self):
        """Take back, pro rata, the points of the orders these credit notes refund.

        The share of an order taken back is what all its posted credit notes refund over its untaxed
        amount, so posting a note takes back its part, resetting it to draft gives that part back, and
        running it again changes nothing.
        """
        for credit_note in self.filtered(lambda move: move.move_type == "out_refund"):
            orders = credit_note.invoice_line_ids.sale_line_ids.order_id.filtered(lambda order: order.state == "sale")
            for order in orders:
                order._rel_reverse_points_share(
                    order._rel_credited_share(),
                    self.env._("Credit note %(note)s on order %(order)s", note=credit_note.name, order=order.name),
                    rel_credit_note_id=credit_note.id,
                )
