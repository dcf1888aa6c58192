from odoo.addons.crm_relationship.tests.common_roles import RolesMixin, anonymise
from odoo.exceptions import UserError
from odoo.tests import TransactionCase, tagged


@tagged("post_install", "-at_install")
class TestPrivacyRoles(RolesMixin, TransactionCase):
    """Erasure as it happens: the customer asks from the portal, a Relationship Manager anonymises.

    Anonymisation itself and who may do it are crm_relationship's (test_roles_anonymise).
    """

    @classmethod
    def setUpClass(cls):
        super().setUpClass()
        cls.setup_roles()
        # As the portal's erasure route does it for the logged-in customer.
        cls.portal_partner.sudo()._rel_request_erasure(cls.portal_user)
        cls.activity_type = cls.env.ref("crm_cmr_portal.mail_activity_type_erasure")

    def _erasure_tasks(self):
        self.portal_partner.invalidate_recordset()
        return self.portal_partner.activity_ids.filtered(lambda a: a.activity_type_id == self.activity_type)

    def test_anonymising_completes_the_erasure_request(self):
        self.assertTrue(self._erasure_tasks())
        anonymise(self.portal_partner, self.relationship_manager)
        self.assertTrue(self.portal_partner.sudo().rel_anonymised_on)
        self.assertFalse(self._erasure_tasks(), "the manager's task goes with the erasure")

    def test_a_refused_anonymisation_leaves_the_request_open(self):
        tasks = self._erasure_tasks()
        for user in (self.relationship_user, self.salesperson, self.portal_user):
            with self.subTest(user=user.login), self.assertRaises(UserError):
                self.portal_partner.with_user(user).action_rel_anonymise()
        self.assertEqual(self._erasure_tasks(), tasks)
        self.assertFalse(self.portal_partner.sudo().rel_anonymised_on)
