from urllib.parse import urlencode

from odoo.tests import tagged
from odoo.tools import mute_logger

from .common_portal import PortalCase, RolesComplaintPortalCase

SENTENCE = "Your account is suspended, call +1 555 0100"


@tagged("post_install", "-at_install")
class TestPortalNps(PortalCase):
    """The NPS survey a customer answers from the email link, without logging in."""

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

    def test_nps_token_of_one_customer_cannot_be_guessed(self):
        self.env["crm.relationship.nps"].create({"partner_id": self.bob.id})
        self.authenticate(None, None)
        with mute_logger("odoo.http"):
            self.assertEqual(self.url_open("/my/nps/" + "a" * 300).status_code, 404)
            self.assertEqual(self.post("/my/nps/wrong-token", {"score": "10"}).status_code, 404)


@tagged("post_install", "-at_install")
class TestPortalNpsRoles(RolesComplaintPortalCase):
    def test_nps_with_a_wrong_token_is_not_found(self):
        self.authenticate(None, None)
        with mute_logger("odoo.http"):
            for token in ("wrong", "a" * 300, "%C3%A9t%C3%A9", "%00", self.nps.access_token + "x"):
                with self.subTest(token=token):
                    self.assertEqual(self.url_open(f"/my/nps/{token}").status_code, 404)
                    self.assertEqual(self.post(f"/my/nps/{token}", {"score": "10"}).status_code, 404)
        self.assertEqual(self.nps.state, "sent")
        self.assertEqual(self.url_open(f"/my/nps/{self.nps.access_token}").status_code, 200)

    def test_nps_page_shows_no_text_of_the_url_to_anonymous_visitors(self):
        self.authenticate(None, None)
        response = self.url_open(f"/my/nps/{self.nps.access_token}?{urlencode({'error': SENTENCE})}")
        self.assertEqual(response.status_code, 200)
        self.assertNotIn("Your account is suspended", response.text)
        self.assertNotIn("alert-danger", response.text)
