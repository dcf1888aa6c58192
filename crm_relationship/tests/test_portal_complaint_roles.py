from odoo.tests import tagged
from odoo.tools import mute_logger

from .common_portal import RolesComplaintPortalCase

SENTENCE = "Your account is suspended, call +1 555 0100"


@tagged("post_install", "-at_install")
class TestPortalComplaintRoles(RolesComplaintPortalCase):
    """A customer reaches only their own complaints; a visitor only with the complaint's token."""

    def test_other_customers_complaint_is_neither_shown_nor_reopened(self):
        self.login(self.portal_user)
        response = self.url_open(f"/my/complaints/{self.other_complaint.id}", allow_redirects=False)
        self.assertEqual(response.status_code, 303)
        self.assertTrue(response.headers["Location"].endswith("/my"))
        self.assertNotIn("Otto Other private trouble", self.url_open("/my/complaints").text)
        with mute_logger("odoo.http"):
            response = self.post(f"/my/complaints/{self.other_complaint.id}/reopen", {"reason": "mine now"})
        self.assertEqual(response.status_code, 404)
        self.assertTrue(self.other_complaint.is_closed)
        self.assertEqual(self.other_complaint.reopen_count, 0)
        self.assertFalse(any("mine now" in (body or "") for body in self.other_complaint.message_ids.mapped("body")))

    def test_other_customers_order_cannot_be_used(self):
        self.login(self.portal_user)
        form = self.url_open("/my/complaints/new").text
        self.assertIn(self.order.name, form)
        self.assertNotIn(self.other_order.name, form)
        for data in (
            {"subject": "Theirs", "description": "x", "sale_order_id": self.other_order.id},
            {"subject": "Their product", "description": "x", "sale_order_id": self.order.id, "product_id": 999999},
        ):
            with self.subTest(data=data):
                self.assertEqual(self.post("/my/complaints/new", data).status_code, 400)
        self.assertFalse(self.env["crm.complaint"].search([("sale_order_id", "=", self.other_order.id)]))
        self.assertFalse(self.env["crm.complaint"].search([("subject", "in", ("Theirs", "Their product"))]))

    def test_anonymous_complaint_page_needs_its_token(self):
        self.authenticate(None, None)
        response = self.url_open(f"/my/complaints/{self.complaint.id}", allow_redirects=False)
        self.assertEqual(response.status_code, 303)
        self.assertTrue(response.headers["Location"].endswith("/my"))
        for token in ("wrong", "é" * 10, self.other_complaint._portal_ensure_token()):
            with self.subTest(token=token):
                response = self.url_open(
                    f"/my/complaints/{self.complaint.id}?access_token={token}", allow_redirects=False
                )
                self.assertEqual(response.status_code, 303)
                self.assertNotIn("Paula Portal private trouble", response.text)
        token = self.complaint._portal_ensure_token()
        response = self.url_open(f"/my/complaints/{self.complaint.id}?access_token={token}")
        self.assertEqual(response.status_code, 200)
        self.assertIn("Paula Portal private trouble", response.text)

    def test_a_refused_reopen_shows_its_reason_on_the_page(self):
        """The reason of a refusal is written by the server into the answer, never passed through the URL."""
        self.complaint.write({"stage_id": self.env.ref("crm_relationship.crm_complaint_stage_new").id})
        self.login(self.portal_user)
        response = self.post(f"/my/complaints/{self.complaint.id}/reopen", {"reason": "Again", "error": SENTENCE})
        self.assertEqual(response.status_code, 400)
        self.assertNotIn("Location", response.headers)
        self.assertIn("alert-danger", response.text)
        self.assertIn("cannot be reopened", response.text)
        self.assertNotIn("Your account is suspended", response.text)
        self.assertEqual(self.complaint.reopen_count, 0)
        self.assertFalse(any("Again" in (body or "") for body in self.complaint.message_ids.mapped("body")))

    def test_known_codes_show_our_text(self):
        self.login(self.portal_user)
        page = self.url_open(f"/my/complaints/{self.complaint.id}?success=reopened").text
        self.assertIn("The complaint is open again", page)
        # unknown codes, and the codes of crm_cmr_portal's pages, show nothing here
        for code in ("bogus", "preferences", "Reopened"):
            with self.subTest(code=code):
                page = self.url_open(f"/my/complaints/{self.complaint.id}?success={code}").text
                self.assertNotIn("alert-success", page)
