from odoo.addons.crm_relationship.tests.common_roles import RolesMixin
from odoo.exceptions import AccessError, UserError
from odoo.tests import TransactionCase, tagged

NEED_FIELDS = ["name", "partner_id", "product_category_id", "state", "answer", "addressed_by_id", "date_addressed"]
SUGGESTION_FIELDS = [
    "name",
    "partner_id",
    "description",
    "suggestion_type",
    "state",
    "company_answer",
    "user_id",
    "date_decision",
    "company_id",
]


@tagged("post_install", "-at_install")
class TestRolesNeed(RolesMixin, TransactionCase):
    """Needs: the customer's words are theirs, the state and our answer are the company's."""

    @classmethod
    def setUpClass(cls):
        super().setUpClass()
        cls.setup_roles()
        cls.Need = cls.env["crm.relationship.need"]
        cls.category = cls.env["product.category"].create({"name": "Grinders (test)"})
        cls.need = cls.Need.create({"name": "A quieter grinder", "partner_id": cls.portal_partner.id})
        cls.other_need = cls.Need.create({"name": "Their need", "partner_id": cls.other_portal_partner.id})

    def _read(self, needs):
        needs.invalidate_recordset()
        return needs.sudo().read(NEED_FIELDS)

    def _count(self):
        return self.Need.sudo().search_count([])

    def test_portal_cannot_answer_or_close_own_need(self):
        before = self._read(self.need)
        need = self.need.with_user(self.portal_user)
        for vals in (
            {"state": "addressed", "answer": "Done, by me"},
            {"addressed_by_id": self.relationship_user.id},
            {"date_addressed": "2026-01-01 00:00:00"},
            {"company_id": self.env.company.id},
        ):
            with self.subTest(vals=vals), self.assertRaises(AccessError):
                need.write(vals)
        for action in ("action_mark_addressed", "action_decline", "action_reopen"):
            with self.subTest(action=action), self.assertRaises(AccessError):
                getattr(need, action)()
        self.assertEqual(self._read(self.need), before)

    def test_portal_cannot_create_a_need_already_answered(self):
        count = self._count()
        Need = self.Need.with_user(self.portal_user)
        for extra in ({"state": "addressed"}, {"answer": "Yes"}, {"addressed_by_id": self.relationship_user.id}):
            with self.subTest(extra=extra), self.assertRaises(AccessError):
                Need.create({"name": "Sneaky", "partner_id": self.portal_partner.id, **extra})
        # defaults sent in the context reach RPC unchanged: they are dropped for a customer
        need = Need.with_context(default_state="addressed", default_answer="Yes").create(
            {"name": "With defaults", "partner_id": self.portal_partner.id}
        )
        self.assertEqual((need.state, need.answer), ("open", False))
        self.assertEqual(self._count(), count + 1)

    def test_portal_cannot_move_or_create_a_need_for_another_customer(self):
        before = self._read(self.need | self.other_need)
        count = self._count()
        with self.assertRaises(AccessError):
            self.need.with_user(self.portal_user).write({"partner_id": self.other_portal_partner.id})
        with self.assertRaises(AccessError):
            self.Need.with_user(self.portal_user).create({"name": "Sneaky", "partner_id": self.other_portal_partner.id})
        with self.assertRaises(AccessError):
            self.other_need.with_user(self.portal_user).action_withdraw()
        self.assertEqual(self._read(self.need | self.other_need), before)
        self.assertEqual(self._count(), count)

    def test_portal_edits_only_an_open_need(self):
        self.need.with_user(self.relationship_user).action_decline()
        before = self._read(self.need)
        with self.assertRaises(UserError):
            self.need.with_user(self.portal_user).write({"name": "Changed my mind"})
        with self.assertRaises(UserError):
            self.need.with_user(self.portal_user).action_withdraw()
        self.assertEqual(self._read(self.need), before)

    def test_portal_creates_edits_and_withdraws_own_need(self):
        Need = self.Need.with_user(self.portal_user)
        need = Need.create(
            {"name": "Decaf beans", "partner_id": self.portal_partner.id, "product_category_id": self.category.id}
        )
        self.assertEqual(need.state, "open")
        self.assertEqual(need.sudo().company_id, self.env.company)
        need.write({"name": "Decaf beans, ground"})
        self.assertEqual(need.name, "Decaf beans, ground")
        need.action_withdraw()
        self.assertEqual(need.state, "withdrawn")
        self.assertFalse(need.sudo().addressed_by_id)

    def test_relationship_user_addresses_a_need(self):
        need = self.need.with_user(self.relationship_user)
        need.write({"answer": "Our new grinder runs at 60 dB."})
        need.action_mark_addressed()
        self.assertEqual(need.state, "addressed")
        self.assertEqual(need.addressed_by_id, self.relationship_user)
        self.assertTrue(need.date_addressed)
        need.action_reopen()
        self.assertEqual((need.state, need.addressed_by_id.id), ("open", False))

    def test_salesperson_cannot_decide_a_need(self):
        before = self._read(self.need)
        with self.assertRaises(AccessError):
            self.need.with_user(self.salesperson).action_mark_addressed()
        self.assertEqual(self._read(self.need), before)

    def test_need_rate_limit_applies_over_rpc_and_sudo(self):
        Need = self.Need.with_user(self.portal_user)
        Need.create([{"name": f"Need {i}", "partner_id": self.portal_partner.id} for i in range(19)])
        count = self._count()
        with self.assertRaises(UserError):
            Need.create([{"name": "Two more", "partner_id": self.portal_partner.id}] * 2)
        Need.sudo().create({"name": "The 20th", "partner_id": self.portal_partner.id})
        with self.assertRaises(UserError):
            Need.sudo().create({"name": "The 21st", "partner_id": self.portal_partner.id})
        self.assertEqual(self._count(), count + 1)
        # staff are not limited
        self.Need.with_user(self.relationship_user).create({"name": "Staff", "partner_id": self.portal_partner.id})


@tagged("post_install", "-at_install")
class TestRolesSuggestion(RolesMixin, TransactionCase):
    """Suggestions: the idea is the customer's, the review and the decision are the company's."""

    @classmethod
    def setUpClass(cls):
        super().setUpClass()
        cls.setup_roles()
        cls.Suggestion = cls.env["crm.relationship.suggestion"]
        cls.suggestion = cls.Suggestion.create({"name": "Deliver on Saturdays", "partner_id": cls.portal_partner.id})

    def _read(self, suggestions):
        suggestions.invalidate_recordset()
        return suggestions.sudo().read(SUGGESTION_FIELDS)

    def _count(self):
        return self.Suggestion.sudo().search_count([])

    def test_portal_cannot_create_a_decided_suggestion(self):
        count = self._count()
        Suggestion = self.Suggestion.with_user(self.portal_user)
        for extra in (
            {"state": "accepted"},
            {"company_answer": "<p>Yes!</p>"},
            {"user_id": self.relationship_user.id},
            {"date_decision": "2026-01-01 00:00:00"},
            {"company_id": self.env.company.id},
        ):
            with self.subTest(extra=extra), self.assertRaises(AccessError):
                Suggestion.create({"name": "Sneaky", "partner_id": self.portal_partner.id, **extra})
        self.assertEqual(self._count(), count)
        suggestion = Suggestion.with_context(
            default_state="accepted", default_user_id=self.relationship_user.id
        ).create({"name": "With defaults", "partner_id": self.portal_partner.id})
        self.assertEqual(suggestion.state, "new")
        self.assertFalse(suggestion.sudo().user_id)

    def test_portal_cannot_decide_change_or_move_a_suggestion(self):
        before = self._read(self.suggestion)
        suggestion = self.suggestion.with_user(self.portal_user)
        for action in ("action_start_review", "action_accept", "action_decline", "action_reset"):
            with self.subTest(action=action), self.assertRaises(AccessError):
                getattr(suggestion, action)()
        for vals in ({"state": "accepted"}, {"partner_id": self.other_portal_partner.id}, {"name": "Renamed"}):
            with self.subTest(vals=vals), self.assertRaises(AccessError):
                suggestion.write(vals)
        with self.assertRaises(AccessError):
            self.Suggestion.with_user(self.portal_user).create(
                {"name": "For them", "partner_id": self.other_portal_partner.id}
            )
        self.assertEqual(self._read(self.suggestion), before)

    def test_salesperson_cannot_decide(self):
        before = self._read(self.suggestion)
        with self.assertRaises(AccessError):
            self.suggestion.with_user(self.salesperson).action_accept()
        self.assertEqual(self._read(self.suggestion), before)

    def test_portal_creates_own_suggestion(self):
        suggestion = self.Suggestion.with_user(self.portal_user).create(
            {
                "name": "Oat milk",
                "description": "<p>Please</p>",
                "suggestion_type": "product",
                "partner_id": self.portal_partner.id,
            }
        )
        self.assertEqual((suggestion.state, suggestion.suggestion_type), ("new", "product"))
        self.assertIn(self.portal_partner, suggestion.sudo().message_partner_ids)

    def test_relationship_user_reviews_accepts_and_declines(self):
        accepted = self.suggestion.with_user(self.relationship_user)
        accepted.action_start_review()
        self.assertEqual(accepted.state, "under_review")
        accepted.action_accept()
        self.assertEqual(accepted.state, "accepted")
        self.assertTrue(accepted.date_decision)
        declined = self.Suggestion.with_user(self.relationship_user).create(
            {"name": "Open at night", "partner_id": self.portal_partner.id}
        )
        declined.action_start_review()
        declined.company_answer = "<p>Our staff go home at six.</p>"
        declined.action_decline()
        self.assertEqual(declined.state, "declined")
        declined.action_reset()
        self.assertEqual(declined.state, "new")

    def test_dragging_a_card_goes_through_the_decision(self):
        card = self.suggestion.with_user(self.relationship_user)
        card.write({"state": "accepted"})
        self.assertEqual(card.state, "accepted")
        self.assertTrue(card.date_decision, "accepting by dragging the card dates the decision like the button")
        before = self._read(self.suggestion)
        with self.assertRaisesRegex(UserError, "already been decided"):
            card.write({"state": "declined"})
        with self.assertRaisesRegex(UserError, "decision date"):
            card.write({"date_decision": "2020-01-01 00:00:00"})
        self.assertEqual(self._read(self.suggestion), before)

    def test_declining_by_dragging_needs_an_answer(self):
        card = self.suggestion.with_user(self.relationship_user)
        before = self._read(self.suggestion)
        with self.assertRaisesRegex(UserError, "Tell the customer why"):
            card.write({"state": "declined"})
        self.assertEqual(self._read(self.suggestion), before)
        card.write({"state": "declined", "company_answer": "<p>We cannot deliver on Saturdays.</p>"})
        self.assertEqual(card.state, "declined")

    def test_suggestion_rate_limit_applies_over_rpc(self):
        Suggestion = self.Suggestion.with_user(self.portal_user)
        for i in range(5):
            Suggestion.create({"name": f"Idea {i}", "partner_id": self.portal_partner.id})
        count = self._count()
        with self.assertRaises(UserError):
            Suggestion.create({"name": "One too many", "partner_id": self.portal_partner.id})
        with self.assertRaises(UserError):
            Suggestion.sudo().create({"name": "Through sudo", "partner_id": self.portal_partner.id})
        self.assertEqual(self._count(), count)
        # another customer has their own allowance
        self.Suggestion.with_user(self.other_portal_user).create(
            {"name": "Mine", "partner_id": self.other_portal_partner.id}
        )
