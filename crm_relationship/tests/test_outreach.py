from datetime import datetime

import pytz

from odoo import fields
from odoo.exceptions import AccessError
from odoo.tests import TransactionCase, tagged

from ..models.crm_relationship_outreach import OutreachResult
from .common_roles import RolesMixin

# Monday 2 March 2026, 07:00 UTC = 08:00 in Paris
MONDAY_7_UTC = datetime(2026, 3, 2, 7, 0)


@tagged("post_install", "-at_install")
class TestOutreachPolicy(RolesMixin, TransactionCase):
    """The one outbound policy: consent, Do Not Contact, blacklist, preferred channel and contact window."""

    @classmethod
    def setUpClass(cls):
        super().setUpClass()
        cls.setup_roles()
        cls.weekday = {day.sequence: day for day in cls.env["crm.relationship.weekday"].search([])}
        Partner = cls.env["res.partner"]

        def customer(name, **values):
            partner = Partner.create({"name": name, "email": f"{name.lower()}@example.com", "tz": "Europe/Paris"})
            partner.write(values)
            partner._set_relationship_consent("email", "surveys", True, "backoffice")
            return partner

        cls.anytime = customer("Anna")
        cls.evenings = customer(
            "Erik",
            rel_contact_window_weekday_ids=[fields.Command.set([cls.weekday[2].id])],
            rel_contact_window_start=18.0,
            rel_contact_window_end=20.0,
        )
        cls.caller = customer("Paul", rel_preferred_contact_channel="phone", phone="+33 1 23 45 67 89")
        cls.caller._set_relationship_consent("phone", "surveys", True, "backoffice")
        cls.caller.user_id = cls.salesperson
        cls.do_not_contact = customer("Dora", rel_preferred_contact_channel="none")
        cls.silent = Partner.create({"name": "Silas", "email": "silas@example.com"})
        cls.blacklisted = customer("Bella")
        cls.env["mail.blacklist"]._add(cls.blacklisted.email)
        cls.no_email = customer("Nemo", email=False)
        cls.no_tz = customer("Theo", tz=False, rel_contact_window_start=9.0, rel_contact_window_end=17.0)
        cls.everyone = (
            cls.anytime
            | cls.evenings
            | cls.caller
            | cls.do_not_contact
            | cls.silent
            | cls.blacklisted
            | cls.no_email
            | cls.no_tz
        )

    def test_plan_decides_channel_moment_or_reason(self):
        plan = self.env["crm.relationship.outreach"]._plan(self.everyone, "surveys", now=MONDAY_7_UTC)
        wednesday_6pm_paris = pytz.timezone("Europe/Paris").localize(datetime(2026, 3, 4, 18, 0))
        self.assertEqual(
            plan,
            {
                self.anytime.id: ("email", False),
                self.evenings.id: ("email", wednesday_6pm_paris.astimezone(pytz.utc).replace(tzinfo=None)),
                self.caller.id: ("call", False),
                self.do_not_contact.id: ("skip", "do_not_contact"),
                self.silent.id: ("skip", "no_consent"),
                self.blacklisted.id: ("skip", "blacklisted"),
                self.no_email.id: ("skip", "no_email"),
                self.no_tz.id: ("skip", "no_timezone"),
            },
        )

    def test_inside_the_window_is_now_and_after_it_the_next_day(self):
        Outreach = self.env["crm.relationship.outreach"]
        self.anytime.write({"rel_contact_window_start": 8.0, "rel_contact_window_end": 12.0})
        self.assertEqual(Outreach._plan(self.anytime, "surveys", now=MONDAY_7_UTC)[self.anytime.id], ("email", False))
        late = MONDAY_7_UTC.replace(hour=15)  # 16:00 in Paris, after the window
        self.assertEqual(
            Outreach._plan(self.anytime, "surveys", now=late)[self.anytime.id], ("email", datetime(2026, 3, 3, 7, 0))
        )

    def test_transactional_needs_only_an_address(self):
        plan = self.env["crm.relationship.outreach"]._plan(self.everyone, "transactional", now=MONDAY_7_UTC)
        self.assertEqual(
            {pid for pid, (channel, when) in plan.items() if channel == "email" and not when},
            set((self.everyone - self.no_email).ids),
        )

    def test_service_is_sent_unless_withdrawn(self):
        Outreach = self.env["crm.relationship.outreach"]
        self.assertEqual(Outreach._plan(self.silent, "service")[self.silent.id], ("email", False))
        self.silent._set_relationship_consent("email", "service", False, "backoffice")
        self.assertEqual(Outreach._plan(self.silent, "service")[self.silent.id], ("skip", "no_consent"))
        self.assertEqual(Outreach._plan(self.caller, "service", calls=False)[self.caller.id], ("email", False))

    def test_relationship_user_sends_from_a_list_and_sees_the_counts(self):
        before = fields.Datetime.now()
        action = self.everyone.with_user(self.relationship_user).action_rel_send_nps()
        message = action["params"]["message"]
        self.assertIn("1 sent now, 1 scheduled in the customer's contact window, 1 calls planned.", message)
        for fragment in (
            "1 Do Not Contact",
            "1 email address blacklisted",
            "1 no consent for this purpose and channel",
            "1 no email address",
            "1 no timezone for the contact window",
        ):
            self.assertIn(fragment, message)
        responses = self.env["crm.relationship.nps"].search([("partner_id", "in", self.everyone.ids)])
        self.assertEqual(responses.partner_id, self.anytime | self.evenings | self.caller)
        mails = self.env["mail.mail"].search([("model", "=", "crm.relationship.nps"), ("res_id", "in", responses.ids)])
        self.assertEqual(len(mails), 2)
        now_mail = mails.filtered(lambda m: not m.scheduled_date)
        later_mail = mails - now_mail
        self.assertEqual(now_mail.recipient_ids, self.anytime)
        paris = pytz.utc.localize(later_mail.scheduled_date).astimezone(pytz.timezone("Europe/Paris"))
        self.assertEqual((paris.weekday(), paris.hour, paris.minute), (2, 18, 0), "Wednesday 18:00 in Paris")
        self.assertGreater(later_mail.scheduled_date, before)
        call = self.env["mail.activity"].search([("res_model", "=", "res.partner"), ("res_id", "=", self.caller.id)])
        self.assertEqual(call.activity_type_id, self.env.ref("mail.mail_activity_data_call"))
        self.assertEqual(call.user_id, self.salesperson, "the customer's salesperson calls")
        self.assertIn("/my/nps/", call.note)
        # a second press within the interval sends nothing twice
        again = self.everyone.with_user(self.relationship_user).action_rel_send_nps()
        self.assertIn("0 sent now, 0 scheduled", again["params"]["message"])
        self.assertIn("3 surveyed recently", again["params"]["message"])
        self.assertEqual(self.env["crm.relationship.nps"].search_count([("partner_id", "in", self.everyone.ids)]), 3)

    def test_salesperson_cannot_send_surveys(self):
        with self.assertRaises(AccessError):
            self.anytime.with_user(self.salesperson).action_rel_send_nps()
        self.assertFalse(self.env["crm.relationship.nps"].search([("partner_id", "=", self.anytime.id)]))
        self.assertFalse(self.env["mail.mail"].search([("model", "=", "crm.relationship.nps")]))

    def test_withdrawing_email_marketing_blacklists_and_granting_again_clears(self):
        Blacklist = self.env["mail.blacklist"].with_context(active_test=False)
        self.portal_partner.with_user(self.portal_user)._set_relationship_consent("email", "marketing", True, "portal")
        self.assertFalse(self.portal_partner.is_blacklisted)
        self.assertFalse(Blacklist.search([("email", "=", "paula@example.com")]), "granting adds no entry")
        self.portal_partner.with_user(self.portal_user)._set_relationship_consent("email", "marketing", False, "portal")
        self.portal_partner.invalidate_recordset(["is_blacklisted"])
        self.assertTrue(self.portal_partner.is_blacklisted, "mass mailing no longer reaches the address")
        entry = Blacklist.search([("email", "=", "paula@example.com")])
        self.assertIn("Email marketing consent withdrawn (Portal)", " ".join(entry.message_ids.mapped("body")))
        self.portal_partner.with_user(self.relationship_user)._set_relationship_consent(
            "email", "marketing", True, "backoffice"
        )
        self.portal_partner.invalidate_recordset(["is_blacklisted"])
        self.assertFalse(self.portal_partner.is_blacklisted)
        self.assertFalse(entry.active)
        # surveys consent does not touch the blacklist
        self.portal_partner.with_user(self.portal_user)._set_relationship_consent("email", "surveys", False, "portal")
        self.assertFalse(entry.active)

    def test_other_customer_cannot_withdraw_and_blacklist(self):
        with self.assertRaises(AccessError):
            self.portal_partner.with_user(self.other_portal_user)._set_relationship_consent(
                "email", "marketing", False, "portal"
            )
        self.assertFalse(self.env["mail.blacklist"].search([("email", "=", "paula@example.com")]))

    def test_a_call_is_never_planned_twice(self):
        Outreach = self.env["crm.relationship.outreach"]
        response = self.env["crm.relationship.nps"].create({"partner_id": self.caller.id})
        for _attempt in range(2):
            result = OutreachResult(self.env)
            Outreach._plan_calls([(response, False)], result, "Call about the survey", None, MONDAY_7_UTC)
        self.assertEqual(result.skipped, {"call_planned": 1})
        calls = self.env["mail.activity"].search([("res_model", "=", "res.partner"), ("res_id", "=", self.caller.id)])
        self.assertEqual(len(calls), 1)
        self.assertEqual(calls.date_deadline, MONDAY_7_UTC.date(), "due on the day of the slot, in the customer's zone")

    def test_a_call_without_salesperson_goes_to_whoever_runs_it_never_to_the_scheduler(self):
        self.caller.user_id = False
        response = self.env["crm.relationship.nps"].create({"partner_id": self.caller.id})
        Outreach = self.env["crm.relationship.outreach"]
        scheduler = OutreachResult(self.env)
        self.assertFalse(Outreach._plan_calls([(response, False)], scheduler, "Call", None, MONDAY_7_UTC))
        self.assertEqual(scheduler.skipped, {"no_caller": 1})
        manual = OutreachResult(self.env)
        Outreach.with_user(self.relationship_user)._plan_calls([(response, False)], manual, "Call", None, MONDAY_7_UTC)
        call = self.env["mail.activity"].search([("res_model", "=", "res.partner"), ("res_id", "=", self.caller.id)])
        self.assertEqual(call.user_id, self.relationship_user)

    def test_deleted_template_or_missing_phone_is_skipped_and_the_run_goes_on(self):
        self.env.ref("crm_relationship.mail_template_nps_invitation").unlink()
        self.caller.phone = False
        action = (
            (self.anytime | self.caller | self.do_not_contact).with_user(self.relationship_user).action_rel_send_nps()
        )
        message = action["params"]["message"]
        for fragment in ("1 email template missing", "1 no phone number", "1 Do Not Contact"):
            self.assertIn(fragment, message)
        self.assertFalse(self.env["crm.relationship.nps"].search([("partner_id", "in", self.everyone.ids)]))
