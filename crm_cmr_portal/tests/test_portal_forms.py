import base64
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
                "preferred_contact_channel": "phone",
                "weekday_ids": [monday.id],
                "contact_window_start": "09:30",
                "contact_window_end": "17:00",
                "interest_ids": [category.id],
            },
        )
        self.assertEqual(response.status_code, 303)
        self.assertEqual(self.alice.preferred_contact_channel, "phone")
        self.assertEqual(self.alice.contact_window_weekday_ids, monday)
        self.assertAlmostEqual(self.alice.contact_window_start, 9.5)
        self.assertEqual(self.alice.interest_category_ids, category)
        self.assertTrue(any("Profile updated from Portal" in body for body in self.alice.message_ids.mapped("body")))

    def test_bad_preferences_are_refused_and_change_nothing(self):
        self.login(self.alice_user)
        self.alice.preferred_contact_channel = "email"
        for data in (
            {"preferred_contact_channel": "pigeon"},
            {"preferred_contact_channel": "phone", "contact_window_start": "25:99"},
            {"preferred_contact_channel": "phone", "weekday_ids": ["abc"]},
            {"preferred_contact_channel": "phone", "weekday_ids": ["99999999999"]},
            {"preferred_contact_channel": "phone", "interest_ids": ["-1"]},
            {"preferred_contact_channel": "phone", "contact_window_start": "18:00", "contact_window_end": "08:00"},
        ):
            with self.subTest(data=data):
                response = self.post("/my/relationship/preferences", data)
                self.assertEqual(response.status_code, 400)
                self.assertIn("alert-danger", response.text)
                self.alice.invalidate_recordset()
                self.assertEqual(self.alice.preferred_contact_channel, "email")

    def test_empty_choices_are_no_choice(self):
        """A form sent with every field empty (as a bare browser or a fuzzer sends it) clears the choices."""
        self.login(self.alice_user)
        self.alice.contact_window_weekday_ids = self.env.ref("crm_relationship.weekday_monday")
        response = self.post(
            "/my/relationship/preferences",
            {
                "preferred_contact_channel": "",
                "weekday_ids": "",
                "interest_ids": "",
                "contact_window_start": "",
                "contact_window_end": "",
            },
        )
        self.assertEqual(response.status_code, 303)
        self.alice.invalidate_recordset()
        self.assertFalse(self.alice.contact_window_weekday_ids)

    def test_consents_are_logged_with_portal_source(self):
        self.login(self.alice_user)
        response = self.post("/my/relationship/consent", {"consent_email_marketing": "on"})
        self.assertEqual(response.status_code, 303)
        self.assertTrue(self.alice._has_relationship_consent("email", "marketing"))
        log = self.env["crm.relationship.consent.log"].search([("partner_id", "=", self.alice.id)])
        self.assertEqual(log.mapped("source"), ["portal"])
        self.assertEqual(log.user_id, self.alice_user)
        # withdrawing: nothing ticked
        self.post("/my/relationship/consent", {})
        self.assertFalse(self.alice._has_relationship_consent("email", "marketing"))
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
        self.post("/my/relationship/household", {"name": "Carol", "relationship_role": "Daughter"})
        member = self.alice.child_ids.filtered(lambda c: c.name == "Carol")
        self.assertEqual(member.relationship_role, "Daughter")
        self.post(f"/my/relationship/household/{member.id}/remove")
        self.assertFalse(member.active)

    # ------------------------------------------------------------------ complaints
    def test_submit_complaint_with_order_product_and_file(self):
        self.login(self.alice_user)
        response = self.post(
            "/my/complaints/new",
            {
                "subject": "Leaking machine",
                "description": "Water everywhere",
                "category_id": self.category.id,
                "sale_order_id": self.order.id,
                "product_id": self.product.id,
            },
            files={"attachments": ("photo.png", base64.b64decode(PNG), "image/png")},
        )
        self.assertEqual(response.status_code, 303, response.text[:500])
        complaint = self.env["crm.complaint"].search([("partner_id", "=", self.alice.id)])
        self.assertEqual(complaint.channel, "portal")
        self.assertEqual(complaint.sale_order_id, self.order)
        self.assertEqual(complaint.product_id, self.product)
        attachment = self.env["ir.attachment"].search(
            [("res_model", "=", "crm.complaint"), ("res_id", "=", complaint.id)]
        )
        self.assertEqual(attachment.mimetype, "image/png")
        self.assertIn(f"/my/complaints/{complaint.id}", response.headers["Location"])

    def test_complaint_form_refuses_bad_input(self):
        self.login(self.alice_user)
        cases = [
            {"subject": "", "description": "x"},
            {"subject": "x" * 201, "description": "x"},
            {"subject": "Other's order", "description": "x", "sale_order_id": self.bob_order.id},
            {
                "subject": "Bad product",
                "description": "x",
                "sale_order_id": self.order.id,
                "product_id": self.other_product.id,
            },
            {"subject": "Bad id", "description": "x", "sale_order_id": "1 OR 1=1"},
            {"subject": "Bad category", "description": "x", "category_id": 999999},
        ]
        for data in cases:
            with self.subTest(data=data):
                response = self.post("/my/complaints/new", data)
                self.assertEqual(response.status_code, 400)
                self.assertIn("alert-danger", response.text)
        self.assertFalse(self.env["crm.complaint"].search([("partner_id", "=", self.alice.id)]))

    def test_attachment_type_and_size_are_limited(self):
        self.login(self.alice_user)
        data = {"subject": "With a file", "description": "See file"}
        response = self.post(
            "/my/complaints/new",
            data,
            files={"attachments": ("run.exe", b"MZ\x90\x00" * 10, "application/octet-stream")},
        )
        self.assertEqual(response.status_code, 400)
        big = b"%PDF-1.4\n" + b"0" * (5 * 1024 * 1024 + 1)
        response = self.post("/my/complaints/new", data, files={"attachments": ("big.pdf", big, "application/pdf")})
        self.assertEqual(response.status_code, 400)
        self.assertFalse(self.env["crm.complaint"].search([("partner_id", "=", self.alice.id)]))

    def test_complaints_are_rate_limited(self):
        self.login(self.alice_user)
        for i in range(5):
            self.assertEqual(self.post("/my/complaints/new", {"subject": f"S{i}", "description": "d"}).status_code, 303)
        response = self.post("/my/complaints/new", {"subject": "One too many", "description": "d"})
        self.assertEqual(response.status_code, 400)
        self.assertIn("many requests", response.text)
        self.assertEqual(self.env["crm.complaint"].search_count([("partner_id", "=", self.alice.id)]), 5)

    def test_reopen_closed_complaint_and_rate(self):
        complaint = self.complaint_for(self.alice)
        complaint.write(
            {
                "resolution": "<p>Replaced</p>",
                "root_cause_id": self.cause.id,
                "stage_id": self.env.ref("crm_relationship.crm_complaint_stage_resolved").id,
            }
        )
        self.login(self.alice_user)
        page = self.url_open(f"/my/complaints/{complaint.id}").text
        self.assertIn("/rate/", page)
        self.assertIn("Reopen the complaint", page)
        response = self.post(f"/my/complaints/{complaint.id}/reopen", {"reason": "It broke again"})
        self.assertEqual(response.status_code, 303)
        self.assertFalse(complaint.is_closed)
        self.assertEqual(complaint.reopen_count, 1)
        self.assertTrue(any("It broke again" in body for body in complaint.message_ids.mapped("body")))

    def test_customer_replies_in_the_chatter(self):
        complaint = self.complaint_for(self.alice)
        self.login(self.alice_user)
        self.make_jsonrpc_request(
            "/mail/message/post",
            {
                "thread_model": "crm.complaint",
                "thread_id": complaint.id,
                "post_data": {"body": "Any news?", "message_type": "comment"},
            },
        )
        self.assertEqual(complaint.message_ids[:1].author_id, self.alice)

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

    # ------------------------------------------------------------------ NPS
    def test_nps_answer_once_without_login(self):
        response_record = self.env["crm.relationship.nps"].create({"partner_id": self.alice.id})
        token = response_record.access_token
        self.authenticate(None, None)
        page = self.url_open(f"/my/nps/{token}")
        self.assertEqual(page.status_code, 200)
        answer = self.post(f"/my/nps/{token}", {"score": "9", "comment": "Great"}, allow_redirects=True)
        self.assertEqual(answer.status_code, 200)
        self.assertEqual(response_record.state, "answered")
        self.assertEqual(response_record.score, 9)
        again = self.post(f"/my/nps/{token}", {"score": "0"})
        self.assertEqual(again.status_code, 400)
        self.assertEqual(response_record.score, 9)
        self.assertEqual(self.url_open("/my/nps/not-a-token").status_code, 404)

    def test_nps_bad_score(self):
        response_record = self.env["crm.relationship.nps"].create({"partner_id": self.alice.id})
        self.authenticate(None, None)
        for score in ("11", "-1", "ten", ""):
            with self.subTest(score=score):
                answer = self.post(f"/my/nps/{response_record.access_token}", {"score": score})
                self.assertEqual(answer.status_code, 400)
        self.assertEqual(response_record.state, "sent")

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

    def test_erasure_request_then_anonymise(self):
        self.login(self.alice_user)
        self.post("/my/relationship/need", {"name": "Personal wish"})
        self.assertEqual(self.post("/my/privacy/erase", {}).status_code, 400)
        self.assertEqual(self.post("/my/privacy/erase", {"confirm": "yes"}).status_code, 303)
        self.post("/my/privacy/erase", {"confirm": "yes"})
        activity_type = self.env.ref("crm_cmr_portal.mail_activity_type_erasure")
        activities = self.alice.activity_ids.filtered(lambda a: a.activity_type_id == activity_type)
        self.assertEqual(len(activities), 1, "asking twice schedules one task")
        self.assertTrue(self.alice.cmr_erasure_requested_on)
        self.alice.action_cmr_anonymise()
        self.assertNotIn("Alice", self.alice.name)
        self.assertFalse(self.alice.email)
        self.assertFalse(self.alice_user.active)
        self.assertFalse(self.env["crm.relationship.need"].search([("partner_id", "=", self.alice.id)]))
        # the order, its amounts and the customer link stay
        self.assertEqual(self.order.partner_id, self.alice)
        self.assertEqual(self.order.amount_untaxed, 300.0)
        self.assertFalse(self.alice.activity_ids.filtered(lambda a: a.activity_type_id == activity_type))


PNG = "iVBORw0KGgoAAAANSUhEUgAAAAEAAAABCAYAAAAfFcSJAAAADUlEQVR42mNkYPhfDwAChwGA60e6kgAAAABJRU5ErkJggg=="
