from datetime import datetime, time, timedelta

import pytz

from odoo import fields
from odoo.fields import Command
from odoo.tests import TransactionCase, tagged

from .common_cross_sell import CrossSellMixin

PARIS = pytz.timezone("Europe/Paris")


def monday_7_utc_after(moment):
    """The first Monday at 07:00 UTC (08:00 or 09:00 in Paris) after ``moment``."""
    day = moment.date() + timedelta(days=1)
    while day.weekday() != 0:
        day += timedelta(days=1)
    return datetime.combine(day, time(7, 0))


@tagged("post_install", "-at_install")
class TestCrossSellFollowUp(CrossSellMixin, TransactionCase):
    """After delivery, the customer gets their recommended products by email once per order, under the
    outbound policy: marketing consent by email, Do Not Contact, blacklist, contact window."""

    @classmethod
    def setUpClass(cls):
        super().setUpClass()
        cls.setup_cross_sell()
        weekday = {day.sequence: day for day in cls.env["crm.relationship.weekday"].search([])}
        cls.consenting, cls.windowed, cls.silent, cls.do_not_contact = cls.lamp_buyers
        cls.blacklisted = cls.chair_buyers[0]
        cls.nothing_to_offer = cls.chair_buyers[1]
        for partner in cls.lamp_buyers | cls.blacklisted | cls.nothing_to_offer:
            if partner != cls.silent:
                partner._rel_set_consent("email", "marketing", True, "backoffice")
        cls.windowed.write(
            {
                "tz": "Europe/Paris",
                "rel_contact_window_weekday_ids": [Command.set([weekday[2].id])],
                "rel_contact_window_start": 9.0,
                "rel_contact_window_end": 12.0,
            }
        )
        cls.do_not_contact.rel_preferred_contact_channel = "none"
        cls.env["mail.blacklist"]._add(cls.blacklisted.email)
        for partner in cls.lamp_buyers:
            cls.recommend(partner, cls.chair)
        cls.recommend(cls.blacklisted, cls.lamp)
        # Only the desk is recommended, and it is on the order: nothing to offer.
        cls.recommend(cls.nothing_to_offer, cls.desk, anchor=cls.chair)

    def _enable(self, delay=3):
        settings = (
            self.env["res.config.settings"]
            .with_user(self.settings_admin)
            .create({"rel_cross_sell_followup": True, "rel_cross_sell_delay_days": delay})
        )
        settings.execute()

    def _deliver(self, orders, when):
        for line in orders.order_line:
            line.qty_delivered = line.product_uom_qty
        self.assertTrue(all(orders.mapped("rel_delivered_on")))
        orders.rel_delivered_on = when

    def _followed_up_mails(self, orders):
        return self.env["mail.mail"].search([("model", "=", "sale.order"), ("res_id", "in", orders.ids)])

    def test_followup_respects_the_policy_and_counts_skips(self):
        self._enable()
        since = fields.Datetime.to_datetime(
            self.env["ir.config_parameter"].sudo().get_param("crm_relationship.cross_sell_since")
        )
        now = monday_7_utc_after(since + timedelta(days=4))
        orders = self.env["sale.order"].browse([self.orders[p].id for p in self.lamp_buyers | self.chair_buyers[:2]])
        self._deliver(orders, since + timedelta(hours=1))
        second = self._order(self.consenting, 1, [self.paper])
        self._deliver(second, since + timedelta(hours=2))
        not_yet = self.orders[self.chair_buyers[2]]
        self._deliver(not_yet, now - timedelta(days=1))
        before = self._order(self.chair_paper_buyer, 1, [self.paper])
        self._deliver(before, since - timedelta(days=1))

        result = self.env["crm.relationship.cross.sell"]._cron_send_followups(now=now)

        self.assertEqual((result.sent, result.scheduled, result.calls), (1, 1, 0))
        self.assertEqual(
            dict(result.skipped),
            {
                "no_consent": 1,
                "do_not_contact": 1,
                "blacklisted": 1,
                "no_recommendation": 1,
                "same_customer": 1,
            },
        )
        self.assertIn("nothing to recommend", result.message())
        sent = self._followed_up_mails(self.orders[self.consenting] | second)
        self.assertEqual(len(sent), 1)
        self.assertEqual(sent.res_id, second.id, "the newest delivered order of the customer is followed up")
        self.assertFalse(sent.scheduled_date)
        self.assertIn("Customers who bought Oak Desk also bought Swivel Chair.", sent.body_html)
        self.assertIn(second.get_portal_url(), sent.body_html)
        scheduled = self._followed_up_mails(self.orders[self.windowed])
        wednesday_9 = PARIS.localize(datetime.combine(now.date() + timedelta(days=2), time(9, 0)))
        self.assertEqual(scheduled.scheduled_date, wednesday_9.astimezone(pytz.utc).replace(tzinfo=None))
        skipped = self.orders[self.silent] | self.orders[self.do_not_contact] | self.orders[self.blacklisted]
        self.assertFalse(self._followed_up_mails(skipped | not_yet | before))
        self.assertTrue(all((orders | second).mapped("rel_cross_sell_sent_on")))
        self.assertFalse(not_yet.rel_cross_sell_sent_on or before.rel_cross_sell_sent_on)

        # Once per order: a second run sends nothing again.
        again = self.env["crm.relationship.cross.sell"]._cron_send_followups(now=now)
        self.assertEqual((again.sent, again.scheduled, sum(again.skipped.values())), (0, 0, 0))
        self.assertEqual(len(self._followed_up_mails(orders | second)), 2)

    def test_nothing_goes_out_while_switched_off(self):
        order = self.orders[self.consenting]
        now = fields.Datetime.now()
        self._deliver(order, now - timedelta(days=5))
        result = self.env["crm.relationship.cross.sell"]._cron_send_followups(now=now)
        self.assertEqual((result.sent, result.scheduled), (0, 0))
        self.assertFalse(order.rel_cross_sell_sent_on)
        self.assertFalse(self._followed_up_mails(order))

    def test_switching_off_and_on_starts_again_from_now(self):
        self._enable()
        params = self.env["ir.config_parameter"].sudo()
        self.assertTrue(params.get_param("crm_relationship.cross_sell_since"))
        settings = (
            self.env["res.config.settings"].with_user(self.settings_admin).create({"rel_cross_sell_followup": False})
        )
        settings.execute()
        self.assertFalse(params.get_param("crm_relationship.cross_sell_since"))

    def test_delivery_date_follows_the_delivered_quantities(self):
        order = self.orders[self.consenting].with_user(self.other_salesperson)
        self.assertFalse(order.rel_delivered_on)
        order.order_line[0].qty_delivered = 1
        self.assertFalse(order.rel_delivered_on, "one line of two delivered")
        order.order_line[1].qty_delivered = 1
        self.assertTrue(order.rel_delivered_on)
