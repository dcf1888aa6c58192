from odoo.tests import HttpCase, tagged


@tagged("post_install", "-at_install")
class TestPortalInstall(HttpCase):
    def test_login_page_answers(self):
        response = self.url_open("/web/login")
        self.assertEqual(response.status_code, 200)
