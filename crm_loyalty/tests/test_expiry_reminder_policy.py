from datetime import timedelta

import pytz

from odoo import fields
from odoo.addons.crm_relationship.tests.common_roles import RolesMixin
from odoo.tests import tagged

from .common import LoyaltyCase

EXPIRING_SUBJECT = "Some of your points expire soon"


@tagged("post_install", "-at_install")
class TestExpiryReminderPolicy(RolesMixin, LoyaltyCase):
    """Expiry reminders go through the outbound policy: a service message, once per lot, one mail per card."""

    @classmethod
    def setUpClass(cls):
        super().setUpClass()
        cls.setup_roles()
        cls.program.write({"rel_points_expire": True, "rel_expiry_reminder_days": 14})
        cls.today = fields.Date.context_today(cls.env["loyalty.card"])
        cls.Card = cls.env["loyalty.card"]

    def _card_with_lots(self, partner, *days):
        card = self.Card.create({"program_id": self.program.id, "partner_id": partner.id})
        lots = self.env["loyalty.history"]
        for index, day in enumerate(days):
            lots |= card._rel_add_movement(
                "adjusted", 10 * (index + 1), f"Lot {index}", rel_expiry_date=self.today + timedelta(days=day)
            )
        return card, lots

    def _mails(self, card):
        mails = self.env["mail.mail"].search([("model", "=", "loyalty.card"), ("res_id", "=", card.id)])
        return mails.filtered(lambda mail: EXPIRING_SUBJECT in (mail.subject or ""))

    def test_customer_who_says_do_not_contact_is_skipped_until_reachable(self):
        card, lots = self._card_with_lots(self.portal_partner, 5, 9)
        # the customer's own choice on the portal (the controller writes it this way)
        self.portal_partner.with_user(self.portal_user).sudo()._update_relationship_profile(
            {"rel_preferred_contact_channel": "none"}, "portal"
        )
        result = self.Card._cron_remind_expiring_points(today=self.today)
        self.assertEqual(dict(result.skipped), {"do_not_contact": 1})
        self.assertFalse(self._mails(card))
        self.assertFalse(any(lots.mapped("rel_reminded_date")), "skipped lots are not marked")

        self.portal_partner.with_user(self.portal_user).sudo()._update_relationship_profile(
            {"rel_preferred_contact_channel": "email"}, "portal"
        )
        # a day of the job was missed meanwhile: the lots still in the window are reminded together
        result = self.Card._cron_remind_expiring_points(today=self.today + timedelta(days=2))
        self.assertEqual(result.sent, 1)
        self.assertEqual(len(self._mails(card)), 1, "one mail for both lots")
        self.assertEqual(set(lots.mapped("rel_reminded_date")), {self.today + timedelta(days=2)})
        self.Card._cron_remind_expiring_points(today=self.today + timedelta(days=3))
        self.assertEqual(len(self._mails(card)), 1, "once per lot")

    def test_withdrawn_service_consent_is_respected(self):
        self.portal_partner.with_user(self.portal_user)._set_relationship_consent("email", "service", False, "portal")
        card, lots = self._card_with_lots(self.portal_partner, 3)
        result = self.Card._cron_remind_expiring_points(today=self.today)
        self.assertEqual(dict(result.skipped), {"no_consent": 1})
        self.assertFalse(self._mails(card))
        self.assertFalse(lots.rel_reminded_date)

    def test_reminder_waits_for_the_contact_window_and_phone_customers_get_mail(self):
        shanghai = pytz.timezone("Asia/Shanghai")
        local_today = pytz.utc.localize(fields.Datetime.now()).astimezone(shanghai).date()
        weekday = self.env["crm.relationship.weekday"].search([("sequence", "=", (local_today.weekday() + 2) % 7)])
        windowed = self.env["res.partner"].create(
            {
                "name": "Wendy Window",
                "email": "wendy@example.com",
                "tz": "Asia/Shanghai",
                "rel_contact_window_weekday_ids": [fields.Command.set(weekday.ids)],
                "rel_contact_window_start": 10.0,
                "rel_contact_window_end": 12.0,
            }
        )
        caller = self.env["res.partner"].create(
            {"name": "Pia Phone", "email": "pia@example.com", "phone": "+86 10 1234 5678"}
        )
        caller.rel_preferred_contact_channel = "phone"
        windowed_card, windowed_lots = self._card_with_lots(windowed, 4)
        caller_card, _caller_lots = self._card_with_lots(caller, 4)
        result = self.Card._cron_remind_expiring_points(today=self.today)
        self.assertEqual((result.sent, result.scheduled, result.calls), (1, 1, 0))
        mail = self._mails(windowed_card)
        local = pytz.utc.localize(mail.scheduled_date).astimezone(shanghai)
        self.assertEqual((local.weekday(), local.hour), (weekday.sequence, 10))
        self.assertEqual(windowed_lots.rel_reminded_date, self.today, "scheduled counts as reminded")
        self.assertEqual(len(self._mails(caller_card)), 1, "a reminder is not worth a call: emailed")
        self.assertFalse(
            self.env["mail.activity"].search([("res_model", "=", "res.partner"), ("res_id", "=", caller.id)])
        )
