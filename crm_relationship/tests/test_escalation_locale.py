from freezegun import freeze_time

from odoo.tests import new_test_user, tagged

from .common_complaint import ComplaintCase, at


@tagged("post_install", "-at_install")
class TestEscalationLocale(ComplaintCase):
    """The scheduler writes an escalation for someone else: in that person's language and timezone."""

    @classmethod
    def setUpClass(cls):
        super().setUpClass()
        cls.env.ref("base.lang_zh_CN").sudo().action_unarchive()
        cls.env["ir.module.module"]._load_module_terms(["crm_relationship"], ["zh_CN"], overwrite=True)
        cls.cron = cls.env.ref("crm_relationship.ir_cron_crm_complaint_escalate")
        cls.zh_leader = new_test_user(
            cls.env,
            "cmp_zh_leader",
            groups="crm_relationship.group_relationship_user",
            lang="zh_CN",
            tz="Asia/Shanghai",
        )
        cls.en_leader = new_test_user(
            cls.env,
            "cmp_en_leader",
            groups="crm_relationship.group_relationship_user",
            lang="en_US",
            tz="America/New_York",
        )
        cls.zh_team = cls.env["crm.team"].create({"name": "Care Shanghai (test)", "user_id": cls.zh_leader.id})
        cls.en_team = cls.env["crm.team"].create({"name": "Care New York (test)", "user_id": cls.en_leader.id})
        cls.zh_customer = cls.env["res.partner"].create(
            {"name": "王芳", "email": "wang@example.cn", "lang": "zh_CN", "tz": "Asia/Shanghai"}
        )
        cls.en_customer = cls.env["res.partner"].create(
            {"name": "Nora Newman", "email": "nora@example.com", "lang": "en_US", "tz": "America/New_York"}
        )

    def _run_cron(self):
        """As the scheduler does: the job's server action, as the job's user with that user's context."""
        user = self.cron.user_id
        self.cron.ir_actions_server_id.with_user(user).with_context(**user.context_get()).run()

    def _note(self, complaint, user):
        notes = complaint.with_user(user).message_ids.filtered(lambda m: m.message_type == "notification")
        self.assertEqual(len(notes), 1, "one escalation note")
        return notes

    def _activity(self, complaint, user):
        activity = (
            self.env["mail.activity"]
            .with_user(user)
            .search([("res_model", "=", "crm.complaint"), ("res_id", "=", complaint.id)])
        )
        self.assertEqual(len(activity), 1)
        self.assertEqual(activity.user_id, user)
        return activity

    def test_breach_in_chinese_and_in_english(self):
        with freeze_time(at(0, 9)):
            zh = self._complaint(partner_id=self.zh_customer.id, team_id=self.zh_team.id)
            en = self._complaint(partner_id=self.en_customer.id, team_id=self.en_team.id)
        # 16 working hours from Monday 09:00 UTC: due Wednesday 4 March 2026, 09:00 UTC
        self.assertEqual(zh.sla_resolution_deadline, at(2, 9))
        with freeze_time(at(0, 15)):  # the 4 response hours are gone: breached
            self._run_cron()

        note = self._note(zh, self.zh_leader)
        self.assertIn("已升级：投诉已违反服务水平", note.body)
        self.assertIn("2026/03/04 17:00）", note.body, "Shanghai time, zh_CN format, no seconds")
        self.assertNotIn("Escalated", note.body)
        tracking = note.sudo().tracking_value_ids
        self.assertEqual((tracking.old_value_char, tracking.new_value_char), ("一般", "高"))
        activity = self._activity(zh, self.zh_leader)
        self.assertEqual(activity.summary, "投诉已违反服务水平")

        note = self._note(en, self.en_leader)
        self.assertIn(
            "Escalated: Complaint breached its service level (resolution due 03/04/2026 04:00 AM).", note.body
        )
        tracking = note.sudo().tracking_value_ids
        self.assertEqual((tracking.old_value_char, tracking.new_value_char), ("Normal", "High"))
        self.assertEqual(self._activity(en, self.en_leader).summary, "Complaint breached its service level")
        self.assertEqual((zh.severity, en.severity), ("high", "high"))

    def test_at_risk_without_leader_follows_the_customer(self):
        with freeze_time(at(0, 9)):
            zh = self._complaint(partner_id=self.zh_customer.id)
            self.assertFalse(zh.team_id or zh.user_id)
        with freeze_time(at(0, 12)):  # 3 of the 4 response hours are gone: at risk
            self._run_cron()
        note = self._note(zh, self.zh_leader)
        self.assertIn("投诉有未达到服务水平的风险", note.body)
        self.assertIn("2026/03/04 17:00", note.body)
        self.assertFalse(note.sudo().tracking_value_ids, "an at-risk escalation leaves the severity alone")
        self.assertEqual(zh.severity, "normal")

    def test_queries_do_not_grow_with_volume(self):
        def escalation_queries(count):
            with freeze_time(at(0, 9)):
                complaints = self.env["crm.complaint"].create(
                    [
                        {
                            "subject": f"c{index}",
                            "partner_id": (self.zh_customer if index % 2 else self.en_customer).id,
                            "team_id": (self.zh_team if index % 2 else self.en_team).id,
                            "date_open": at(0, 9),
                        }
                        for index in range(count)
                    ]
                )
                complaints._refresh_sla_status(now=at(0, 15))
            self.env.flush_all()
            self.env.invalidate_all()
            before = self.env.cr.sql_log_count
            with freeze_time(at(0, 15)):
                complaints._escalate()
                self.env.flush_all()
            self.assertEqual(set(complaints.mapped("escalation_level")), {"2"})
            return self.env.cr.sql_log_count - before

        escalation_queries(2)  # warms the caches of models, fields and languages
        self.assertEqual(escalation_queries(4), escalation_queries(16))
