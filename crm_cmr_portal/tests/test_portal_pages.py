from odoo.tests import tagged

from .common import PortalCase

# The self-service pages (the complaint pages are crm_relationship's, tested there).
PAGES = ["/my/relationship", "/my/suggestions", "/my/privacy", "/my/loyalty"]


@tagged("post_install", "-at_install")
class TestPortalPages(PortalCase):
    def test_home_links_every_page(self):
        self.login(self.alice_user)
        response = self.url_open("/my/home")
        self.assertEqual(response.status_code, 200)
        for url in ("/my/relationship", "/my/loyalty", "/my/suggestions", "/my/privacy"):
            self.assertIn(f'href="{url}"', response.text)

    def test_home_counters(self):
        self.login(self.alice_user)
        self.env["crm.relationship.suggestion"].create({"name": "Bob's idea", "partner_id": self.bob.id})
        self.env["crm.relationship.need"].create({"name": "Alice's need", "partner_id": self.alice.id})
        counters = self.make_jsonrpc_request("/my/counters", {"counters": ["rel_suggestion_count", "rel_need_count"]})
        self.assertEqual(counters["rel_suggestion_count"], 0)
        self.assertEqual(counters["rel_need_count"], 1)

    def test_every_page_renders(self):
        self.login(self.alice_user)
        for url in PAGES:
            with self.subTest(url=url):
                response = self.url_open(url)
                self.assertEqual(response.status_code, 200, url)
                self.assertIn("o_portal_submenu", response.text)

    def test_public_visitors_are_sent_to_login(self):
        for url in PAGES:
            with self.subTest(url=url):
                response = self.url_open(url, allow_redirects=False)
                self.assertEqual(response.status_code, 303)
                self.assertIn("/web/login", response.headers["Location"])
