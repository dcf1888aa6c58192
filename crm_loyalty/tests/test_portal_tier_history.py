from odoo.addons.crm_relationship.tests.common_roles import RolesMixin
from odoo.exceptions import AccessError
from odoo.tests import tagged

from .common import LoyaltyCase


@tagged("post_install", "-at_install")
class TestPortalTierHistory(RolesMixin, LoyaltyCase):
    """A portal customer reads the tier changes of their own cards, nobody else's."""

    @classmethod
    def setUpClass(cls):
        super().setUpClass()
        cls.setup_roles()
        cls.env["crm.loyalty.tier"].create({"name": "Silver", "program_id": cls.program.id, "threshold": 150})
        cls.contact = cls.env["res.partner"].create({"name": "Paula's colleague", "parent_id": cls.portal_partner.id})

    def test_own_tier_history_only(self):
        self._order(partner=self.portal_partner, qty=2)
        self._order(partner=self.other_portal_partner, qty=3)
        mine = self._card(self.portal_partner).rel_tier_history_ids
        theirs = self._card(self.other_portal_partner).rel_tier_history_ids
        self.assertEqual((len(mine), len(theirs)), (1, 1))

        History = self.env["crm.loyalty.tier.history"]
        self.assertEqual(History.with_user(self.portal_user).search([]), mine)
        self.assertEqual(History.with_user(self.other_portal_user).search([]), theirs)
        self.assertEqual(mine.with_user(self.portal_user).read(["reason"])[0]["reason"], mine.reason)
        with self.assertRaises(AccessError):
            theirs.with_user(self.portal_user).read(["reason", "partner_id", "new_tier_id"])
        with self.assertRaises(AccessError):
            mine.with_user(self.other_portal_user).read(["reason"])
        with self.assertRaises(AccessError):
            History.with_user(self.public_user).search([])

    def test_portal_cannot_read_or_write_cards_and_ledger(self):
        self._order(partner=self.other_portal_partner, qty=2)
        card = self._card(self.other_portal_partner)
        for model, records in (("loyalty.card", card), ("loyalty.history", card.history_ids)):
            with self.subTest(model=model), self.assertRaises(AccessError):
                self.env[model].with_user(self.portal_user).search([])
            with self.subTest(model=model), self.assertRaises(AccessError):
                records.with_user(self.portal_user).read(["points" if model == "loyalty.card" else "rel_points"])
        history = card.rel_tier_history_ids
        with self.assertRaises(AccessError):
            history.with_user(self.other_portal_user).write({"reason": "Changed"})
        history.invalidate_recordset()
        self.assertNotEqual(history.reason, "Changed")
