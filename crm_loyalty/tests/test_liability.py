from odoo.addons.crm_relationship.tests.common_roles import RolesMixin
from odoo.tests import tagged

from .common import LoyaltyCase


@tagged("post_install", "-at_install")
class TestLiability(RolesMixin, LoyaltyCase):
    """The points liability is an amount in the program's currency, as Odoo shows amounts."""

    @classmethod
    def setUpClass(cls):
        super().setUpClass()
        cls.setup_roles()
        cls.program.rel_point_value = 0.05

    def test_manager_reads_liability_in_the_program_currency(self):
        self._order(qty=3)  # 300 points
        program = self.program.with_user(self.relationship_manager)
        self.assertAlmostEqual(program.rel_points_liability, 15.0)
        description = program.fields_get(["rel_points_liability"], ["type", "currency_field"])
        self.assertEqual(description["rel_points_liability"], {"type": "monetary", "currency_field": "currency_id"})
        self.assertEqual(program.currency_id, self.env.company.currency_id)
        view = program.get_views([(self.env.ref("crm_loyalty.loyalty_program_view_list_liability").id, "list")])
        self.assertIn('widget="monetary"', view["views"]["list"]["arch"])
