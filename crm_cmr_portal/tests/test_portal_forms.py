import io
import json
import zipfile

from odoo.tests import tagged

from .common import PortalCase


@tagged("post_install", "-at_install")
class TestPortalForms(PortalCase):
    # ------------------------------------------------------------------ profile
    def test_preferences_are_saved_through_the_profile_method(self):
        self.login(self.alice_user)
        monday = self.env.ref("crm_relationship.weekday_monday")
        category = self.env["product.category"].search([], limit=1)
        response = self.post(
            "/my/relationship/preferences",
            {
                "rel_preferred_contact_channel": "phone",
                "weekday_ids": [monday.id],
                "rel_contact_window_start": "09:30",
                "rel_contact_window_end": "17:00",
                "interest_ids": [category.id],
            },
        )
        self.assertEqual(response.status_code, 303)
        self.assertEqual(self.alice.rel_preferred_contact_channel, "phone")
        self.assertEqual(self.alice.rel_contact_window_weekday_ids, monday)
        self.assertAlmostEqual(self.alice.rel_contact_window_start, 9.5)
        self.assertEqual(self.alice.rel_interest_category_ids, category)
        self.assertTrue(any("Profile updated from Portal" in body for body in self.alice.message_ids.mapped("body")))

    def test_bad_preferences_are_refused_and_change_nothing(self):
        self.login(self.alice_user)
        self.alice.rel_preferred_contact_channel = "email"
        for data in (
            {"rel_preferred_contact_channel": "pigeon"},
            {"rel_preferred_contact_channel": "phone", "rel_contact_window_start": "25:99"},
            {"rel_preferred_contact_channel": "phone", "weekday_ids": ["abc"]},
            {"rel_preferred_contact_channel": "phone", "weekday_ids": ["99999999999"]},
            {"rel_preferred_contact_channel": "phone", "interest_ids": ["-1"]},
            {
                "rel_preferred_contact_channel": "phone",
                "rel_contact_window_start": "18:00",
                "rel_contact_window_end": "08:00",
            },
        ):
            with self.subTest(data=data):
                response = self.post("/my/relationship/preferences", data)
                self.assertEqual(response.status_code, 400)
                self.assertIn("alert-danger", response.text)
                self.alice.invalidate_recordset()
                self.assertEqual(self.alice.rel_preferred_contact_channel, "email")

    def test_empty_choices_are_no_choice(self):
        """A form sent with every field empty (as a bare browser or a fuzzer sends it) clears the choices."""
        self.login(self.alice_user)
        self.alice.rel_contact_window_weekday_ids = self.env.ref("crm_relationship.weekday_monday")
        response = self.post(
            "/my/relationship/preferences",
            {
                "rel_preferred_contact_channel": "",
                "weekday_ids": "",
                "interest_ids": "",
                "rel_contact_window_start": "",
                "rel_contact_window_end": "",
            },
        )
        self.assertEqual(response.status_code, 303)
        self.alice.invalidate_recordset()
        self.assertFalse(self.alice.rel_contact_window_weekday_ids)

    def test_consents_are_logged_with_portal_source(self):
        self.login(self.alice_user)
        response = self.post("/my/relationship/consent", {"consent_email_marketing": "on"})
        self.assertEqual(response.status_code, 303)
        self.assertTrue(self.alice._rel_has_consent("email", "marketing"))
        log = self.env["crm.relationship.consent.log"].search([("partner_id", "=", self.alice.id)])
        self.assertEqual(log.mapped("source"), ["portal"])
        self.assertEqual(log.user_id, self.alice_user)
        # withdrawing: nothing ticked
        self.post("/my/relationship/consent", {})
        self.assertFalse(self.alice._rel_has_consent("email", "marketing"))
        self.assertEqual(len(self.env["crm.relationship.consent.log"].search([("partner_id", "=", self.alice.id)])), 2)

    def test_needs_add_edit_withdraw(self):
        self.login(self.alice_user)
        self.post("/my/relationship/need", {"name": "A quieter grinder"})
        need = self.env["crm.relationship.need"].search([("partner_id", "=", self.alice.id)])
        self.assertEqual(need.name, "A quieter grinder")
        self.post("/my/relationship/need", {"need_id": need.id, "name": "A silent grinder"})
        self.assertEqual(need.name, "A silent grinder")
        self.post(f"/my/relationship/need/{need.id}/withdraw")
        self.assertEqual(need.state, "withdrawn")
        response = self.post("/my/relationship/need", {"name": "   "})
        self.assertEqual(response.status_code, 400)

    def test_household_members(self):
        self.login(self.alice_user)
        self.post("/my/relationship/household", {"name": "Carol", "rel_role": "Daughter"})
        member = self.alice.child_ids.filtered(lambda c: c.name == "Carol")
        self.assertEqual(member.rel_role, "Daughter")
        self.post(f"/my/relationship/household/{member.id}/remove")
        self.assertFalse(member.active)

    # ------------------------------------------------------------------ suggestions
    def test_suggestion_submit_and_answer_visible(self):
        self.login(self.alice_user)
        self.post("/my/suggestions", {"name": "Oat milk", "suggestion_type": "product", "description": "Please"})
        suggestion = self.env["crm.relationship.suggestion"].search([("partner_id", "=", self.alice.id)])
        self.assertEqual(suggestion.suggestion_type, "product")
        suggestion.company_answer = "<p>Coming in May</p>"
        self.assertIn("Coming in May", self.url_open("/my/suggestions").text)
        response = self.post("/my/suggestions", {"name": "x", "suggestion_type": "bogus"})
        self.assertEqual(response.status_code, 400)

    # ------------------------------------------------------------------ privacy
    def test_export_holds_every_table(self):
        self.complaint_for(self.alice)
        self.login(self.alice_user)
        response = self.post("/my/privacy/export")
        self.assertEqual(response.status_code, 200)
        self.assertEqual(response.headers["Content-Type"], "application/zip")
        archive = zipfile.ZipFile(io.BytesIO(response.content))
        data = json.loads(archive.read("data.json"))
        for table in (
            "profile",
            "consents",
            "consent_history",
            "orders",
            "complaints",
            "loyalty_ledger",
            "suggestions",
        ):
            self.assertIn(table, data)
            self.assertIn(f"{table}.csv", archive.namelist())
        self.assertEqual(data["orders"][0]["order"], self.order.name)
        self.assertEqual(len(data["complaints"]), 1)
        self.assertNotIn(self.bob_order.name, json.dumps(data))

    def test_export_holds_the_customer_own_retention_cases(self):
        Case = self.env["crm.relationship.retention.case"]
        for partner, reason in ((self.alice, "Alice drifting"), (self.bob, "Bob drifting")):
            Case.create(
                {
                    "partner_id": partner.id,
                    "company_id": self.env.company.id,
                    "date_at_risk": "2026-10-01 08:00:00",
                    "reason": reason,
                    "no_action_reason": "no_consent",
                }
            )
        self.login(self.alice_user)
        archive = zipfile.ZipFile(io.BytesIO(self.post("/my/privacy/export").content))
        data = json.loads(archive.read("data.json"))
        self.assertIn("retention.csv", archive.namelist())
        self.assertEqual([row["reason"] for row in data["retention"]], ["Alice drifting"])
        self.assertEqual(data["retention"][0]["no_action_reason"], "No consent")
        self.assertNotIn("Bob drifting", json.dumps(data))

    def test_erasure_request_then_anonymise(self):
        self.login(self.alice_user)
        self.post("/my/relationship/need", {"name": "Personal wish"})
        self.assertEqual(self.post("/my/privacy/erase", {}).status_code, 400)
        self.assertEqual(self.post("/my/privacy/erase", {"confirm": "yes"}).status_code, 303)
        self.post("/my/privacy/erase", {"confirm": "yes"})
        activity_type = self.env.ref("crm_cmr_portal.mail_activity_type_erasure")
        activities = self.alice.activity_ids.filtered(lambda a: a.activity_type_id == activity_type)
        self.assertEqual(len(activities), 1, "asking twice schedules one task")
        self.assertTrue(self.alice.rel_erasure_requested_on)
        action = self.alice.action_rel_anonymise()
        erasure = self.env["crm.relationship.erasure"].browse(action["res_id"])
        self.assertIn(self.order.name, erasure.refusal, "the order is not invoiced yet")
        self.order._action_cancel()
        self.env["crm.relationship.erasure"].create({"partner_id": self.alice.id}).action_confirm()
        self.assertNotIn("Alice", self.alice.name)
        self.assertFalse(self.alice.email)
        self.assertFalse(self.alice_user.active)
        self.assertFalse(self.env["crm.relationship.need"].search([("partner_id", "=", self.alice.id)]))
        # the cancelled order, its amounts and the customer link stay
        self.assertEqual(self.order.partner_id, self.alice)
        self.assertEqual(self.order.amount_untaxed, 300.0)
        self.assertFalse(self.alice.activity_ids.filtered(lambda a: a.activity_type_id == activity_type))
