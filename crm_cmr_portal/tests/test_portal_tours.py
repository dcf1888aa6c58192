from odoo.fields import Command
from odoo.tests import HttpCase, new_test_user, tagged

# Modules whose texts the portal pages show: Odoo's portal layout and ours.
PAGE_MODULES = ["web", "portal", "mail", "rating", "sale", "loyalty", "sale_loyalty", "auth_signup"]
OUR_MODULES = ["crm_relationship", "crm_loyalty", "crm_cmr_portal"]

# Per page: a label it must show in each language, and English labels a Chinese page must not show.
LABELS = {
    "home": ("/my/home", {"en_US": "My Relationship", "zh_CN": "我的客户关系"}, ["My Relationship", "Suggestions"]),
    "profile": (
        "/my/relationship",
        {"en_US": "How and when to contact me", "zh_CN": "联系我的方式和时间"},
        ["How and when to contact me", "Save preferences", "What I need", "Add need"],
    ),
    "consents": (
        "/my/relationship",
        {"en_US": "Save consents", "zh_CN": "保存授权设置"},
        ["My consents", "Save consents", "History of my consents", "Marketing"],
    ),
    "loyalty": (
        "/my/loyalty",
        {"en_US": "Rewards I can claim", "zh_CN": "我可兑换的奖励"},
        ["Rewards I can claim", "My points history", "Points that expire soon", "more to reach"],
    ),
    "referral": (
        "/my/loyalty",
        {"en_US": "Invite a friend", "zh_CN": "邀请好友"},
        ["Invite a friend", "friends joined", "Share your link"],
    ),
    "suggestions": (
        "/my/suggestions",
        {"en_US": "Suggest something", "zh_CN": "提出建议"},
        ["Suggest something", "Send suggestion", "Our answer"],
    ),
    "privacy": (
        "/my/privacy",
        {"en_US": "Download my data", "zh_CN": "下载我的数据"},
        ["Download my data", "Request erasure", "A manager is handling it"],
    ),
    "complaints": (
        "/my/complaints",
        {"en_US": "New complaint", "zh_CN": "新建投诉"},
        ["New complaint", "Promised By", "Reference"],
    ),
    "nps": (None, {"en_US": "Thank you!", "zh_CN": "谢谢！"}, ["Thank you!", "Your answer helps"]),
}


@tagged("post_install", "-at_install")
class TestPortalTours(HttpCase):
    """Each portal page walked in the browser by a customer in English and by one in Chinese.

    The tours (static/tests/tours) find their way by selectors only; after each one, the page is read
    again in the customer's language for a known label, and a Chinese page for English leftovers.
    """

    @classmethod
    def setUpClass(cls):
        super().setUpClass()
        env = cls.env
        env["res.lang"]._activate_lang("zh_CN")
        env["ir.module.module"]._load_module_terms(PAGE_MODULES + OUR_MODULES, ["zh_CN"])
        cls.agent = new_test_user(
            env, "tour_agent", groups="crm_relationship.group_relationship_user", name="Ada Agent"
        )
        cls.product = env["product.product"].create({"name": "Tour grinder", "list_price": 400.0})
        cls.category = env["crm.complaint.category"].create({"name": "Tour breakage"})
        cls.program = env["loyalty.program"].create(
            {
                "name": "Tour Rewards",
                "program_type": "loyalty",
                "applies_on": "both",
                "trigger": "auto",
                "rel_ledger": True,
                "rel_points_expire": True,
                "rel_points_expiry_days": 30,
                "rel_expiry_reminder_days": 60,
                "rule_ids": [
                    Command.create({"reward_point_mode": "money", "reward_point_amount": 1, "minimum_amount": 0})
                ],
                "reward_ids": [
                    Command.create(
                        {
                            "reward_type": "discount",
                            "discount": 10,
                            "discount_mode": "percent",
                            "discount_applicability": "order",
                            "required_points": 100,
                        }
                    )
                ],
            }
        )
        env["crm.loyalty.tier"].create(
            [
                {"name": "Tour Silver", "program_id": cls.program.id, "threshold_type": "points", "threshold": 1},
                {"name": "Tour Gold", "program_id": cls.program.id, "threshold_type": "points", "threshold": 5000},
            ]
        )
        cls.customers = {lang: cls._customer(lang) for lang in ("en_US", "zh_CN")}

    @classmethod
    def _customer(cls, lang):
        env = cls.env
        login = f"tour_{lang.lower()}"
        user = new_test_user(
            env,
            login,
            groups="base.group_portal",
            name=f"Tour Customer {lang}",
            email=f"{login}@example.com",
            lang=lang,
            tz="Asia/Shanghai" if lang == "zh_CN" else "Europe/Brussels",
        )
        partner = user.partner_id
        order = env["sale.order"].create(
            {"partner_id": partner.id, "order_line": [Command.create({"product_id": cls.product.id})]}
        )
        order._update_programs_and_rewards()
        order.action_confirm()
        quotation = env["sale.order"].create(
            {"partner_id": partner.id, "order_line": [Command.create({"product_id": cls.product.id})]}
        )
        env["crm.relationship.need"].create({"name": "Tour: a bigger grinder", "partner_id": partner.id})
        env["crm.relationship.suggestion"].create(
            {
                "name": "Tour: a loyalty app",
                "partner_id": partner.id,
                "company_answer": "<p>We are building one.</p>",
            }
        )
        complaint = env["crm.complaint"].create(
            {
                "subject": "Tour: the lid is loose",
                "description": "<p>The lid does not close.</p>",
                "partner_id": partner.id,
                "sale_order_id": order.id,
                "user_id": cls.agent.id,
            }
        )
        complaint.with_user(cls.agent).message_post(
            body="We are sending a new lid.", message_type="comment", subtype_xmlid="mail.mt_comment"
        )
        nps = env["crm.relationship.nps"].create({"partner_id": partner.id})
        return {"user": user, "partner": partner, "quotation": quotation, "complaint": complaint, "nps": nps}

    def _tours(self, customer):
        return [
            ("home", "/my/home", "crm_cmr_portal_home_tour"),
            ("profile", "/my/relationship", "crm_cmr_portal_profile_tour"),
            ("consents", "/my/relationship", "crm_cmr_portal_consents_tour"),
            ("loyalty", "/my/loyalty", "crm_cmr_portal_loyalty_tour"),
            ("referral", "/my/loyalty", "crm_cmr_portal_referral_tour"),
            ("suggestions", "/my/suggestions", "crm_cmr_portal_suggestions_tour"),
            ("privacy", "/my/privacy", "crm_cmr_portal_privacy_tour"),
            ("complaints", "/my/complaints", "crm_relationship_portal_complaints_tour"),
            ("nps", f"/my/nps/{customer['nps'].access_token}", "crm_relationship_portal_nps_tour"),
        ]

    def _walk(self, lang):
        customer = self.customers[lang]
        user = customer["user"]
        for page, url, tour in self._tours(customer):
            with self.subTest(page=page, lang=lang):
                self.start_tour(url, tour, login=user.login)
                text = self.url_open(LABELS[page][0] or url).text
                self.assertIn(LABELS[page][1][lang], text)
                if lang != "en_US":
                    for english in LABELS[page][2]:
                        self.assertNotIn(english, text, f"English left on the {page} page")
        return customer

    def _check_outcome(self, customer):
        partner = customer["partner"]
        self.assertEqual(partner.rel_preferred_contact_channel, "phone")
        self.assertEqual(customer["quotation"].order_line.reward_id, self.program.reward_ids)
        self.assertEqual(partner.rel_contact_window_start, 9.5)
        self.assertEqual(partner.rel_contact_window_end, 17.0)
        consent = self.env["crm.relationship.consent"].search(
            [("partner_id", "=", partner.id), ("channel", "=", "email"), ("purpose", "=", "marketing")]
        )
        self.assertTrue(consent.granted)
        self.assertTrue(self.env["crm.relationship.need"].search([("name", "=", "Tour: descaling tablets")]))
        self.assertTrue(
            self.env["crm.relationship.suggestion"].search(
                [("partner_id", "=", partner.id), ("name", "=", "Tour: sell oat milk")]
            )
        )
        self.assertTrue(partner.rel_erasure_requested_on)
        self.assertFalse(partner.rel_profiling_objection)
        complaints = self.env["crm.complaint"].search([("partner_id", "=", partner.id)])
        self.assertEqual(len(complaints), 2)
        self.assertIn("the new lid fits", " ".join(customer["complaint"].message_ids.mapped("body")))
        self.assertEqual(customer["nps"].score, 9)

    def test_pages_in_english(self):
        self._check_outcome(self._walk("en_US"))

    def test_pages_in_chinese(self):
        customer = self._walk("zh_CN")
        self._check_outcome(customer)
        self.authenticate(customer["user"].login, customer["user"].login)
        code = customer["partner"].commercial_partner_id._rel_get_referral_code()
        landing = self.url_open(f"/referral/{code}").text
        self.assertIn("邀请您", landing)
        self.assertNotIn("invites you", landing)
