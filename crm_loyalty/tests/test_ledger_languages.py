from dateutil.relativedelta import relativedelta
from freezegun import freeze_time

from odoo import fields
from odoo.addons.crm_relationship.tests.common_roles import RolesMixin
from odoo.tests import tagged

from .common import LoyaltyCase

# the zh_CN translations that crm_loyalty ships for these terms
SHOWROOM_ZH, DISCOUNT_ZH, EXPIRED_ZH = "门店购物", "折扣奖励", "积分过期"


@tagged("post_install", "-at_install")
class TestLedgerLanguages(RolesMixin, LoyaltyCase):
    """The descriptions the ledger writes itself read in each reader's language, also in a language loaded
    after they were written (the demo database is created in English, Chinese is loaded afterwards)."""

    @classmethod
    def setUpClass(cls):
        super().setUpClass()
        cls.setup_roles()
        cls.card = cls.customer._rel_loyalty_card_for(cls.program)

    def _read(self, lines, user, lang):
        return lines.with_user(user).with_context(lang=lang).mapped("description")

    def test_demo_movements_follow_a_language_loaded_later(self):
        zh = self.env.ref("base.lang_zh_CN")
        self.card._rel_demo_load_history(
            [("earned", 90, "Purchase in the showroom", 12), ("spent", -20, "Discount reward", False)]
        )
        lines = self.card.history_ids.sorted("id")
        zh.action_unarchive()
        self.env["ir.module.module"]._load_module_terms(["crm_loyalty"], ["zh_CN"])
        self.assertEqual(
            self._read(lines, self.relationship_user, "en_US"), ["Purchase in the showroom", "Discount reward"]
        )
        chinese = self._read(lines, self.relationship_user, "zh_CN")
        self.assertEqual(chinese, [SHOWROOM_ZH, DISCOUNT_ZH])
        # the customer's own page reads their ledger as the portal controller does
        portal_lines = lines.with_user(self.portal_user).sudo().with_context(lang="zh_CN")
        self.assertEqual(portal_lines.mapped("description"), chinese)

    def test_expiry_written_by_the_scheduler_in_every_language(self):
        self.env["res.lang"]._activate_lang("zh_CN")
        self.card._rel_add_movement(
            "goodwill", 30, "Welcome", rel_expiry_date=fields.Date.today() + relativedelta(days=2)
        )
        cron = self.env.ref("crm_loyalty.ir_cron_expire_points")
        with freeze_time(fields.Date.today() + relativedelta(days=3)):
            cron.ir_actions_server_id.with_user(cron.user_id).with_context(**cron.user_id.context_get()).run()
        expired = self.card.history_ids.filtered(lambda line: line.rel_movement_type == "expired")
        self.assertEqual(len(expired), 1)
        self.assertEqual(self._read(expired, self.relationship_user, "en_US"), ["Points expired"])
        self.assertEqual(self._read(expired, self.relationship_user, "zh_CN"), [EXPIRED_ZH])
        self.assertEqual(self.card.points, 0)
