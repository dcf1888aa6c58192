from odoo.tests import new_test_user, tagged

from .common import LoyaltyCase


@tagged("post_install", "-at_install")
class TestEngagement(LoyaltyCase):
    def test_accepted_suggestion_and_nps_earn_points_within_limit(self):
        self.env["ir.config_parameter"].sudo().set_param("crm_loyalty.engagement_program_id", self.program.id)
        self.env["ir.config_parameter"].sudo().set_param("crm_loyalty.engagement_limit", 2)
        Suggestion = self.env["crm.relationship.suggestion"]
        for title in ("Oat milk", "Bigger cups", "Night opening"):
            Suggestion.create({"name": title, "partner_id": self.customer.id}).action_accept()
        card = self._card()
        engagement = card.history_ids.filtered(lambda h: h.rel_movement_type == "engagement")
        self.assertEqual(len(engagement), 2, "the per-period limit stops the third award")
        self.assertEqual(card.points, 50)
        self.assertLedgerBalanced(card)

    def test_nps_answer_earns_points(self):
        self.env["ir.config_parameter"].sudo().set_param("crm_loyalty.engagement_program_id", self.program.id)
        nps = self.env["crm.relationship.nps"].create({"partner_id": self.customer.id})
        nps._record_answer(8, "ok")
        self.assertEqual(self._card().points, 10)

    def test_referral_rewards_both_on_first_order(self):
        self.env["ir.config_parameter"].sudo().set_param("crm_loyalty.engagement_program_id", self.program.id)
        friend = self.env["res.partner"].create({"name": "Fred Friend", "rel_referred_by_id": self.customer.id})
        self._order(partner=friend)
        self._order(partner=friend)
        self.assertEqual(len(self._card(friend).history_ids.filtered(lambda h: h.rel_movement_type == "engagement")), 1)
        self.assertEqual(self._card().points, 50)

    def test_goodwill_from_a_complaint(self):
        self.env["ir.config_parameter"].sudo().set_param("crm_loyalty.engagement_program_id", self.program.id)
        complaint = self.env["crm.complaint"].create(
            {"subject": "Late delivery", "partner_id": self.customer.id, "severity": "high"}
        )
        user = new_test_user(self.env, "gw_user", groups="crm_relationship.group_relationship_manager")
        wizard = (
            self.env["crm.loyalty.goodwill"].with_user(user).with_context(default_complaint_id=complaint.id).create({})
        )
        self.assertEqual(wizard.points, 100, "severity high doubles the base amount")
        wizard.action_confirm()
        line = self._card().history_ids
        self.assertEqual((line.rel_movement_type, line.rel_complaint_id, line.issued), ("goodwill", complaint, 100))
