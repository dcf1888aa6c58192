import base64

from odoo.tests import tagged

from .common_portal import PortalCase

PNG = "iVBORw0KGgoAAAANSUhEUgAAAAEAAAABCAYAAAAfFcSJAAAADUlEQVR42mNkYPhfDwAChwGA60e6kgAAAABJRU5ErkJggg=="


@tagged("post_install", "-at_install")
class TestPortalComplaints(PortalCase):
    """The customer's complaint pages: list, new complaint with order, product and files, detail, reopening."""

    def test_home_links_the_complaints_with_their_counter(self):
        self.login(self.alice_user)
        self.assertIn('href="/my/complaints"', self.url_open("/my/home").text)
        self.complaint_for(self.alice)
        self.complaint_for(self.bob)
        counters = self.make_jsonrpc_request("/my/counters", {"counters": ["rel_complaint_count"]})
        self.assertEqual(counters["rel_complaint_count"], 1)

    def test_pages_render_and_public_visitors_are_sent_to_login(self):
        for url in ("/my/complaints", "/my/complaints/new"):
            with self.subTest(url=url):
                response = self.url_open(url, allow_redirects=False)
                self.assertEqual(response.status_code, 303)
                self.assertIn("/web/login", response.headers["Location"])
        self.login(self.alice_user)
        for url in ("/my/complaints", "/my/complaints/new"):
            with self.subTest(url=url):
                response = self.url_open(url)
                self.assertEqual(response.status_code, 200, url)
                self.assertIn("o_portal_submenu", response.text)

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

    def test_other_customers_complaint_is_not_shown(self):
        theirs = self.complaint_for(self.bob, subject="Bob's private trouble")
        self.login(self.alice_user)
        response = self.url_open(f"/my/complaints/{theirs.id}", allow_redirects=False)
        self.assertEqual(response.status_code, 303)
        self.assertNotIn("private trouble", response.text)
        self.assertNotIn("private trouble", self.url_open("/my/complaints").text)
        # missing ids behave the same way
        self.assertEqual(self.url_open("/my/complaints/99999999", allow_redirects=False).status_code, 303)


@tagged("post_install", "-at_install")
class TestPortalComplaintTour(PortalCase):
    def test_complaint_tour(self):
        self.start_tour("/my/home", "crm_relationship_complaint_tour", login=self.alice_user.login)
        complaint = self.env["crm.complaint"].search([("partner_id", "=", self.alice.id)])
        self.assertEqual(complaint.subject, "Tour: the lid is cracked")
        self.assertEqual(complaint.sale_order_id.partner_id, self.alice)
