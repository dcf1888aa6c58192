from datetime import date, datetime, timedelta

from odoo import Command
from odoo.addons.crm_relationship.tests.common_portal import PortalRequests
from odoo.addons.crm_relationship.tests.common_roles import RolesMixin
from odoo.exceptions import AccessError
from odoo.tests import HttpCase, tagged
from odoo.tools import mute_logger

AS_OF = date.today()


@tagged("post_install", "-at_install")
class TestProfilingObjection(PortalRequests, RolesMixin, HttpCase):
    """A customer objects to profiling from the portal: the analysis leaves them out; they still buy and earn."""

    @classmethod
    def setUpClass(cls):
        super().setUpClass()
        cls.setup_roles()
        env = cls.env
        cls.program = env["loyalty.program"].create(
            {
                "name": "Objection Rewards (test)",
                "program_type": "loyalty",
                "applies_on": "both",
                "trigger": "auto",
                "rel_ledger": True,
                "rule_ids": [Command.create({"reward_point_mode": "money", "reward_point_amount": 1})],
            }
        )
        cls.product = env["product.product"].create({"name": "Objection beans", "list_price": 20.0, "taxes_id": False})
        cls.others = env["res.partner"].create([{"name": f"Profiled {i}"} for i in range(3)])
        for i, customer in enumerate(cls.portal_partner | cls.others):
            for days_ago in (300 - 20 * i, 120 - 10 * i, 30):
                cls._order(customer).date_order = datetime.combine(AS_OF, datetime.min.time()) - timedelta(
                    days=days_ago
                )

    @classmethod
    def _order(cls, partner):
        order = cls.env["sale.order"].create(
            {"partner_id": partner.id, "order_line": [Command.create({"product_id": cls.product.id})]}
        )
        order.action_confirm()
        return order

    def _analyse(self):
        run = self.env["crm.relationship.analysis"].with_user(self.relationship_manager).create({"date_as_of": AS_OF})
        run.action_run()
        self.assertEqual(run.state, "done", run.message)
        return run

    def _segment(self, partner):
        partner.invalidate_recordset()
        return partner.sudo().rel_rfm_segment

    def _profiling_log(self, partner):
        return self.env["crm.relationship.consent.log"].search(
            [("partner_id", "=", partner.id), ("purpose", "=", "profiling")], order="id"
        )

    def test_objecting_clears_the_figures_and_the_analysis_skips_the_customer(self):
        self._analyse()
        self.assertTrue(self._segment(self.portal_partner))
        self.login(self.portal_user)
        response = self.post("/my/privacy/profiling", {"objection": "yes"})
        self.assertEqual(response.status_code, 303)
        self.assertTrue(self.portal_partner.rel_profiling_objection)
        self.assertFalse(self._segment(self.portal_partner), "the figures already computed are cleared")
        self.assertFalse(self.portal_partner.sudo().rel_clv_value)
        (line,) = self._profiling_log(self.portal_partner)
        self.assertEqual((line.granted, line.source, line.user_id), (False, "portal", self.portal_user))
        self.assertIn("You object to profiling", self.url_open("/my/privacy").text)

        run = self._analyse()
        self.assertEqual(run.customer_count, 3, "the objecting customer is left out")
        self.assertFalse(self._segment(self.portal_partner))
        self.assertFalse(
            self.env["crm.relationship.recommendation"].search([("partner_id", "=", self.portal_partner.id)])
        )
        self.assertTrue(all(self._segment(p) for p in self.others))

        # buying and earning points go on
        card = self.env["loyalty.card"].search([("partner_id", "=", self.portal_partner.id)])
        before = card.points
        self._order(self.portal_partner)
        self.assertEqual(card.points, before + 20)

        self.assertEqual(self.post("/my/privacy/profiling", {"objection": "no"}).status_code, 303)
        self.assertFalse(self.portal_partner.rel_profiling_objection)
        self.assertEqual(self._profiling_log(self.portal_partner).mapped("granted"), [False, True])
        self._analyse()
        self.assertTrue(self._segment(self.portal_partner), "figures come back with the next run")

    def test_objecting_twice_logs_once_and_bad_input_changes_nothing(self):
        self.login(self.portal_user)
        self.post("/my/privacy/profiling", {"objection": "yes"})
        self.post("/my/privacy/profiling", {"objection": "yes"})
        self.assertEqual(len(self._profiling_log(self.portal_partner)), 1)
        with mute_logger("odoo.http"):
            self.assertEqual(self.post("/my/privacy/profiling", {"objection": "maybe"}).status_code, 400)
            self.assertEqual(self.post("/my/privacy/profiling", {"objection": "no"}, csrf=False).status_code, 400)
        self.assertTrue(self.portal_partner.rel_profiling_objection)
        self.assertEqual(len(self._profiling_log(self.portal_partner)), 1)

    def test_only_the_customer_or_relationship_staff_record_an_objection(self):
        self._analyse()
        for user in (self.salesperson, self.other_portal_user, self.public_user):
            with self.subTest(user=user.login), self.assertRaises(AccessError):
                self.portal_partner.with_user(user)._rel_set_profiling_objection(True, "backoffice")
        # another customer's objection from the portal is their own, never this customer's
        self.login(self.other_portal_user)
        self.post("/my/privacy/profiling", {"objection": "yes"})
        self.assertTrue(self.other_portal_partner.rel_profiling_objection)
        self.authenticate(None, None)
        response = self.post("/my/privacy/profiling", {"objection": "yes"})
        self.assertIn("/web/login", response.headers.get("Location", ""))
        self.assertFalse(self.portal_partner.rel_profiling_objection)
        self.assertFalse(self._profiling_log(self.portal_partner))
        self.assertTrue(self._segment(self.portal_partner))
        # a Relationship User records an objection received by phone
        self.portal_partner.with_user(self.relationship_user)._rel_set_profiling_objection(True, "backoffice")
        self.assertEqual(self._profiling_log(self.portal_partner).user_id, self.relationship_user)
