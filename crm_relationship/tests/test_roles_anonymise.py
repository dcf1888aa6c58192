from odoo.exceptions import UserError
from odoo.tests import TransactionCase, tagged

from .common_roles import RolesMixin, anonymise


@tagged("post_install", "-at_install")
class TestAnonymiseRoles(RolesMixin, TransactionCase):
    """A Relationship Manager anonymises a customer who asked to be forgotten; nobody else can."""

    @classmethod
    def setUpClass(cls):
        super().setUpClass()
        cls.setup_roles()
        cls.portal_partner.write({"phone": "+32 470 00 00 00", "street": "Rue du Test 1", "city": "Namur"})
        cls.portal_partner._set_relationship_consent("email", "marketing", True, "portal")
        cls.env["crm.relationship.need"].create({"name": "A quieter grinder", "partner_id": cls.portal_partner.id})
        cls.nps = cls.env["crm.relationship.nps"].create({"partner_id": cls.portal_partner.id, "comment": "Mine"})

    def _personal(self):
        self.portal_partner.invalidate_recordset()
        return self.portal_partner.sudo().read(["name", "email", "phone", "street", "city", "rel_anonymised_on"])

    def test_relationship_manager_anonymises(self):
        anonymise(self.portal_partner, self.relationship_manager)
        values = self._personal()[0]
        self.assertFalse(values["email"] or values["phone"] or values["street"] or values["city"])
        self.assertTrue(values["rel_anonymised_on"])
        self.assertFalse(self.portal_user.sudo().active, "the customer's login is archived")
        self.assertNotEqual(self.portal_user.sudo().login, "role_portal", "and its login replaced")
        self.assertFalse(self.portal_partner._has_relationship_consent("email", "marketing"))
        self.assertFalse(self.env["crm.relationship.need"].search([("partner_id", "=", self.portal_partner.id)]))
        self.assertFalse(self.nps.comment)

    def test_others_cannot_anonymise(self):
        before = self._personal()
        # AccessError is a UserError: either refusal will do.
        for user in (self.relationship_user, self.salesperson, self.portal_user, self.other_portal_user):
            with self.subTest(user=user.login), self.assertRaises(UserError):
                self.portal_partner.with_user(user).action_rel_anonymise()
        self.assertEqual(self._personal(), before)
        self.assertTrue(self.portal_user.sudo().active)
        self.assertEqual(self.nps.comment, "Mine")
