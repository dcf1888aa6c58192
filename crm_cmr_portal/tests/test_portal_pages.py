from odoo.tests import tagged

from .common import PortalCase

PAGES = ["/my/relationship", "/my/complaints", "/my/complaints/new", "/my/suggestions", "/my/privacy", "/my/loyalty"]


@tagged("post_install", "-at_install")
class TestPortalPages(PortalCase):
    def test_home_links_every_page(self):
        self.login(self.alice_user)
        response = self.url_open("/my/home")
        self.assertEqual(response.status_code, 200)
        for url in ("/my/relationship", "/my/complaints", "/my/loyalty", "/my/suggestions", "/my/privacy"):
            self.assertIn(f'href="{url}"', response.text)

    def test_home_counters(self):
        self.login(self.alice_user)
        self.complaint_for(self.alice)
        self.complaint_for(self.bob)
        counters = self.make_jsonrpc_request(
            "/my/counters", {"counters": ["cmr_complaint_count", "cmr_suggestion_count", "cmr_need_count"]}
        )
        self.assertEqual(counters["cmr_complaint_count"], 1)
        self.assertEqual(counters["cmr_suggestion_count"], 0)

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

    def test_complaint_list_filters_and_sorting(self):
        self.login(self.alice_user)
        open_one = self.complaint_for(self.alice, subject="Still open")
        closed = self.complaint_for(self.alice, subject="Already solved")
        closed.write(
            {
                "resolution": "<p>Replaced</p>",
                "root_cause_id": self.cause.id,
                "stage_id": self.env.ref("crm_relationship.crm_complaint_stage_resolved").id,
            }
        )
        page = self.url_open("/my/complaints?filterby=open&sortby=name").text
        self.assertIn(open_one.name, page)
        self.assertNotIn(closed.name, page)
        page = self.url_open("/my/complaints?filterby=closed").text
        self.assertIn(closed.name, page)
        # unknown values fall back to the defaults instead of failing
        self.assertEqual(self.url_open("/my/complaints?filterby=nope&sortby=evil").status_code, 200)

    def test_complaint_page_shows_promise_and_thread(self):
        self.login(self.alice_user)
        complaint = self.complaint_for(self.alice)
        page = self.url_open(f"/my/complaints/{complaint.id}").text
        self.assertIn(complaint.name, page)
        self.assertIn("We resolve by", page)
        self.assertIn('data-res_model="crm.complaint"', page)
