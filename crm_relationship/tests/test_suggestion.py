from odoo.exceptions import AccessError, UserError
from odoo.tests import TransactionCase, new_test_user, tagged


@tagged("post_install", "-at_install")
class TestSuggestion(TransactionCase):
    @classmethod
    def setUpClass(cls):
        super().setUpClass()
        cls.customer = cls.env["res.partner"].create({"name": "Ideas Inc", "is_company": True})
        cls.contact = cls.env["res.partner"].create({"name": "Ida", "parent_id": cls.customer.id})
        cls.other = cls.env["res.partner"].create({"name": "Someone else"})
        cls.user = new_test_user(cls.env, "sug_user", groups="crm_relationship.group_relationship_user")
        cls.portal_user = new_test_user(cls.env, "sug_portal", groups="base.group_portal", partner_id=cls.contact.id)
        cls.Suggestion = cls.env["crm.relationship.suggestion"]

    def _suggestion(self, **values):
        vals = {"name": "Deliver on Saturdays", "partner_id": self.contact.id}
        vals.update(values)
        return self.Suggestion.with_user(self.user).create(vals)

    def test_accept(self):
        suggestion = self._suggestion()
        suggestion.action_start_review()
        self.assertEqual(suggestion.state, "under_review")
        suggestion.action_accept()
        self.assertEqual(suggestion.state, "accepted")
        self.assertTrue(suggestion.date_decision)
        self.assertIn(self.contact, suggestion.message_partner_ids)
        with self.assertRaises(UserError):
            suggestion.action_decline()

    def test_decline_needs_an_answer(self):
        suggestion = self._suggestion(suggestion_type="product")
        with self.assertRaises(UserError):
            suggestion.action_decline()
        suggestion.company_answer = "<p>Our carrier does not work on Saturdays.</p>"
        suggestion.action_decline()
        self.assertEqual(suggestion.state, "declined")
        with self.assertRaises(UserError):
            suggestion.action_accept()

    def test_portal_reads_and_creates_own_only(self):
        own = self._suggestion(partner_id=self.customer.id)
        foreign = self._suggestion(partner_id=self.other.id)
        visible = self.Suggestion.with_user(self.portal_user).search([])
        self.assertIn(own, visible)
        self.assertNotIn(foreign, visible)
        created = self.Suggestion.with_user(self.portal_user).create(
            {"name": "Gift wrap", "partner_id": self.contact.id}
        )
        self.assertEqual(created.sudo().commercial_partner_id, self.customer)
        with self.assertRaises(AccessError):
            self.Suggestion.with_user(self.portal_user).create({"name": "x", "partner_id": self.other.id})
        with self.assertRaises(AccessError):
            own.with_user(self.portal_user).action_accept()
