from odoo.tests import tagged
from odoo.tools import mute_logger

from .common import PortalCase


class LoyaltyPortalCase(PortalCase):
    @classmethod
    def setUpClass(cls):
        super().setUpClass()
        cls.program = cls.env["loyalty.program"].create(
            {
                "name": "Relationship Rewards (test)",
                "program_type": "loyalty",
                "applies_on": "both",
                "trigger": "auto",
                "rel_ledger": True,
                "rule_ids": [(0, 0, {"reward_point_mode": "money", "reward_point_amount": 1, "minimum_amount": 0})],
                "reward_ids": [
                    (
                        0,
                        0,
                        {
                            "reward_type": "discount",
                            "discount": 10,
                            "discount_mode": "percent",
                            "discount_applicability": "order",
                            "required_points": 100,
                        },
                    ),
                    (
                        0,
                        0,
                        {
                            "reward_type": "discount",
                            "discount": 50,
                            "discount_mode": "percent",
                            "discount_applicability": "order",
                            "required_points": 100000,
                        },
                    ),
                ],
            }
        )
        cls.small_reward, cls.big_reward = cls.program.reward_ids.sorted("required_points")
        earning = cls.env["sale.order"].create(
            {
                "partner_id": cls.alice.id,
                "order_line": [(0, 0, {"product_id": cls.product.id, "product_uom_qty": 1})],
            }
        )
        earning._update_programs_and_rewards()
        earning.action_confirm()
        cls.card = cls.env["loyalty.card"].search(
            [("partner_id", "=", cls.alice.id), ("program_id", "=", cls.program.id)]
        )
        cls.quotation = cls.env["sale.order"].create(
            {
                "partner_id": cls.alice.id,
                "order_line": [(0, 0, {"product_id": cls.other_product.id, "product_uom_qty": 2})],
            }
        )
        cls.bob_quotation = cls.env["sale.order"].create(
            {
                "partner_id": cls.bob.id,
                "order_line": [(0, 0, {"product_id": cls.other_product.id, "product_uom_qty": 2})],
            }
        )


@tagged("post_install", "-at_install")
class TestPortalLoyalty(LoyaltyPortalCase):
    def test_page_shows_balance_ledger_rewards_and_referral(self):
        self.assertTrue(self.card.points >= 100, "the earning order gave points")
        self.login(self.alice_user)
        page = self.url_open("/my/loyalty").text
        self.assertIn("o_rel_points", page)
        self.assertIn("/referral/", page)
        self.assertIn(self.small_reward.description, page)
        self.assertNotIn(self.big_reward.description, page)
        self.assertIn(self.quotation.name, page)
        self.assertNotIn(self.bob_quotation.name, page)

    def test_claim_reward_on_own_quotation(self):
        self.login(self.alice_user)
        response = self.post("/my/loyalty/claim", {"reward_id": self.small_reward.id, "order_id": self.quotation.id})
        self.assertEqual(response.status_code, 303, response.text[:1000])
        self.assertTrue(self.quotation.order_line.filtered("reward_id"))

    def test_claimed_reward_sets_its_points_aside(self):
        self.card._rel_add_movement("adjusted", 150 - self.card.points, "Test balance")
        second = self.quotation.copy()
        self.login(self.alice_user)
        response = self.post("/my/loyalty/claim", {"reward_id": self.small_reward.id, "order_id": self.quotation.id})
        self.assertEqual(response.status_code, 303, response.text[:1000])
        self.assertEqual(self.card.points, 150, "the points are taken when the quotation is confirmed")
        page = self.url_open("/my/loyalty").text
        self.assertIn(self.card._format_points(50), page, "the balance left to claim with")
        self.assertIn("o_rel_reserved", page)
        self.assertIn("o_rel_claimed", page)
        self.assertNotIn('o_rel_claim"', page, "50 points: the 100-point reward is not offered again")
        before = (second.amount_total, len(second.order_line))
        response = self.post("/my/loyalty/claim", {"reward_id": self.small_reward.id, "order_id": second.id})
        self.assertEqual(response.status_code, 400)
        self.assertIn("set aside", response.text)
        self.assertEqual((second.amount_total, len(second.order_line)), before)

    def test_claimed_reward_is_not_offered_on_the_same_quotation(self):
        self.card._rel_add_movement("adjusted", 500 - self.card.points, "Test balance")
        second = self.quotation.copy()
        self.login(self.alice_user)
        self.post("/my/loyalty/claim", {"reward_id": self.small_reward.id, "order_id": self.quotation.id})
        page = self.url_open("/my/loyalty").text
        self.assertIn(self.card._format_points(400), page)
        self.assertIn(f'<option value="{second.id}"', page)
        self.assertNotIn(f'<option value="{self.quotation.id}"', page, "the reward is on that quotation already")

    def test_odoo_card_popup_and_history_lead_to_the_loyalty_page(self):
        self.card._rel_add_movement("adjusted", 150 - self.card.points, "Test balance")
        self.login(self.alice_user)
        response = self.url_open(f"/my/loyalty_card/{self.card.id}/history", allow_redirects=False)
        self.assertEqual(response.status_code, 303)
        self.assertTrue(response.headers["Location"].endswith("/my/loyalty"))
        values = self.make_jsonrpc_request(f"/my/loyalty_card/{self.card.id}/values", {})
        self.assertEqual([reward["description"] for reward in values["rewards"]], [self.small_reward.description])
        self.post("/my/loyalty/claim", {"reward_id": self.small_reward.id, "order_id": self.quotation.id})
        values = self.make_jsonrpc_request(f"/my/loyalty_card/{self.card.id}/values", {})
        self.assertEqual(values["rewards"], [], "50 points left: the popup offers nothing either")
        self.assertNotIn("A reward is waiting for you", self.url_open("/my").text)
        bob_card = self.env["loyalty.card"].create({"program_id": self.program.id, "partner_id": self.bob.id})
        response = self.url_open(f"/my/loyalty_card/{bob_card.id}/history", allow_redirects=False)
        self.assertTrue(response.headers["Location"].endswith("/my"), "another customer's card: Odoo's refusal")
        self.assertEqual(self.make_jsonrpc_request(f"/my/loyalty_card/{bob_card.id}/values", {}), {})
        translations = self.url_open("/website/translations?lang=en_US").json()
        self.assertIn("loyalty", translations["modules"], "the popup's own terms reach the portal")

    def test_claim_is_refused_when_it_should_be(self):
        self.login(self.alice_user)
        cases = [
            {"reward_id": self.small_reward.id, "order_id": self.bob_quotation.id},
            {"reward_id": self.big_reward.id, "order_id": self.quotation.id},
            {"reward_id": "abc", "order_id": self.quotation.id},
            {"reward_id": self.small_reward.id, "order_id": self.order.id},
        ]
        for data in cases:
            with self.subTest(data=data):
                response = self.post("/my/loyalty/claim", data)
                self.assertEqual(response.status_code, 400)
                self.assertIn("alert-danger", response.text)
        self.assertFalse(self.quotation.order_line.filtered("reward_id"))
        self.assertFalse(self.bob_quotation.order_line.filtered("reward_id"))

    def test_referral_signup_becomes_a_lead(self):
        self.env["ir.config_parameter"].sudo().set_param("auth_signup.invitation_scope", "b2c")
        code = self.alice.sudo()._rel_get_referral_code()
        self.authenticate(None, None)
        with mute_logger("odoo.http"):
            self.assertEqual(self.url_open("/referral/not-a-code").status_code, 404)
        landing = self.url_open(f"/referral/{code}")
        self.assertEqual(landing.status_code, 200)
        self.assertIn("Alice Portal", landing.text)
        response = self.post(f"/referral/{code}", {"looking_for": "A <b>quiet</b> espresso machine"})
        self.assertEqual(response.status_code, 303)
        self.assertIn("/web/signup", response.headers["Location"])
        signup = self.post(
            "/web/signup",
            {
                "login": "friend@example.com",
                "name": "Frank Friend",
                "password": "a-long-password-1",
                "confirm_password": "a-long-password-1",
            },
        )
        self.assertIn(signup.status_code, (200, 303))
        friend = self.env["res.users"].search([("login", "=", "friend@example.com")]).partner_id
        self.assertTrue(friend)
        self.assertEqual(friend.rel_referred_by_id, self.alice.commercial_partner_id)
        lead = self.env["crm.lead"].search([("partner_id", "=", friend.id)])
        self.assertEqual(len(lead), 1)
        self.assertIn("quiet", lead.description)
        self.assertNotIn("<b>", lead.description.replace("&lt;b&gt;", ""))
        self.login(self.alice_user)
        self.assertIn("1 friend has joined so far.", self.url_open("/my/loyalty").text)
