from datetime import date, datetime
from unittest.mock import patch

import pytz
from freezegun import freeze_time

from odoo import fields
from odoo.exceptions import AccessError, UserError
from odoo.tests import TransactionCase, tagged

from ..wizard import crm_relationship_segment_action
from .common_roles import RolesMixin

# Monday 2 March 2026, 07:00 UTC = 08:00 in Paris
MONDAY_7_UTC = datetime(2026, 3, 2, 7, 0)


@tagged("post_install", "-at_install")
class TestSegmentAction(RolesMixin, TransactionCase):
    """Act on a customer list: one activity each or one email template, through the outbound policy."""

    @classmethod
    def setUpClass(cls):
        super().setUpClass()
        cls.setup_roles()
        cls.weekday = {day.sequence: day for day in cls.env["crm.relationship.weekday"].search([])}
        Partner = cls.env["res.partner"]

        def customer(name, **values):
            partner = Partner.create({"name": name, "email": f"{name.lower()}@example.com", "tz": "Europe/Paris"})
            partner.write(values)
            partner._rel_set_consent("email", "marketing", True, "backoffice")
            return partner

        cls.anytime = customer("Anna", user_id=cls.salesperson.id)
        cls.evenings = customer(
            "Erik",
            rel_contact_window_weekday_ids=[fields.Command.set([cls.weekday[2].id])],
            rel_contact_window_start=18.0,
            rel_contact_window_end=20.0,
        )
        cls.caller = customer("Paul", rel_preferred_contact_channel="phone", phone="+33 1 23 45 67 89")
        cls.caller._rel_set_consent("phone", "marketing", True, "backoffice")
        cls.caller.user_id = cls.salesperson
        cls.do_not_contact = customer("Dora", rel_preferred_contact_channel="none")
        cls.silent = Partner.create({"name": "Silas", "email": "silas@example.com", "tz": "Europe/Paris"})
        cls.no_email = customer("Nemo", email=False)
        cls.no_tz = customer("Theo", tz=False, rel_contact_window_start=9.0, rel_contact_window_end=17.0)
        cls.empty_window = customer("Wanda", rel_contact_window_start=9.0, rel_contact_window_end=17.0)
        # an imported window that starts when it ends: the form refuses it, the database may still hold one
        cls.env.flush_all()
        cls.env.cr.execute("UPDATE res_partner SET rel_contact_window_end = 9.0 WHERE id = %s", [cls.empty_window.id])
        cls.empty_window.invalidate_recordset()
        cls.everyone = (
            cls.anytime
            | cls.evenings
            | cls.caller
            | cls.do_not_contact
            | cls.silent
            | cls.no_email
            | cls.no_tz
            | cls.empty_window
        )
        cls.template = cls.env["mail.template"].create(
            {
                "name": "Spring collection",
                "model_id": cls.env["ir.model"]._get_id("res.partner"),
                "subject": "Our spring collection",
                "body_html": "<p>Dear <t t-out='object.name'/>, our spring collection is here.</p>",
                "email_to": "{{ object.email_formatted }}",
            }
        )

    def _wizard(self, user, partners, **values):
        Wizard = (
            self.env["crm.relationship.segment.action"]
            .with_user(user)
            .with_context(active_model="res.partner", active_ids=partners.ids)
        )
        return Wizard.create(values)

    def _activities(self, partners):
        return self.env["mail.activity"].search([("res_model", "=", "res.partner"), ("res_id", "in", partners.ids)])

    def _mails(self):
        return self.env["mail.mail"].search([("subject", "=", "Our spring collection")])

    def test_relationship_user_schedules_an_activity_for_each_customer(self):
        todo = self.env.ref("mail.mail_activity_data_todo")
        wizard = self._wizard(
            self.relationship_user, self.everyone, activity_type_id=todo.id, summary="Present the spring collection"
        )
        self.assertEqual(wizard.partner_count, 8)
        with freeze_time(MONDAY_7_UTC):
            action = wizard.action_run()
        self.assertEqual((action["res_model"], action["res_id"], action["target"]), (wizard._name, wizard.id, "new"))
        self.assertEqual(wizard.state, "done")
        self.assertEqual((wizard.activity_count, wizard.call_count, wizard.skipped_count), (2, 1, 5))
        self.assertEqual(
            wizard.skipped_summary.splitlines(),
            [
                "1: Do Not Contact",
                "1: contact window empty or invalid",
                "1: no consent for this purpose and channel",
                "1: no email address",
                "1: no timezone for the contact window",
            ],
        )
        anytime = self._activities(self.anytime)
        self.assertEqual(anytime.activity_type_id, todo)
        self.assertEqual(anytime.summary, "Present the spring collection")
        self.assertEqual(anytime.user_id, self.salesperson, "the customer's salesperson")
        self.assertEqual(anytime.date_deadline, date(2026, 3, 2))
        evenings = self._activities(self.evenings)
        self.assertEqual(evenings.user_id, self.relationship_user, "no salesperson: whoever ran it")
        self.assertEqual(evenings.date_deadline, date(2026, 3, 4), "due on the Wednesday of the contact window")
        call = self._activities(self.caller)
        self.assertEqual(call.activity_type_id, self.env.ref("mail.mail_activity_data_call"), "prefers the phone")
        skipped = self.do_not_contact | self.silent | self.no_email | self.no_tz | self.empty_window
        self.assertFalse(self._activities(skipped))

        again = self._wizard(
            self.relationship_user, self.everyone, activity_type_id=todo.id, summary="Present the spring collection"
        )
        again.action_run()
        self.assertEqual((again.activity_count, again.call_count), (0, 0))
        self.assertIn("2: the same activity is already planned", again.skipped_summary)
        self.assertIn("1: a call is already planned", again.skipped_summary)
        self.assertEqual(len(self._activities(self.everyone)), 3, "running it twice plans nothing twice")

    def test_activities_on_a_chosen_user_and_calls_checked_on_the_phone_consent(self):
        call_type = self.env.ref("mail.mail_activity_data_call")
        wizard = self._wizard(
            self.relationship_user,
            self.anytime | self.evenings | self.caller,
            activity_type_id=call_type.id,
            assign_to="user",
            user_id=self.relationship_manager.id,
        )
        with freeze_time(MONDAY_7_UTC):
            wizard.action_run()
        # a call for everyone: only the customer who gave phone consent for marketing is called
        self.assertEqual((wizard.call_count, wizard.skipped_count), (1, 2))
        self.assertEqual(wizard.skipped_summary, "2: no consent for this purpose and channel")
        self.assertEqual(self._activities(self.caller).user_id, self.relationship_manager)

        with self.assertRaises(UserError):
            self._wizard(self.relationship_user, self.anytime, assign_to="user").action_run()

    def test_relationship_user_sends_a_template_in_the_contact_window(self):
        wizard = self._wizard(self.relationship_user, self.everyone, mode="email", template_id=self.template.id)
        with freeze_time(MONDAY_7_UTC):
            wizard.action_run()
        self.assertEqual(
            (wizard.sent_count, wizard.scheduled_count, wizard.call_count, wizard.skipped_count), (1, 1, 1, 5)
        )
        mails = self._mails()
        self.assertEqual(len(mails), 2)
        by_address = {mail.recipient_ids.email: mail for mail in mails}
        self.assertFalse(by_address[self.anytime.email].scheduled_date, "inside the window: now")
        wednesday_6pm_paris = pytz.timezone("Europe/Paris").localize(datetime(2026, 3, 4, 18, 0))
        self.assertEqual(
            by_address[self.evenings.email].scheduled_date,
            wednesday_6pm_paris.astimezone(pytz.utc).replace(tzinfo=None),
        )
        self.assertIn("Anna", by_address[self.anytime.email].body_html)
        call = self._activities(self.caller)
        self.assertEqual(call.summary, "Call instead of the email “Spring collection”")
        self.assertEqual(call.user_id, self.salesperson)

    def test_a_deleted_template_skips_the_emails_and_the_run_goes_on(self):
        wizard = self._wizard(self.relationship_user, self.everyone, mode="email", template_id=self.template.id)
        self.template.unlink()
        with freeze_time(MONDAY_7_UTC):
            wizard.action_run()
        self.assertEqual((wizard.sent_count, wizard.scheduled_count, wizard.call_count), (0, 0, 1))
        self.assertIn("2: email template missing", wizard.skipped_summary)
        self.assertFalse(self._mails())

    def test_salesperson_neither_sees_nor_runs_it(self):
        bindings = self.env["ir.actions.actions"].with_user(self.salesperson).get_bindings("res.partner")
        action = self.env.ref("crm_relationship.crm_relationship_segment_action_action")
        self.assertNotIn(action.id, [binding["id"] for binding in bindings.get("action", [])])
        user_bindings = self.env["ir.actions.actions"].with_user(self.relationship_user).get_bindings("res.partner")
        self.assertIn(action.id, [binding["id"] for binding in user_bindings.get("action", [])])
        with self.assertRaises(AccessError):
            self._wizard(self.salesperson, self.everyone, mode="email", template_id=self.template.id)
        # nor through a wizard a Relationship User prepared
        wizard = self._wizard(self.relationship_user, self.everyone, mode="email", template_id=self.template.id)
        with self.assertRaises(AccessError):
            wizard.with_user(self.salesperson).action_run()
        self.assertEqual(wizard.state, "draft")
        self.assertFalse(self._mails())
        self.assertFalse(self._activities(self.everyone))

    def test_large_selections_go_in_batches_of_constant_queries(self):
        Partner = self.env["res.partner"]

        def customers(count, prefix):
            partners = Partner.create(
                [{"name": f"{prefix}{index}", "email": f"{prefix}{index}@example.com"} for index in range(count)]
            )
            partners.user_id = self.salesperson
            return partners

        small, large = customers(5, "small"), customers(40, "large")
        counts = {}
        for name, partners in (("small", small), ("large", large)):
            wizard = self._wizard(self.relationship_user, partners, purpose="service", summary=f"Visit {name}")
            self.env.flush_all()
            self.env.invalidate_all()
            before = self.env.cr.sql_log_count
            wizard.action_run()
            self.env.flush_all()
            counts[name] = self.env.cr.sql_log_count - before
            self.assertEqual(wizard.activity_count, len(partners))
        self.assertLessEqual(counts["large"], counts["small"] + 2, counts)

        with patch.object(crm_relationship_segment_action, "BATCH_SIZE", 15):
            more = customers(40, "more")
            wizard = self._wizard(self.relationship_user, more, purpose="service", summary="Visit more")
            wizard.action_run()
        self.assertEqual(wizard.activity_count, 40)
        self.assertEqual(len(self._activities(more)), 40)
