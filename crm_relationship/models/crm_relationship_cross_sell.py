import logging
from datetime import timedelta

from odoo import api, fields, models
from odoo.tools import split_every

from .crm_relationship_outreach import OutreachResult

_logger = logging.getLogger(__name__)


class CrmRelationshipCrossSell(models.AbstractModel):
    """The follow-up email after delivery: the customer's next best products, once per order, through the
    outbound policy (marketing consent by email, Do Not Contact, blacklist, contact window).

    Every order the job looks at is marked (``sale.order.rel_cross_sell_sent_on``) in the transaction that
    sends, schedules or skips it, so a run stopped halfway and started again handles the rest only.
    """

    _name = "crm.relationship.cross.sell"
    _description = "Cross-Sell Follow-Up"

    @api.model
    def _settings(self):
        """Whether the follow-up is on, the days after delivery, and since when it is on."""
        params = self.env["ir.config_parameter"].sudo()
        enabled = params.get_param("crm_relationship.cross_sell_followup") in ("True", "1")
        delay = int(params.get_param("crm_relationship.cross_sell_delay_days", 3) or 0)
        since = params.get_param("crm_relationship.cross_sell_since")
        return enabled, max(delay, 0), fields.Datetime.to_datetime(since) if since else None

    @api.model
    def _due_order_ids(self, now):
        """Confirmed orders delivered at least the delay ago (and since the follow-up was switched on) and not
        followed up yet: the newest order of each customer first."""
        enabled, delay, since = self._settings()
        if not enabled:
            return []
        self.env.flush_all()
        self.env.cr.execute(
            """
            SELECT so.id
              FROM sale_order so
              JOIN res_partner p ON p.id = so.partner_id
             WHERE so.state = 'sale' AND so.rel_cross_sell_sent_on IS NULL
               AND so.rel_delivered_on <= %(until)s AND so.rel_delivered_on >= %(since)s
          ORDER BY p.commercial_partner_id, so.rel_delivered_on DESC, so.id DESC
            """,
            {"until": now - timedelta(days=delay), "since": since or now - timedelta(days=delay)},
        )
        return [row[0] for row in self.env.cr.fetchall()]

    @api.model
    def _send_followups(self, orders, result, seen, now):
        """Send (or schedule, or skip with its reason) the follow-up of ``orders``, one per customer entity
        (``seen`` holds the entities already followed up in this run), and mark them all handled."""
        todo = orders.browse()
        # sudo: the job reads the recommendations of the customers it writes to, as their order page does
        recommendations = (
            self.env["crm.relationship.recommendation"]
            .sudo()
            .search([("partner_id", "in", orders.partner_id.commercial_partner_id.ids)])
            .grouped("partner_id")
        )
        for order in orders:
            entity = order.partner_id.commercial_partner_id
            if entity.id in seen:
                result.skip("same_customer")
            elif not order._rel_offerable(recommendations.get(entity, self.env["crm.relationship.recommendation"])):
                result.skip("no_recommendation")
            else:
                seen.add(entity.id)
                todo |= order
        if todo:
            plan = self.env["crm.relationship.outreach"]._plan(todo.partner_id, "marketing", now=now, calls=False)
            template = self.env.ref("crm_relationship.mail_template_cross_sell_followup", raise_if_not_found=False)
            self.env["crm.relationship.outreach"]._deliver(
                todo,
                plan,
                template,
                result,
                call_summary=lambda env: env._("Follow up with recommended products"),
                now=now,
            )
        # SQL: a date the job keeps for itself, written on confirmed (maybe locked) orders without their
        # write() side effects
        self.env.cr.execute("UPDATE sale_order SET rel_cross_sell_sent_on = %s WHERE id = ANY(%s)", [now, orders.ids])
        orders.invalidate_recordset(["rel_cross_sell_sent_on"])

    @api.model
    def _cron_send_followups(self, now=None, batch_size=200):
        """Follow up the orders delivered the set number of days ago with the customer's recommended products."""
        now = now or fields.Datetime.now()
        order_ids = self._due_order_ids(now)
        result = OutreachResult(self.env)
        seen = set()
        remaining = len(order_ids)
        for batch in split_every(batch_size, order_ids):
            self._send_followups(self.env["sale.order"].browse(batch), result, seen, now)
            remaining -= len(batch)
            if self.env.context.get("ir_cron_progress_id"):
                self.env["ir.cron"]._commit_progress(len(batch), remaining=remaining)
        _logger.info("Cross-sell follow-ups: %s", result.message())
        return result
