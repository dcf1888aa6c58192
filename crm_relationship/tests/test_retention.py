from odoo import fields
from odoo.tests import TransactionCase, new_test_user, tagged

from .common_figures import write_figures
from .common_roles import RolesMixin


@tagged("post_install", "-at_install")
class TestRetention(RolesMixin, TransactionCase):
    """After an analysis run, valuable customers who newly became at risk get one retention activity."""

    @classmethod
    def setUpClass(cls):
        super().setUpClass()
        cls.setup_roles()
        params = cls.env["ir.config_parameter"]
        params.set_param("crm_relationship.retention_value_top_percent", 40)
        params.set_param("crm_relationship.retention_alive_max_percent", 60)
        cls.company = cls.env.company
        Partner = cls.env["res.partner"]

        def customer(name, monetary, stage="active", alive=0.9, **values):
            partner = Partner.create({"name": name, "email": f"{name.lower()}@example.com", "tz": "UTC", **values})
            write_figures(
                partner,
                {
                    "rel_company_id": cls.company.id,
                    "rel_rfm_segment": "at_risk" if stage == "at_risk" else "loyal",
                    "rel_rfm_monetary": monetary,
                    "rel_rfm_recency": 133,
                    "rel_lifecycle_stage": stage,
                    "rel_clv_probability_alive": alive,
                },
            )
            return partner

        cls.drifting = customer("Ada", 1000, "at_risk", 0.3, user_id=cls.salesperson.id)
        cls.caller = customer(
            "Bob", 900, "at_risk", 0.2, user_id=cls.salesperson.id, phone="+41 1", rel_preferred_contact_channel="phone"
        )
        cls.still_alive = customer("Cid", 800, "at_risk", 0.9, user_id=cls.salesperson.id)
        cls.do_not_contact = customer("Dot", 700, "at_risk", 0.1, rel_preferred_contact_channel="none")
        cls.small = customer("Eve", 100, "at_risk", 0.1, user_id=cls.salesperson.id)
        for index in range(5):
            customer(f"Fay{index}", 200 + index)
        # Bought 31, 25 and 19 weeks ago, as the analysis stores it: three purchase occasions, the first
        # 217 days ago, the last 133.
        write_figures(cls.drifting, {"rel_rfm_frequency": 3, "rel_age_days": 217})

    def _activities(self, partner):
        return self.env["mail.activity"].search(
            [("res_model", "=", "res.partner"), ("res_id", "=", partner.id), ("summary", "like", "Retention")]
        )

    def _schedule(self):
        Retention = self.env["crm.relationship.retention"].with_user(self.relationship_manager)
        return Retention._schedule_for_company(self.company)

    def test_one_activity_for_each_valuable_customer_newly_at_risk(self):
        result = self._schedule()
        self.assertEqual((result.calls, result.activities), (1, 1))
        self.assertEqual(dict(result.skipped), {"do_not_contact": 1})
        self.assertEqual(
            result.activity_message(), "1 calls and 1 to-do activities planned. Skipped: 1 Do Not Contact."
        )
        todo = self._activities(self.drifting)
        self.assertEqual(todo.activity_type_id, self.env.ref("mail.mail_activity_data_todo"))
        self.assertEqual(todo.user_id, self.salesperson, "the customer's salesperson")
        self.assertIn("Bought every 6 weeks; nothing for 19 weeks; value rank top 10%", todo.note)
        call = self._activities(self.caller)
        self.assertEqual(call.activity_type_id, self.env.ref("mail.mail_activity_data_call"))
        for partner in (self.still_alive, self.do_not_contact, self.small):
            self.assertFalse(self._activities(partner), partner.name)
        # the salesperson sees the activity on their customer
        self.assertTrue(todo.with_user(self.salesperson).has_access("read"))

        again = self._schedule()
        self.assertEqual((again.calls, again.activities), (0, 0), "never a second activity while at risk")
        self.assertEqual(len(self._activities(self.drifting)), 1)

    def test_a_rerun_rewrites_only_the_cases_that_changed(self):
        """Each run notes on the open cases why a customer got no activity; a case whose note is the same
        keeps its row (same physical row version), and one whose reason moved is rewritten."""
        self._schedule()
        Case = self.env["crm.relationship.retention.case"]
        skipped = Case.search([("partner_id", "=", self.do_not_contact.id), ("date_end", "=", False)])
        drifting = Case.search([("partner_id", "=", self.drifting.id), ("date_end", "=", False)])
        self.assertEqual(skipped.no_action_reason, "do_not_contact")

        def row_versions():
            self.env.cr.execute(
                "SELECT id, ctid::text FROM crm_relationship_retention_case WHERE id = ANY(%s)",
                [[skipped.id, drifting.id]],
            )
            return dict(self.env.cr.fetchall())

        before = row_versions()
        self._schedule()
        self.assertEqual(row_versions(), before, "nothing changed: no case rewritten")
        write_figures(self.do_not_contact, {"rel_rfm_recency": 140})
        self._schedule()
        after = row_versions()
        self.assertNotEqual(after[skipped.id], before[skipped.id], "its reason now says 20 weeks")
        self.assertEqual(after[drifting.id], before[drifting.id])
        skipped.invalidate_recordset()
        self.assertIn("nothing for 20 weeks", skipped.reason)
        self.assertEqual(skipped.no_action_reason, "do_not_contact")

    def test_a_customer_who_recovers_and_drifts_again_gets_a_new_activity(self):
        self._schedule()
        self._activities(self.drifting).action_feedback(feedback="Called, they will order next week.")
        write_figures(self.drifting, {"rel_lifecycle_stage": "active"})
        self._schedule()
        self.assertFalse(self.drifting.rel_retention_flagged)
        write_figures(self.drifting, {"rel_lifecycle_stage": "at_risk"})
        result = self._schedule()
        self.assertEqual(result.activities, 1)
        self.assertEqual(len(self._activities(self.drifting)), 1, "the done one is in the chatter, one open")

    def test_activity_in_the_language_of_who_does_it(self):
        """The nightly run writes in OdooBot's English; a Chinese-speaking salesperson reads the to-do in
        Chinese, and a rerun in another language still finds it already planned."""
        self.env.ref("base.lang_zh_CN").sudo().action_unarchive()
        self.env["ir.module.module"]._load_module_terms(["crm_relationship"], ["zh_CN"], overwrite=True)
        self.salesperson.lang = "zh_CN"
        self._schedule()
        todo = self._activities(self.drifting) or self.env["mail.activity"].search(
            [("res_model", "=", "res.partner"), ("res_id", "=", self.drifting.id), ("summary", "like", "客户挽留")]
        )
        self.assertEqual(todo.summary, "客户挽留：客户正在流失")
        self.assertIn("每 6 周购买一次；已 19 周没有购买；价值排名前 10%", todo.note)
        Retention = self.env["crm.relationship.retention"].with_user(self.relationship_manager)
        again = Retention.with_context(lang="en_US")._schedule_for_company(self.company)
        self.assertEqual((again.calls, again.activities), (0, 0), "the Chinese wording is the same activity")
        case = self.env["crm.relationship.retention.case"].search([("partner_id", "=", self.drifting.id)])
        self.assertEqual(case.activity_id, todo, "the case points at the activity planned in Chinese")

    def test_many_customers_get_their_own_activity_in_one_run(self):
        """Past the first, activities are inserted in bulk: each still has its customer, user, reason and
        deadline, the salesperson follows the customer, and the queries do not grow with the customers."""
        self.env["ir.config_parameter"].set_param("crm_relationship.retention_value_top_percent", 100)
        Partner = self.env["res.partner"]
        second = new_test_user(self.env, "ret_sales_2", groups="sales_team.group_sale_salesman")

        def drifting(count, prefix):
            partners = Partner.create(
                [
                    {
                        "name": f"{prefix}{index}",
                        "email": f"{prefix}{index}@example.com",
                        "tz": "UTC",
                        "user_id": (self.salesperson if index % 2 else second).id,
                    }
                    for index in range(count)
                ]
            )
            write_figures(
                partners,
                {
                    "rel_company_id": self.company.id,
                    "rel_rfm_segment": "at_risk",
                    "rel_rfm_monetary": 5000,
                    "rel_rfm_recency": 140,
                    "rel_lifecycle_stage": "at_risk",
                    "rel_clv_probability_alive": 0.2,
                },
            )
            return partners

        self._schedule()  # the customers of setUpClass
        few = drifting(3, "few")
        self.env.flush_all()
        before = self.env.cr.sql_log_count
        self.assertEqual(self._schedule().activities, 3)
        few_queries = self.env.cr.sql_log_count - before
        many = drifting(12, "many")
        self.env.flush_all()
        before = self.env.cr.sql_log_count
        self.assertEqual(self._schedule().activities, 12)
        self.assertLessEqual(self.env.cr.sql_log_count - before, few_queries + 2)
        for partner in few | many:
            activity = self._activities(partner)
            self.assertEqual(len(activity), 1, partner.name)
            self.assertEqual(activity.user_id, partner.user_id)
            self.assertEqual(activity.res_name, partner.display_name)
            self.assertEqual(activity.date_deadline, fields.Date.today())
            self.assertIn("Bought once; nothing for 20 weeks", activity.note)
            self.assertIn(partner.user_id.partner_id, partner.message_partner_ids, "the salesperson follows")
            self.assertTrue(activity.with_user(partner.user_id).has_access("read"))
