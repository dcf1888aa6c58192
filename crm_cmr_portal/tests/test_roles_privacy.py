from odoo.addons.crm_relationship.tests.common_roles import RolesMixin
from odoo.exceptions import UserError
from odoo.tests import TransactionCase, tagged


@tagged("post_install", "-at_install")
class TestPrivacyRoles(RolesMixin, TransactionCase):
    """Erasure as it happens: the customer asks from the portal, a Relationship Manager anonymises."""

    @classmethod
    def setUpClass(cls):
        super().setUpClass()
        cls.setup_roles()
        cls.portal_partner.write({"phone": "+32 470 00 00 00", "street": "Rue du Test 1", "city": "Namur"})
        cls.portal_partner._set_relationship_consent("email", "marketing", True, "portal")
        cls.env["crm.relationship.need"].create({"name": "A quieter grinder", "partner_id": cls.portal_partner.id})
        # As the portal's erasure route does it for the logged-in customer.
        cls.portal_partner.sudo()._cmr_request_erasure(cls.portal_user)

    def _personal(self):
        self.portal_partner.invalidate_recordset()
        return self.portal_partner.sudo().read(["name", "email", "phone", "street", "city", "cmr_anonymised_on"])

    def test_relationship_manager_anonymises(self):
        self.portal_partner.with_user(self.relationship_manager).action_cmr_anonymise()
        values = self._personal()[0]
        self.assertFalse(values["email"] or values["phone"] or values["street"] or values["city"])
        self.assertTrue(values["cmr_anonymised_on"])
        self.assertFalse(self.portal_user.sudo().active, "the customer's login is archived")
        self.assertFalse(self.portal_partner._has_relationship_consent("email", "marketing"))
        self.assertFalse(self.env["crm.relationship.need"].search([("partner_id", "=", self.portal_partner.id)]))

    def test_others_cannot_anonymise(self):
        before = self._personal()
        # AccessError is a UserError: either refusal will do.
        for user in (self.relationship_user, self.salesperson, self.portal_user, self.other_portal_user):
            with self.subTest(user=user.login), self.assertRaises(UserError):
                self.portal_partner.with_user(user).action_cmr_anonymise()
        self.assertEqual(self._personal(), before)
        self.assertTrue(self.portal_user.sudo().active)
