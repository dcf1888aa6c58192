from odoo.exceptions import UserError
from odoo.tests import new_test_user, tagged

from .common import LoyaltyCase


@tagged("post_install", "-at_install")
class TestReferralSignup(LoyaltyCase):
    @classmethod
    def setUpClass(cls):
        super().setUpClass()
        cls.salesman = new_test_user(cls.env, "ref_sales", groups="sales_team.group_sale_salesman")
        cls.customer.user_id = cls.salesman
        cls.code = cls.customer._rel_get_referral_code()

    def _friend(self, name="Fred Friend"):
        """A partner as the signup creates it, handled as its new portal user."""
        user = new_test_user(self.env, name.split()[0].lower(), groups="base.group_portal", name=name)
        return user.partner_id.with_user(user)

    def test_signup_through_a_referral_link_becomes_a_lead(self):
        friend = self._friend()
        lead = friend._rel_register_referral(self.code, "A quiet <b>espresso</b> machine\nand beans")
        self.assertEqual(friend.sudo().rel_referred_by_id, self.customer)
        lead = lead.sudo()
        self.assertEqual(lead.type, "lead")
        self.assertEqual(lead.partner_id, friend)
        self.assertEqual(lead.name, "Referral: Fred Friend (by Lea Loyal)")
        self.assertEqual(lead.rel_referrer_id, self.customer)
        self.assertEqual(lead.source_id, self.env.ref("crm_loyalty.utm_source_referral"))
        self.assertEqual(lead.source_id.name, "Customer Referral")
        self.assertEqual(lead.user_id, self.salesman, "the referrer's salesperson follows the friend up")
        self.assertIn("&lt;b&gt;espresso&lt;/b&gt;", lead.description, "what they look for is kept as text")
        self.assertNotIn("<b>", lead.description)
        self.assertEqual(self.customer._rel_referral_count(), 1)

        self._friend("Gina Guest")._rel_register_referral(self.code, "")
        self.assertEqual(self.customer._rel_referral_count(), 2)
        self.assertEqual(self.env["res.partner"].create({"name": "Nobody"})._rel_referral_count(), 0)

    def test_referrals_count_for_the_referrer_company(self):
        company = self.env["res.partner"].create({"name": "Tea House", "is_company": True})
        self.customer.parent_id = company
        contact = self.env["res.partner"].create({"name": "Colleague", "parent_id": company.id})
        code = contact._rel_get_referral_code()
        self._friend()._rel_register_referral(code, "Green tea")
        self.assertEqual(contact._rel_referral_count(), 1)
        self.assertEqual(self.customer._rel_referral_count(), 1)

    def test_bad_codes_are_refused_and_change_nothing(self):
        friend = self._friend()
        Lead = self.env["crm.lead"]
        leads = Lead.search_count([])
        for code in ("", None, "not-a-code", friend.sudo()._rel_get_referral_code()):
            with self.subTest(code=code), self.assertRaises(UserError):
                friend._rel_register_referral(code, "anything")
        self.assertFalse(friend.sudo().rel_referred_by_id)
        self.assertEqual(Lead.search_count([]), leads)

    def test_already_referred_by_someone_else(self):
        friend = self._friend()
        other = self.env["res.partner"].create({"name": "Rita Referrer"})
        friend._rel_register_referral(other._rel_get_referral_code(), "")
        with self.assertRaises(UserError):
            friend._rel_register_referral(self.code, "")
        self.assertEqual(friend.sudo().rel_referred_by_id, other)
