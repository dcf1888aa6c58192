from datetime import timedelta

from odoo import Command, fields
from odoo.exceptions import AccessError
from odoo.tests import TransactionCase, tagged

from .common_figures import write_figures
from .common_roles import RolesMixin


@tagged("post_install", "-at_install")
class TestRetentionReport(RolesMixin, TransactionCase):
    """Closing a retention activity records its outcome; the report compares who bought again within 90 days
    among the customers at risk who got an action and those who got none."""

    @classmethod
    def setUpClass(cls):
        super().setUpClass()
        cls.setup_roles()
        params = cls.env["ir.config_parameter"]
        params.set_param("crm_relationship.retention_value_top_percent", 100)
        params.set_param("crm_relationship.retention_alive_max_percent", 60)
        cls.company = cls.env.company
        cls.product = cls.env["product.product"].create({"name": "Retention coffee", "list_price": 10.0})
        cls.now = fields.Datetime.now()
        cls.at_risk_on = cls.now - timedelta(days=120)
        Partner = cls.env["res.partner"]

        def customer(name, alive=0.3, **values):
            partner = Partner.create(
                {"name": name, "email": f"{name.lower()}@example.com", "tz": "UTC", "user_id": cls.salesperson.id}
            )
            write_figures(
                partner,
                {
                    "rel_company_id": cls.company.id,
                    "rel_rfm_segment": "at_risk",
                    "rel_rfm_monetary": 500,
                    "rel_rfm_recency": 100,
                    "rel_lifecycle_stage": "at_risk",
                    "rel_clv_probability_alive": alive,
                    **values,
                },
            )
            return partner

        # done activity and bought on day 30; done and never bought; done and bought on day 91
        cls.won_back = customer("Wendy")
        cls.lost = customer("Liam")
        cls.too_late = customer("Tara")
        # activity still open, bought on day 5; activity cancelled, never bought
        cls.open_bought = customer("Olga")
        cls.cancelled = customer("Carl")
        # no action: Do Not Contact and bought on day 10; no email; still likely active (below the thresholds)
        cls.unreached_bought = customer("Dora", rel_preferred_contact_channel="none")
        cls.no_email = customer("Nemo", email=False)
        cls.not_selected = customer("Sam", alive=0.9)
        for partner, days in (
            (cls.won_back, 30),
            (cls.too_late, 91),
            (cls.open_bought, 5),
            (cls.unreached_bought, 10),
        ):
            cls._order(partner, cls.at_risk_on - timedelta(days=200))
            cls._order(partner, cls.at_risk_on + timedelta(days=days))
        cls._order(cls.lost, cls.at_risk_on - timedelta(days=1))

    @classmethod
    def _order(cls, partner, when):
        order = cls.env["sale.order"].create(
            {
                "partner_id": partner.id,
                "order_line": [Command.create({"product_id": cls.product.id, "product_uom_qty": 1})],
            }
        )
        order.action_confirm()
        order.date_order = when
        return order

    def _cases(self, partners):
        return self.env["crm.relationship.retention.case"].search([("partner_id", "in", partners.ids)])

    def _run(self, now):
        Retention = self.env["crm.relationship.retention"].with_user(self.relationship_manager)
        return Retention._schedule_for_company(self.company, now=now)

    def _close(self, partner, feedback):
        activity = self.env["mail.activity"].search([("res_model", "=", "res.partner"), ("res_id", "=", partner.id)])
        activity.with_user(self.salesperson).action_feedback(feedback=feedback)

    def test_closing_the_activity_records_the_outcome_and_the_report_compares(self):
        result = self._run(self.at_risk_on)
        self.assertEqual(result.activities, 5)
        self.assertEqual(dict(result.skipped), {"do_not_contact": 1, "no_email": 1})
        # the salesperson, without Relationship rights, closes the activities assigned to them
        self._close(self.won_back, "Called: they ordered again.")
        self._close(self.lost, "No answer.")
        self._close(self.too_late, "They will think about it.")
        self.env["mail.activity"].search(
            [("res_model", "=", "res.partner"), ("res_id", "=", self.cancelled.id)]
        ).unlink()

        case = self._cases(self.won_back)
        self.assertEqual(case.date_at_risk, self.at_risk_on)
        self.assertTrue(case.done)
        self.assertEqual(case.outcome, "Called: they ordered again.")
        self.assertEqual(case.done_user_id, self.salesperson)
        self.assertIn("value rank top", case.reason)
        self.assertEqual(self._cases(self.unreached_bought).no_action_reason, "do_not_contact")
        self.assertEqual(self._cases(self.no_email).no_action_reason, "no_email")
        self.assertEqual(self._cases(self.not_selected).no_action_reason, "not_selected")

        # a customer found at risk 10 days ago: their 90 days are not over
        recent = self.env["res.partner"].create({"name": "Rita Recent", "email": "rita@example.com", "tz": "UTC"})
        write_figures(
            recent,
            {
                "rel_company_id": self.company.id,
                "rel_rfm_segment": "at_risk",
                "rel_rfm_monetary": 50,
                "rel_lifecycle_stage": "at_risk",
                "rel_clv_probability_alive": 0.9,
            },
        )
        self._run(self.now - timedelta(days=10))
        self.assertEqual(len(self._cases(self.won_back)), 1, "one spell while at risk")

        Report = self.env["crm.relationship.retention.report"].with_user(self.relationship_user)
        rows = {
            row["partner_id"][0]: row
            for row in Report.search_read([], ["partner_id", "action", "outcome_status", "got_action", "outcome"])
        }
        expected = {
            self.won_back: ("done", "bought"),
            self.lost: ("done", "not_bought"),
            self.too_late: ("done", "not_bought"),
            self.open_bought: ("open", "bought"),
            self.cancelled: ("cancelled", "not_bought"),
            self.unreached_bought: ("none", "bought"),
            self.no_email: ("none", "not_bought"),
            self.not_selected: ("none", "not_bought"),
            recent: ("none", "pending"),
        }
        self.assertEqual(
            {
                partner.id: (row["action"], row["outcome_status"])
                for partner, row in ((p, rows[p.id]) for p in expected)
            },
            {partner.id: values for partner, values in expected.items()},
        )
        self.assertEqual(rows[self.won_back.id]["outcome"], "Called: they ordered again.")

        groups = {
            got_action: (count, repurchased, rate)
            for got_action, count, repurchased, rate in Report._read_group(
                [("partner_id", "in", [p.id for p in expected])],
                ["got_action"],
                ["__count", "repurchased:sum", "repurchase_rate:avg"],
            )
        }
        self.assertEqual(groups["yes"][:2], (3, 1))
        self.assertAlmostEqual(groups["yes"][2], 100 / 3)
        # no action done: 6 customers, 2 bought within 90 days; the recent one is not counted in the rate
        self.assertEqual(groups["no"][:2], (6, 2))
        self.assertAlmostEqual(groups["no"][2], 40.0)

    def test_a_customer_who_recovers_ends_the_spell_and_drifting_again_opens_a_new_one(self):
        self._run(self.at_risk_on)
        write_figures(self.won_back, {"rel_lifecycle_stage": "active"})
        later = self.at_risk_on + timedelta(days=40)
        self._run(later)
        case = self._cases(self.won_back)
        self.assertEqual(case.date_end, later)
        write_figures(self.won_back, {"rel_lifecycle_stage": "at_risk"})
        self._run(self.now)
        cases = self._cases(self.won_back)
        self.assertEqual(len(cases), 2)
        self.assertEqual(cases.filtered(lambda c: not c.date_end).date_at_risk, self.now)

    def test_who_sees_the_report(self):
        self._run(self.at_risk_on)
        self.assertTrue(
            self.env["crm.relationship.retention.report"].with_user(self.relationship_user).search_count([])
        )
        with self.assertRaises(AccessError):
            self.env["crm.relationship.retention.report"].with_user(self.salesperson).search([])
        menu = self.env.ref("crm_relationship.menu_crm_relationship_retention_report")
        visible = self.env["ir.ui.menu"].with_user(self.relationship_user)._visible_menu_ids()
        self.assertIn(menu.id, visible)
        self.assertNotIn(menu.id, self.env["ir.ui.menu"].with_user(self.salesperson)._visible_menu_ids())
