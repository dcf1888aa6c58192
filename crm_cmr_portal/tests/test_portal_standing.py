from odoo.addons.crm_relationship.tests.common_figures import write_figures
from odoo.exceptions import AccessError
from odoo.tests import tagged

from .common import RolesPortalCase

STANDING = "Where you stand with us"
PLAIN = "You were one of our best customers, and we have not seen you for a while: we miss you."


@tagged("post_install", "-at_install")
class TestPortalStanding(RolesPortalCase):
    """The customer reads a plain-language sentence about their own segment and tier progress on My
    Relationship only where Settings allow it; the internal scores never reach the portal."""

    @classmethod
    def setUpClass(cls):
        super().setUpClass()
        # As the nightly analysis would write them (superuser: the fixture only).
        write_figures(
            cls.portal_partner,
            {
                "rel_rfm_segment": "cannot_lose",
                "rel_lifecycle_stage": "at_risk",
                "rel_loyalty_quadrant": "spurious",
                "rel_rfm_r_score": 2,
                "rel_clv_probability_alive": 0.37,
                "rel_health": 41.0,
                "rel_lifetime_value": 8910.0,
                "rel_value_rank": 0.93,
                "rel_company_id": cls.env.company.id,
            },
        )
        write_figures(cls.other_portal_partner, {"rel_rfm_segment": "champions", "rel_company_id": cls.env.company.id})
        cls.settings_admin = cls.env.ref("base.user_admin")

    def _allow(self, allowed):
        self.env["res.config.settings"].with_user(self.settings_admin).create(
            {"rel_portal_show_standing": allowed}
        ).execute()

    def _page(self, user):
        self.login(user)
        response = self.url_open("/my/relationship")
        self.assertEqual(response.status_code, 200)
        return response.text

    def assert_no_internal_scores(self, text):
        for shown in ("Cannot Lose", "At Risk", "Spurious", "8,910", "37%", "93%", "R 2", "Lifetime"):
            self.assertNotIn(shown, text)

    def test_nothing_about_the_segment_by_default(self):
        text = self._page(self.portal_user)
        self.assertNotIn(STANDING, text)
        self.assertNotIn(PLAIN, text)
        self.assert_no_internal_scores(text)

    def test_plain_segment_when_settings_allow_it(self):
        self._allow(True)
        text = self._page(self.portal_user)
        self.assertIn(STANDING, text)
        self.assertIn(PLAIN, text)
        self.assert_no_internal_scores(text)
        # Each customer reads their own.
        other = self._page(self.other_portal_user)
        self.assertIn("You are one of our most loyal customers", other)
        self.assertNotIn(PLAIN, other)

    def test_switched_off_again_hides_it(self):
        self._allow(True)
        self._allow(False)
        text = self._page(self.portal_user)
        self.assertNotIn(STANDING, text)
        self.assert_no_internal_scores(text)

    def test_tier_progress_is_told_in_words(self):
        self._allow(True)
        tier = self.env["crm.loyalty.tier"].create(
            {"name": "Gold (test)", "program_id": self.program.id, "threshold": 1000000}
        )
        text = self._page(self.portal_user)
        self.assertIn(f"to reach {tier.name}", text)

    def test_only_an_administrator_changes_the_setting(self):
        for user in (self.salesperson, self.relationship_user, self.relationship_manager, self.portal_user):
            with self.subTest(user=user.login), self.assertRaises(AccessError):
                self.env["res.config.settings"].with_user(user).create({"rel_portal_show_standing": True}).execute()
        self.assertFalse(self.env["ir.config_parameter"].sudo().get_param("crm_cmr_portal.show_standing"))
