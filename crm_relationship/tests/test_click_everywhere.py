import unittest

import odoo.tests
from odoo.tests import new_test_user

CLICKBOT = (
    "odoo.loader.modules.get('@web/webclient/clickbot/clickbot_loader')"
    ".startClickEverywhere('crm_relationship.menu_relationship_root');"
)


@odoo.tests.tagged("post_install", "-at_install")
class TestClickEverywhere(odoo.tests.HttpCase):
    """Odoo's clickbot over the Relationship app: every menu, view and filter opens without an error.

    It needs the demo data, so that lists, graphs and forms have records to show; setup/test runs it on
    a database of its own installed with demo data.
    """

    @classmethod
    def setUpClass(cls):
        super().setUpClass()
        if not cls.env.ref("base.module_base").demo:
            raise unittest.SkipTest("the clickbot runs on a database with demo data")
        cls.relationship_user = new_test_user(
            cls.env,
            "click_relationship_user",
            groups="crm_relationship.group_relationship_user",
            name="Click Relationship User",
        )
        cls.relationship_manager = new_test_user(
            cls.env,
            "click_relationship_manager",
            groups="crm_relationship.group_relationship_manager",
            name="Click Relationship Manager",
        )
        # The onboarding tours would cover the buttons the clickbot presses.
        if "tour_enabled" in cls.env["res.users"]._fields:
            (cls.env.ref("base.user_admin") | cls.relationship_user | cls.relationship_manager).tour_enabled = False

    def _click_everywhere(self, login):
        self.browser_js(
            "/odoo",
            CLICKBOT,
            "odoo.isReady === true",
            login=login,
            timeout=600,
            success_signal="clickbot test succeeded",
        )

    def test_click_everywhere_as_admin(self):
        self._click_everywhere("admin")

    def test_click_everywhere_as_relationship_manager(self):
        self._click_everywhere(self.relationship_manager.login)

    def test_click_everywhere_as_relationship_user(self):
        self._click_everywhere(self.relationship_user.login)
