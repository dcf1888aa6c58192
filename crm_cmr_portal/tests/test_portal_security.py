from odoo.exceptions import AccessError
from odoo.tests import tagged
from odoo.tools import mute_logger

from .common import PortalCase


@tagged("post_install", "-at_install")
class TestPortalSecurity(PortalCase):
    def test_other_customers_records_cannot_be_changed(self):
        theirs = self.complaint_for(self.bob)
        need = self.env["crm.relationship.need"].create({"name": "Bob's need", "partner_id": self.bob.id})
        member = self.env["res.partner"].create({"name": "Bob junior", "parent_id": self.bob.id})
        self.login(self.alice_user)
        with mute_logger("odoo.http"):
            self.assertEqual(self.post(f"/my/complaints/{theirs.id}/reopen").status_code, 404)
            self.assertEqual(self.post(f"/my/relationship/need/{need.id}/withdraw").status_code, 404)
            self.assertEqual(self.post("/my/relationship/need", {"need_id": need.id, "name": "mine"}).status_code, 404)
            self.assertEqual(self.post(f"/my/relationship/household/{member.id}/remove").status_code, 404)
        self.assertEqual(need.name, "Bob's need")
        self.assertEqual(need.state, "open")
        self.assertTrue(member.active)

    def test_record_rules_confine_portal_users_without_controllers(self):
        theirs = self.complaint_for(self.bob)
        env = self.env(user=self.alice_user)
        self.assertFalse(env["crm.complaint"].search([("id", "=", theirs.id)]))
        with self.assertRaises(AccessError):
            env["crm.complaint"].browse(theirs.id).read(["subject"])
        with self.assertRaises(AccessError):
            env["crm.relationship.need"].create({"name": "Sneaky", "partner_id": self.bob.id})
        with self.assertRaises(AccessError):
            env["crm.relationship.consent.log"].create(
                {
                    "partner_id": self.alice.id,
                    "channel": "email",
                    "purpose": "marketing",
                    "source": "portal",
                    "user_id": self.alice_user.id,
                }
            )

    def test_posts_without_csrf_token_are_refused(self):
        self.login(self.alice_user)
        self.alice.rel_preferred_contact_channel = "email"
        with mute_logger("odoo.http"):
            for url, data in (
                ("/my/relationship/preferences", {"rel_preferred_contact_channel": "phone"}),
                ("/my/complaints/new", {"subject": "x", "description": "y"}),
                ("/my/suggestions", {"name": "x"}),
                ("/my/privacy/erase", {"confirm": "yes"}),
            ):
                with self.subTest(url=url):
                    response = self.post(url, data, csrf=False)
                    self.assertEqual(response.status_code, 400)
        self.assertEqual(self.alice.rel_preferred_contact_channel, "email")
        self.assertFalse(self.env["crm.complaint"].search([("partner_id", "=", self.alice.id)]))
        self.assertFalse(self.alice.rel_erasure_requested_on)

    def test_text_is_escaped_on_display(self):
        self.login(self.alice_user)
        script = '<script>alert("x")</script>'
        self.post("/my/relationship/need", {"name": script})
        self.post("/my/suggestions", {"name": script, "description": script})
        self.post("/my/complaints/new", {"subject": script, "description": script})
        for url in ("/my/relationship", "/my/suggestions", "/my/complaints"):
            with self.subTest(url=url):
                page = self.url_open(url).text
                self.assertNotIn(script, page)
                self.assertIn("&lt;script&gt;", page)
        complaint = self.env["crm.complaint"].search([("partner_id", "=", self.alice.id)])
        self.assertNotIn("<script", self.url_open(f"/my/complaints/{complaint.id}").text.split("</head>")[1])

    def test_export_only_holds_own_records(self):
        self.complaint_for(self.bob, subject="Bob only")
        self.login(self.alice_user)
        content = self.post("/my/privacy/export").content
        self.assertNotIn(b"Bob only", content)
