from urllib.parse import urlencode

from odoo.tests import tagged

from .common import RolesPortalCase

SENTENCE = "Your account is suspended, call +1 555 0100"
# Every name a page could be tempted to show: ours, sale's and Odoo's portal helpers'.
MESSAGE_PARAMS = ["error", "success", "message", "warning", "form", "info", "error_message"]


@tagged("post_install", "-at_install")
class TestPortalMessages(RolesPortalCase):
    """A link cannot put words on our pages: the URL carries a code at most, mapped to our own text."""

    def pages(self):
        return [
            "/my/relationship",
            "/my/complaints",
            "/my/complaints/new",
            f"/my/complaints/{self.complaint.id}",
            "/my/suggestions",
            "/my/privacy",
            "/my/loyalty",
            f"/my/nps/{self.nps.access_token}",
        ]

    def test_no_text_of_the_url_is_shown(self):
        self.login(self.portal_user)
        for url in self.pages():
            for params in (dict.fromkeys(MESSAGE_PARAMS, SENTENCE), {name: SENTENCE for name in MESSAGE_PARAMS[:1]}):
                with self.subTest(url=url, params=list(params)):
                    response = self.url_open(f"{url}?{urlencode(params)}")
                    self.assertEqual(response.status_code, 200)
                    self.assertNotIn("Your account is suspended", response.text)
                    self.assertNotIn("555 0100", response.text)
                    self.assertNotIn("alert-danger", response.text)
                    self.assertNotIn("alert-success", response.text)

    def test_known_codes_show_our_text_and_unknown_codes_nothing(self):
        self.login(self.portal_user)
        page = self.url_open("/my/relationship?success=consent").text
        self.assertIn("Your consents were saved.", page)
        page = self.url_open(f"/my/complaints/{self.complaint.id}?success=reopened").text
        self.assertIn("The complaint is open again", page)
        for code in ("bogus", "Saved", "consent ", "CONSENT"):
            with self.subTest(code=code):
                page = self.url_open(f"/my/relationship?{urlencode({'success': code})}").text
                self.assertNotIn("alert-success", page)
                self.assertNotIn("Saved.", page)

    def test_codes_are_shown_translated(self):
        self.env.ref("base.lang_zh_CN").sudo().action_unarchive()
        self.env["ir.module.module"].sudo().search([("name", "=", "crm_cmr_portal")])._update_translations("zh_CN")
        self.portal_user.sudo().lang = "zh_CN"
        self.login(self.portal_user)
        page = self.url_open("/my/relationship?success=consent").text
        self.assertIn("alert-success", page)
        self.assertNotIn("Your consents were saved.", page)

    def test_a_refused_form_keeps_the_input_and_shows_only_our_error(self):
        self.login(self.portal_user)
        count = self.env["crm.relationship.suggestion"].search_count([])
        response = self.post(
            "/my/suggestions",
            {"name": "x" * 201, "description": "Keep me", "error": SENTENCE, "success": SENTENCE, "form": SENTENCE},
        )
        self.assertEqual(response.status_code, 400)
        self.assertIn("at most 200 characters", response.text)
        self.assertIn("Keep me", response.text)
        self.assertNotIn("Your account is suspended", response.text)
        self.assertNotIn("alert-success", response.text)
        self.assertEqual(self.env["crm.relationship.suggestion"].search_count([]), count)
