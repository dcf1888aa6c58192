from odoo.addons.crm_relationship.tests.common_roles import RolesMixin
from odoo.exceptions import AccessError
from odoo.tests import tagged

from .common import LoyaltyCase


@tagged("post_install", "-at_install")
class TestGoodwillCap(RolesMixin, LoyaltyCase):
    """Goodwill above the cap, or a second offer on one complaint, is a relationship manager's call."""

    @classmethod
    def setUpClass(cls):
        super().setUpClass()
        cls.setup_roles()
        cls.env["ir.config_parameter"].sudo().set_param("crm_loyalty.engagement_program_id", cls.program.id)
        cls.complaint = cls.env["crm.complaint"].create(
            {"subject": "Broken teapot", "partner_id": cls.customer.id, "severity": "normal"}
        )

    def _offer(self, user, points):
        wizard = (
            self.env["crm.loyalty.goodwill"]
            .with_user(user)
            .with_context(default_complaint_id=self.complaint.id)
            .create({"points": points, "reason": "Sorry"})
        )
        return wizard.action_confirm()

    def _goodwill(self):
        return self.env["loyalty.history"].search(
            [("rel_complaint_id", "=", self.complaint.id), ("rel_movement_type", "=", "goodwill")]
        )

    def _points(self):
        card = self._card()
        card.invalidate_recordset()
        return card.points if card else 0.0

    def test_default_cap(self):
        self.assertEqual(self.env["ir.config_parameter"].sudo().get_param("crm_loyalty.goodwill_max_points"), "500")
        settings = self.env["res.config.settings"].create({})
        self.assertEqual(settings.rel_goodwill_max_points, 500)

    def test_relationship_user_within_the_cap_once(self):
        with self.assertRaises(AccessError):
            self._offer(self.relationship_user, 1_000_000_000)
        self.assertFalse(self._goodwill(), "nothing was given above the cap")
        self.assertEqual(self._points(), 0)
        self.assertFalse(self.complaint.message_ids.filtered(lambda m: "goodwill" in (m.body or "")))

        self._offer(self.relationship_user, 500)
        self.assertEqual(self._goodwill().issued, 500)
        self.assertEqual(self._points(), 500)

        with self.assertRaises(AccessError):
            self._offer(self.relationship_user, 10)
        self.assertEqual(len(self._goodwill()), 1, "a second offer on the same complaint was refused")
        self.assertEqual(self._points(), 500)
        self.assertLedgerBalanced(self._card())

    def test_manager_above_the_cap_and_again(self):
        self._offer(self.relationship_manager, 2000)
        self._offer(self.relationship_manager, 300)
        self.assertEqual(sorted(self._goodwill().mapped("issued")), [300, 2000])
        self.assertEqual(self._points(), 2300)
        self.assertLedgerBalanced(self._card())

    def test_cap_follows_the_setting(self):
        self.env["ir.config_parameter"].sudo().set_param("crm_loyalty.goodwill_max_points", 50)
        with self.assertRaises(AccessError):
            self._offer(self.relationship_user, 60)
        self.assertFalse(self._goodwill())
        self._offer(self.relationship_user, 50)
        self.assertEqual(self._points(), 50)
