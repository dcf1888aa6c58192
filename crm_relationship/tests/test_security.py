from odoo.tests import TransactionCase, new_test_user, tagged


@tagged("post_install", "-at_install")
class TestRelationshipGroups(TransactionCase):
    def test_manager_implies_user(self):
        manager = new_test_user(self.env, "rel_mgr", groups="crm_relationship.group_relationship_manager")
        self.assertTrue(manager.has_group("crm_relationship.group_relationship_user"))
        self.assertTrue(manager.has_group("sales_team.group_sale_salesman"))

    def test_app_menu_visible_to_users_only(self):
        menu = self.env.ref("crm_relationship.menu_relationship_root")
        user = new_test_user(self.env, "rel_user", groups="crm_relationship.group_relationship_user")
        employee = new_test_user(self.env, "rel_employee", groups="base.group_user")
        visible = self.env["ir.ui.menu"].with_user(user)._visible_menu_ids()
        self.assertIn(menu.id, visible)
        hidden = self.env["ir.ui.menu"].with_user(employee)._visible_menu_ids()
        self.assertNotIn(menu.id, hidden)
