from urllib.parse import quote, urlencode

from odoo.tests import tagged
from odoo.tools import mute_logger

from .common import RolesPortalCase

# Values a link or a script may put in any query parameter or form field.
BAD_VALUES = [
    "abc",
    "-1",
    "0",
    "99999999999999999999999",
    "2147483648",
    "",
    "\x00",
    "é€ 你好",
    "[1, 2]",
    "{'a': 1}",
    "' OR 1=1 --",
    "x" * 1000,
]
# Names of parameters the pages know, plus the ones they must ignore.
GENERIC_PARAMS = ["error", "success", "message", "warning", "form", "page", "sortby", "filterby", "access_token"]
GENERIC_PARAMS += ["pid", "hash", "token", "score", "comment", "looking_for", "redirect"]
# Record ids in a URL path: the routes take integers of any size.
BAD_PATH_IDS = ["0", "2147483648", "99999999999999999999999"]


@tagged("post_install", "-at_install")
class TestPortalBadQuery(RolesPortalCase):
    """No query value, form value or id in a path makes a portal route fail: 4xx, or ignored."""

    def get_routes(self):
        """Every GET route of crm_cmr_portal/controllers, with a URL of the customer's own records."""
        code = self.portal_partner.sudo()._rel_get_referral_code()
        return [
            "/my/relationship",
            "/my/complaints",
            "/my/complaints/page/2",
            "/my/complaints/new",
            f"/my/complaints/{self.complaint.id}",
            "/my/suggestions",
            "/my/suggestions/page/2",
            "/my/privacy",
            "/my/loyalty",
            "/my/loyalty/page/2",
            f"/my/nps/{self.nps.access_token}",
            f"/referral/{code}",
        ]

    def post_routes(self):
        """Every POST route, with the form fields it reads."""
        code = self.portal_partner.sudo()._rel_get_referral_code()
        return [
            (
                "/my/relationship/preferences",
                ["rel_preferred_contact_channel", "weekday_ids", "interest_ids", "rel_contact_window_start"],
            ),
            ("/my/relationship/consent", ["consent_email_marketing"]),
            ("/my/relationship/need", ["need_id", "name", "product_category_id"]),
            (f"/my/relationship/need/{self.need.id}/withdraw", ["need_id"]),
            ("/my/relationship/household", ["name", "rel_role", "email"]),
            (f"/my/relationship/household/{self.member.id}/remove", ["member_id"]),
            ("/my/complaints/new", ["subject", "description", "category_id", "sale_order_id", "product_id"]),
            (f"/my/complaints/{self.complaint.id}/reopen", ["reason"]),
            ("/my/suggestions", ["name", "description", "suggestion_type"]),
            ("/my/privacy/erase", ["confirm"]),
            ("/my/privacy/profiling", ["objection"]),
            ("/my/loyalty/claim", ["reward_id", "order_id"]),
            (f"/my/nps/{self.nps.access_token}", ["score", "comment"]),
            (f"/referral/{code}", ["looking_for"]),
        ]

    def counts(self):
        self.env.invalidate_all()
        return {
            model: self.env[model].search_count([])
            for model in (
                "crm.complaint",
                "crm.relationship.suggestion",
                "crm.relationship.need",
                "crm.relationship.consent.log",
                "res.partner",
                "mail.message",
            )
        }

    def assert_no_server_error(self, response, what):
        self.assertLess(response.status_code, 500, what)

    def test_bad_query_values_never_fail(self):
        self.env["ir.config_parameter"].sudo().set_param("auth_signup.invitation_scope", "b2c")
        self.login(self.portal_user)
        routes = self.get_routes()
        before = self.counts()
        with mute_logger("odoo.http", "odoo.addons.http_routing.models.ir_http"):
            for url in routes:
                for value in BAD_VALUES:
                    query = urlencode(dict.fromkeys(GENERIC_PARAMS, value))
                    with self.subTest(url=url, value=value[:20]):
                        self.assert_no_server_error(self.url_open(f"{url}?{query}"), url)
                # the same parameter twice (an "array"), and PHP-style names
                query = urlencode([(name, value) for name in GENERIC_PARAMS for value in ("1", "abc")])
                with self.subTest(url=url, value="array"):
                    self.assert_no_server_error(self.url_open(f"{url}?{query}"), url)
                query = "form[subject]=x&error[]=y&page[]=2&success[code]=created&sortby[]=name"
                with self.subTest(url=url, value="brackets"):
                    self.assert_no_server_error(self.url_open(f"{url}?{query}"), url)
        # a GET changes nothing, whatever it carries
        self.assertEqual(self.counts(), before)

    def test_the_two_reported_urls(self):
        self.login(self.portal_user)
        for url in ("/my/suggestions?form=abc", "/my/complaints/new?form=abc"):
            with self.subTest(url=url):
                response = self.url_open(url)
                self.assertEqual(response.status_code, 200)
                self.assertNotIn(">abc<", response.text)

    def test_bad_query_values_never_fail_for_anonymous_visitors(self):
        self.env["ir.config_parameter"].sudo().set_param("auth_signup.invitation_scope", "b2c")
        routes = [url for url in self.get_routes() if url.startswith(("/my/complaints/", "/my/nps/", "/referral/"))]
        self.authenticate(None, None)
        before = self.counts()
        with mute_logger("odoo.http"):
            for url in routes:
                for value in BAD_VALUES:
                    query = urlencode(dict.fromkeys(GENERIC_PARAMS, value))
                    with self.subTest(url=url, value=value[:20]):
                        self.assert_no_server_error(self.url_open(f"{url}?{query}", allow_redirects=False), url)
        self.assertEqual(self.counts(), before)

    def test_bad_ids_in_paths_never_fail(self):
        self.login(self.portal_user)
        before = self.counts()
        need_state, member_active = self.need.state, self.member.active
        with mute_logger("odoo.http"):
            for record_id in BAD_PATH_IDS:
                for url in (
                    f"/my/complaints/{record_id}",
                    f"/my/complaints/page/{record_id}",
                    f"/my/suggestions/page/{record_id}",
                    f"/my/loyalty/page/{record_id}",
                ):
                    with self.subTest(url=url):
                        self.assert_no_server_error(self.url_open(url, allow_redirects=False), url)
                for url in (
                    f"/my/relationship/need/{record_id}/withdraw",
                    f"/my/relationship/household/{record_id}/remove",
                    f"/my/complaints/{record_id}/reopen",
                ):
                    with self.subTest(url=url):
                        response = self.post(url)
                        self.assertEqual(response.status_code, 404, url)
            for token in ("%00", quote("é€"), "a" * 300, "..%2F..%2Fetc"):
                for url in (f"/my/nps/{token}", f"/referral/{token}"):
                    with self.subTest(url=url):
                        self.assertEqual(self.url_open(url).status_code, 404, url)
        self.assertEqual(self.counts(), before)
        self.assertEqual((self.need.state, self.member.active), (need_state, member_active))

    def test_bad_form_values_never_fail(self):
        self.env["ir.config_parameter"].sudo().set_param("auth_signup.invitation_scope", "b2c")
        self.login(self.portal_user)
        erasure = self.portal_partner.rel_erasure_requested_on
        with mute_logger("odoo.http"):
            for url, names in self.post_routes():
                for value in BAD_VALUES:
                    for name in names:
                        with self.subTest(url=url, field=name, value=value[:20]):
                            self.assert_no_server_error(self.post(url, {name: value}), url)
                    # every field at once, and every field twice
                    with self.subTest(url=url, value=value[:20]):
                        self.assert_no_server_error(self.post(url, dict.fromkeys(names, value)), url)
                with self.subTest(url=url, value="array"):
                    self.assert_no_server_error(self.post(url, {name: ["1", "abc"] for name in names}), url)
                with self.subTest(url=url, value="long"):
                    self.assert_no_server_error(self.post(url, dict.fromkeys(names, "x" * 20000)), url)
                # files where text is expected
                with self.subTest(url=url, value="file"):
                    files = {name: ("a.txt", b"text", "text/plain") for name in names}
                    self.assert_no_server_error(self.post(url, files=files), url)
        # no bad value asked for the erasure
        self.assertEqual(self.portal_partner.rel_erasure_requested_on, erasure)
