from datetime import timedelta

from odoo import Command, fields
from odoo.addons.crm_relationship.tests.common_roles import RolesMixin
from odoo.exceptions import AccessError
from odoo.tests import tagged

from .common import LoyaltyCase

EXPIRING_SUBJECT = "Some of your points expire soon"


@tagged("post_install", "-at_install")
class TestLedgerCommunications(RolesMixin, LoyaltyCase):
    """Tier changes and expiring points are told through the program's configured communications."""

    @classmethod
    def setUpClass(cls):
        super().setUpClass()
        cls.setup_roles()
        cls.program.write({"rel_points_expire": True, "rel_expiry_reminder_days": 14})
        cls.tier_template = cls.env.ref("crm_loyalty.mail_template_tier_change")
        cls.expiry_template = cls.env.ref("crm_loyalty.mail_template_points_expiring")
        cls.today = fields.Date.context_today(cls.env["loyalty.card"])

    def _mails(self, card, subject=None):
        mails = self.env["mail.mail"].search([("model", "=", "loyalty.card"), ("res_id", "=", card.id)])
        return mails.filtered(lambda mail: subject is None or subject in (mail.subject or ""))

    def _communications(self, program):
        return {(c.trigger, c.mail_template_id) for c in program.communication_plan_ids}

    def _new_card(self, partner=None):
        partner = partner or self.env["res.partner"].create({"name": "Ivo Expiring", "email": "ivo@example.com"})
        return self.env["loyalty.card"].create({"program_id": self.program.id, "partner_id": partner.id})

    def test_ledger_program_gets_default_communications(self):
        self.assertEqual(
            self._communications(self.program),
            {("tier_change", self.tier_template), ("points_expiring", self.expiry_template)},
        )
        standard = self.env["loyalty.program"].create({"name": "Standard Card", "program_type": "loyalty"})
        self.assertFalse(standard.rel_ledger)
        self.assertFalse(standard.communication_plan_ids, "a program without ledger keeps Odoo's defaults")

    def test_install_gives_existing_ledger_programs_the_defaults(self):
        self.program.communication_plan_ids.unlink()  # as a ledger program that predates the install
        self.env["loyalty.program"]._rel_install_ledger_defaults()
        self.assertEqual(
            self._communications(self.program),
            {("tier_change", self.tier_template), ("points_expiring", self.expiry_template)},
        )

    def test_first_tier_added_by_relationship_manager_adds_defaults_once(self):
        program = self.env["loyalty.program"].create(
            {"name": "Later Ledger", "program_type": "loyalty", "applies_on": "both"}
        )
        Tier = self.env["crm.loyalty.tier"].with_user(self.relationship_manager)
        Tier.create({"name": "Silver", "program_id": program.id, "threshold": 100})
        self.assertTrue(program.rel_ledger)
        self.assertEqual(
            self._communications(program),
            {("tier_change", self.tier_template), ("points_expiring", self.expiry_template)},
        )
        # The admin decides: a communication removed stays removed.
        tier_change = program.communication_plan_ids.filtered(lambda c: c.trigger == "tier_change")
        program.with_user(self.sales_manager).write({"communication_plan_ids": [Command.delete(tier_change.id)]})
        Tier.create({"name": "Gold", "program_id": program.id, "threshold": 500})
        program.with_user(self.sales_manager).write({"rel_tier_grace_days": 10})
        self.assertEqual(self._communications(program), {("points_expiring", self.expiry_template)})

    def test_tier_change_mail_only_when_configured(self):
        self.env["crm.loyalty.tier"].create({"name": "Silver", "program_id": self.program.id, "threshold": 150})
        self.program.communication_plan_ids.filtered(lambda c: c.trigger == "tier_change").unlink()
        self._order(qty=2)
        card = self._card()
        self.assertEqual(card.rel_tier_id.name, "Silver", "the tier changes")
        self.assertFalse(self._mails(card, "Silver"), "no tier change communication configured: no mail")

    def test_missed_day_still_reminds_once(self):
        card = self._new_card()
        card._rel_add_movement("adjusted", 40, "Lot A", rel_expiry_date=self.today + timedelta(days=10))
        card._rel_add_movement("adjusted", 30, "Lot B", rel_expiry_date=self.today + timedelta(days=12))
        later = card._rel_add_movement("adjusted", 20, "Lot C", rel_expiry_date=self.today + timedelta(days=40))
        Card = self.env["loyalty.card"]
        # The run 14 days before lot A's expiry was missed: the lots inside the window are reminded today.
        Card._cron_remind_expiring_points(today=self.today)
        self.assertEqual(len(self._mails(card, EXPIRING_SUBJECT)), 1, "one mail per card, for both lots")
        reminded = card.history_ids.filtered("rel_reminded_date")
        self.assertEqual(set(reminded.mapped("description")), {"Lot A", "Lot B"})
        self.assertFalse(later.rel_reminded_date, "lot C is not in the window yet")
        Card._cron_remind_expiring_points(today=self.today)
        Card._cron_remind_expiring_points(today=self.today + timedelta(days=1))
        self.assertEqual(len(self._mails(card, EXPIRING_SUBJECT)), 1, "a second run sends nothing more")
        Card._cron_remind_expiring_points(today=self.today + timedelta(days=30))
        self.assertEqual(len(self._mails(card, EXPIRING_SUBJECT)), 2, "lot C entering the window is reminded")
        self.assertEqual(later.rel_reminded_date, self.today + timedelta(days=30))

    def test_no_expiry_communication_no_reminder(self):
        card = self._new_card()
        lot = card._rel_add_movement("adjusted", 40, "Lot A", rel_expiry_date=self.today + timedelta(days=3))
        self.program.communication_plan_ids.filtered(lambda c: c.trigger == "points_expiring").unlink()
        self.env["loyalty.card"]._cron_remind_expiring_points(today=self.today)
        self.assertFalse(self._mails(card, EXPIRING_SUBJECT))
        self.assertFalse(lot.rel_reminded_date, "not marked: configuring the communication later still reminds")

    def test_salesperson_cannot_mark_a_lot_reminded(self):
        card = self._new_card()
        lot = card._rel_add_movement("adjusted", 40, "Lot A", rel_expiry_date=self.today + timedelta(days=3))
        with self.assertRaises(AccessError):
            lot.with_user(self.salesperson).write({"rel_reminded_date": self.today})
        lot.invalidate_recordset()
        self.assertFalse(lot.rel_reminded_date, "the lot is unchanged")
        self.env["loyalty.card"]._cron_remind_expiring_points(today=self.today)
        self.assertEqual(len(self._mails(card, EXPIRING_SUBJECT)), 1)
