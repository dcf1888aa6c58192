from odoo.tests import TransactionCase, tagged


@tagged("post_install", "-at_install")
class TestLoyaltyInstall(TransactionCase):
    def test_menu_under_relationship_app(self):
        menu = self.env.ref("crm_loyalty.menu_relationship_loyalty")
        self.assertEqual(menu.parent_id, self.env.ref("crm_relationship.menu_relationship_root"))
