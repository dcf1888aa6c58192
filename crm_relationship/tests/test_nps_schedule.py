import logging
from datetime import timedelta

from odoo import Command, fields
from odoo.exceptions import ValidationError
from odoo.tests import TransactionCase, tagged

from .common_roles import RolesMixin

_logger = logging.getLogger(__name__)


@tagged("post_install", "-at_install")
class TestNpsSchedule(RolesMixin, TransactionCase):
    """The NPS survey goes out by itself N days after an invoiced order, at most once per M days."""

    @classmethod
    def setUpClass(cls):
        super().setUpClass()
        cls.setup_roles()
        params = cls.env["ir.config_parameter"]
        params.set_param("crm_relationship.nps_delay_days", 7)
        params.set_param("crm_relationship.nps_interval_days", 90)
        cls.product = cls.env["product.product"].create(
            {"name": "Survey lamp", "type": "service", "invoice_policy": "order", "list_price": 100.0}
        )
        cls.today = fields.Date.today()

    def _customer(self, name, consent=True):
        partner = self.env["res.partner"].create({"name": name, "email": f"{name.lower()}@example.com"})
        if consent:
            partner._set_relationship_consent("email", "surveys", True, "backoffice")
        return partner

    def _invoiced_order(self, partner, days_ago):
        order = self.env["sale.order"].create(
            {
                "partner_id": partner.id,
                "order_line": [Command.create({"product_id": self.product.id, "product_uom_qty": 1})],
            }
        )
        order.action_confirm()
        invoice = order._create_invoices()
        invoice.invoice_date = self.today - timedelta(days=days_ago)
        invoice.action_post()
        return order

    def _surveys(self, partners):
        return self.env["crm.relationship.nps"].search([("partner_id", "in", partners.ids)])

    def test_cron_surveys_once_after_the_delay(self):
        due = self._customer("Dana")
        self._invoiced_order(due, 8)
        too_soon = self._customer("Sonny")
        self._invoiced_order(too_soon, 2)
        recently = self._customer("Rhea")
        self._invoiced_order(recently, 8)
        self.env["crm.relationship.nps"].create(
            {"partner_id": recently.id, "date_sent": fields.Datetime.now() - timedelta(days=10)}
        )
        too_old = self._customer("Olga")
        self._invoiced_order(too_old, 200)
        refused = self._customer("Ralf", consent=False)
        self._invoiced_order(refused, 8)
        quoted = self._customer("Quinn")
        self.env["sale.order"].create({"partner_id": quoted.id})

        Nps = self.env["crm.relationship.nps"]
        result = Nps._cron_send_invitations()
        self.assertEqual((result.sent, result.scheduled, result.calls), (1, 0, 0))
        self.assertEqual(dict(result.skipped), {"no_consent": 1})
        everyone = due | too_soon | recently | too_old | refused | quoted
        self.assertEqual(self._surveys(everyone).partner_id, due | recently)
        mails = self.env["mail.mail"].search([("model", "=", "crm.relationship.nps")])
        self.assertEqual(mails.recipient_ids, due)

        again = Nps._cron_send_invitations()
        self.assertEqual(again.sent, 0, "running twice sends nothing twice")
        self.assertEqual(len(self._surveys(due)), 1)

        # the next order after the interval brings the next survey
        later = fields.Datetime.now() + timedelta(days=100)
        self._invoiced_order(due, -93)
        self.assertEqual(Nps._cron_send_invitations(now=later).sent, 1)
        self.assertEqual(len(self._surveys(due)), 2)

    def test_customer_form_button_and_cron_share_the_interval(self):
        customer = self._customer("Bea")
        customer.with_user(self.relationship_manager).action_rel_send_nps()
        self._invoiced_order(customer, 8)
        result = self.env["crm.relationship.nps"]._cron_send_invitations()
        self.assertEqual(result.sent, 0, "surveyed by hand a moment ago")
        self.assertEqual(len(self._surveys(customer)), 1)

    def test_settings_store_delay_and_interval(self):
        self.env["res.config.settings"].create({"rel_nps_delay_days": 3, "rel_nps_interval_days": 30}).execute()
        self.assertEqual(self.env["crm.relationship.nps"]._survey_settings(), (3, 30))
        with self.assertRaises(ValidationError):
            self.env["res.config.settings"].create({"rel_nps_delay_days": -1, "rel_nps_interval_days": 30})
        self.assertEqual(self.env["crm.relationship.nps"]._survey_settings(), (3, 30))

    def test_cron_queries_do_not_grow_with_the_customers(self):
        """The selection is one query, the policy a few per batch and the mails one batch per moment: the
        run's queries stay about the same from 5 to 20 customers (after a first run warms the caches)."""
        counts = {}
        for size in (1, 5, 20):
            for index in range(size):
                self._invoiced_order(self._customer(f"Q{size}x{index}"), 8)
            self.env.flush_all()
            self.env.invalidate_all()
            before = self.env.cr.sql_log_count
            result = self.env["crm.relationship.nps"]._cron_send_invitations()
            counts[size] = self.env.cr.sql_log_count - before
            self.assertEqual(result.sent, size)
        _logger.info("NPS cron queries: %s for 5 customers, %s for 20", counts[5], counts[20])
        self.assertLess(counts[20] - counts[5], 15)
