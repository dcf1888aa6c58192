from datetime import date

from odoo.tests import TransactionCase, new_test_user, tagged

BEFORE_ANY_ORDER = date(2000, 1, 3)


@tagged("post_install", "-at_install")
class TestAnalysisLocale(TransactionCase):
    """What an analysis run writes is in the language of whoever ran it: the manager who pressed Run,
    or the scheduled action's user; what is computed on reading (its name, the small-base note) follows
    the reader."""

    @classmethod
    def setUpClass(cls):
        super().setUpClass()
        cls.env["res.lang"]._activate_lang("zh_CN")
        managers = {}
        for lang in ("zh_CN", "en_US"):
            managers[lang] = new_test_user(
                cls.env,
                f"analysis_{lang.lower()}",
                groups="crm_relationship.group_relationship_manager",
                lang=lang,
            )
        cls.managers = managers
        cls.cron = cls.env.ref("crm_relationship.ir_cron_relationship_analysis")

    def _run_as(self, user):
        # context_get reads the environment's user: the manager's own language and timezone
        env = self.env(user=user, context=user.with_user(user).context_get())
        run = env["crm.relationship.analysis"].create({"date_as_of": BEFORE_ANY_ORDER})
        run.action_run()
        return run

    def test_a_run_writes_in_the_language_of_who_ran_it(self):
        chinese = self._run_as(self.managers["zh_CN"])
        english = self._run_as(self.managers["en_US"])
        self.assertEqual((chinese.state, english.state), ("done", "done"))
        self.assertIn("截至该日期没有已确认的销售订单", chinese.message)
        self.assertIn("客户挽留：", chinese.message)
        self.assertNotIn("Retention", chinese.message)
        self.assertNotIn("nothing to analyse", chinese.message)
        self.assertIn("No confirmed sales orders up to this date: nothing to analyse.", english.message)
        self.assertIn("Retention: 0 calls and 0 to-do activities planned.", english.message)
        self.assertNotIn("客户", english.message)

    def test_the_name_follows_the_reader(self):
        run = self._run_as(self.managers["en_US"])
        self.assertEqual(run.with_context(lang="en_US").name, "Analysis as of 2000-01-03")
        run.invalidate_recordset(["name"])  # each request computes it anew, in its reader's language
        chinese = run.with_user(self.managers["zh_CN"]).with_context(lang="zh_CN")
        self.assertEqual(chinese.name, "截至 2000-01-03 的分析")

    def test_the_scheduled_run_writes_in_the_language_of_its_user(self):
        """As the scheduler does: the job's server action, as the job's user with that user's context."""
        user = self.cron.user_id
        for lang, expected, absent in (("zh_CN", "客户挽留：", "Retention"), ("en_US", "Retention: ", "客户挽留")):
            with self.subTest(lang=lang):
                user.lang = lang
                context = user.with_user(user).context_get()
                self.cron.ir_actions_server_id.with_user(user).with_context(**context).run()
                run = self.env["crm.relationship.analysis"].search([("holdout_weeks", "=", 0)], limit=1)
                self.assertEqual(run.state, "done")
                self.assertIn(expected, run.message)
                self.assertNotIn(absent, run.message)
