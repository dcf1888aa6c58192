from odoo.exceptions import AccessError
from odoo.tests import TransactionCase, tagged

from .common_roles import RolesMixin

# Settings whose zero is an answer of its own, and the default it must not fall back to.
ZEROS = {
    "rel_cross_sell_delay_days": ("crm_relationship.cross_sell_delay_days", 3),
    "rel_nps_delay_days": ("crm_relationship.nps_delay_days", 7),
    "rel_health_weight_complaints": ("crm_relationship.health_weight_complaints", 15),
    "rel_retention_value_top_percent": ("crm_relationship.retention_value_top_percent", 20),
    "rel_value_discount_rate": ("crm_relationship.value_discount_rate", 10.0),
    "rel_goodwill_max_points": ("crm_loyalty.goodwill_max_points", 500),
}


@tagged("post_install", "-at_install")
class TestSettings(RolesMixin, TransactionCase):
    """What an administrator saves in Settings is what the features read, zero included."""

    @classmethod
    def setUpClass(cls):
        super().setUpClass()
        cls.setup_roles()

    def _zeros(self):
        Settings = self.env["res.config.settings"]
        return {name: 0 for name in ZEROS if name in Settings._fields}

    def test_zero_is_saved_as_zero_not_as_the_default(self):
        zeros = self._zeros()
        self.env["res.config.settings"].with_user(self.settings_admin).create(zeros).execute()
        params = self.env["ir.config_parameter"].sudo()
        for name in zeros:
            key, _default = ZEROS[name]
            self.assertEqual(params.get_param(key), "0", name)
        shown = self.env["res.config.settings"].with_user(self.settings_admin).create({})
        for name in zeros:
            self.assertEqual(shown[name], 0, f"{name} reads back as 0 in Settings")
        weights = self.env["crm.relationship.analysis"].create({})._health_weights()
        self.assertEqual(weights[3], 0.0, "complaints weigh nothing in the health score")
        self.assertEqual(self.env["crm.relationship.retention"]._thresholds()[0], 0.0)

    def test_other_values_still_round_trip(self):
        self.env["res.config.settings"].with_user(self.settings_admin).create(
            {"rel_cross_sell_delay_days": 5, "rel_health_weight_complaints": 40}
        ).execute()
        params = self.env["ir.config_parameter"].sudo()
        self.assertEqual(params.get_param("crm_relationship.cross_sell_delay_days"), "5")
        self.assertEqual(params.get_param("crm_relationship.health_weight_complaints"), "40")

    def test_a_relationship_manager_cannot_save_settings(self):
        params = self.env["ir.config_parameter"].sudo()
        before = params.get_param("crm_relationship.health_weight_complaints")
        with self.assertRaises(AccessError):
            self.env["res.config.settings"].with_user(self.relationship_manager).create(
                {"rel_health_weight_complaints": 0}
            ).execute()
        self.assertEqual(params.get_param("crm_relationship.health_weight_complaints"), before)
