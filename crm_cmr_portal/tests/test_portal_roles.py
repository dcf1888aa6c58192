import io
import json
import zipfile

from odoo.addons.crm_relationship.analytics.store import METRIC_COLUMNS
from odoo.addons.crm_relationship.tests.common_figures import write_figures
from odoo.exceptions import AccessError
from odoo.tests import tagged
from odoo.tools import mute_logger

from .common import RolesPortalCase

# The figures the analysis computes about a customer: employees only.
HIDDEN_FIELDS = [*(f"rel_{column}" for column in METRIC_COLUMNS), "rel_figures_id", "rel_currency_id", "comment"]
PAGES = ["/my/home", "/my/relationship", "/my/complaints", "/my/complaints/new", "/my/suggestions", "/my/privacy"]
PAGES += ["/my/loyalty"]


@tagged("post_install", "-at_install")
class TestPortalFigures(RolesPortalCase):
    """Customers do not read the figures we compute about them, except in their own data export."""

    @classmethod
    def setUpClass(cls):
        super().setUpClass()
        # As the nightly analysis would write them (superuser: the fixture only).
        cls.figures = {
            "rel_rfm_segment": "cannot_lose",
            "rel_lifecycle_stage": "at_risk",
            "rel_loyalty_quadrant": "spurious",
            "rel_rfm_recency": 123,
            "rel_rfm_frequency": 7,
            "rel_rfm_monetary": 4567.0,
            "rel_clv_value": 8910.0,
            "rel_clv_probability_alive": 0.37,
            "rel_health": 41.0,
            "rel_health_complaint_points": 3.5,
            "rel_company_id": cls.env.company.id,
            "comment": "<p>Haggles a lot, do not give discounts</p>",
        }
        write_figures(cls.portal_partner, cls.figures)

    def assert_figures_unchanged(self):
        self.portal_partner.invalidate_recordset()
        self.assertEqual(self.portal_partner.rel_rfm_segment, "cannot_lose")
        self.assertEqual(self.portal_partner.rel_clv_value, 8910.0)
        self.assertIn("Haggles", self.portal_partner.comment)

    def test_portal_and_public_users_cannot_read_the_figures(self):
        for user in (self.portal_user, self.public_user):
            partner = self.portal_partner.with_user(user)
            for name in HIDDEN_FIELDS:
                with self.subTest(user=user.login, field=name), self.assertRaises(AccessError):
                    partner.read([name])
        partner = self.portal_partner.with_user(self.portal_user)
        with self.assertRaises(AccessError):
            partner.search_read([("id", "=", partner.id)], ["rel_clv_value"])
        with self.assertRaises(AccessError):
            partner.search([("rel_rfm_segment", "=", "cannot_lose")])
        self.assertFalse(set(HIDDEN_FIELDS) & set(partner.fields_get()))
        self.assert_figures_unchanged()

    def test_portal_users_cannot_write_the_figures(self):
        partner = self.portal_partner.with_user(self.portal_user)
        for name, value in (("rel_rfm_segment", "champions"), ("rel_clv_value", 1.0), ("comment", "<p>mine</p>")):
            with self.subTest(field=name), self.assertRaises(AccessError):
                partner.write({name: value})
        self.assert_figures_unchanged()

    def test_employees_still_read_the_figures(self):
        partner = self.portal_partner.with_user(self.salesperson)
        row = partner.read(["rel_rfm_segment", "rel_clv_value", "rel_health", "comment"])[0]
        self.assertEqual(row["rel_rfm_segment"], "cannot_lose")
        self.assertEqual(row["rel_clv_value"], 8910.0)

    def test_pages_render_without_showing_the_figures(self):
        self.login(self.portal_user)
        for url in PAGES:
            with self.subTest(url=url):
                response = self.url_open(url)
                self.assertEqual(response.status_code, 200, url)
                for shown in ("Cannot Lose", "At Risk", "Spurious", "8,910", "4,567", "Haggles"):
                    self.assertNotIn(shown, response.text)
        self.assert_figures_unchanged()

    def test_export_holds_the_figures_computed_about_the_customer(self):
        self.login(self.portal_user)
        response = self.post("/my/privacy/export")
        self.assertEqual(response.status_code, 200)
        data = json.loads(zipfile.ZipFile(io.BytesIO(response.content)).read("data.json"))
        (row,) = data["analysis"]
        self.assertEqual(row["name"], self.portal_partner.name)
        self.assertEqual(row["rel_rfm_segment"], "Cannot Lose Them", "written for a reader, as in the CSV")
        self.assertEqual(row["rel_lifecycle_stage"], "At Risk")
        self.assertEqual(row["rel_clv_value"], 8910.0)
        self.assertEqual(row["analysed_for"], self.env.company.name)
        self.assertIn("analysis.csv", zipfile.ZipFile(io.BytesIO(response.content)).namelist())
        # the other customer's export holds none of them
        self.login(self.other_portal_user)
        other = json.loads(zipfile.ZipFile(io.BytesIO(self.post("/my/privacy/export").content)).read("data.json"))
        self.assertEqual(other["analysis"], [])
        self.assert_figures_unchanged()


@tagged("post_install", "-at_install")
class TestPortalConfinement(RolesPortalCase):
    """A customer cannot see or act on another customer's records by changing an id in a URL or a form."""

    def test_other_customers_need_and_household_cannot_be_changed(self):
        self.login(self.portal_user)
        with mute_logger("odoo.http"):
            edit = self.post("/my/relationship/need", {"need_id": self.other_need.id, "name": "hijacked"})
            withdraw = self.post(f"/my/relationship/need/{self.other_need.id}/withdraw")
            remove = self.post(f"/my/relationship/household/{self.other_member.id}/remove")
        self.assertEqual((edit.status_code, withdraw.status_code, remove.status_code), (404, 404, 404))
        self.assertEqual(self.other_need.name, "Otto Other need")
        self.assertEqual(self.other_need.state, "open")
        self.assertTrue(self.other_member.active)
        self.assertNotIn("Otto Other need", self.url_open("/my/relationship").text)

    def test_forged_owner_fields_are_ignored(self):
        """Ids of another customer slipped into a form change nothing of theirs."""
        self.login(self.portal_user)
        other_logs = self.env["crm.relationship.consent.log"].search_count(
            [("partner_id", "=", self.other_portal_partner.id)]
        )
        self.post(
            "/my/relationship/consent", {"consent_email_marketing": "on", "partner_id": self.other_portal_partner.id}
        )
        self.post("/my/relationship/household", {"name": "Stray", "parent_id": self.other_portal_partner.id})
        self.post("/my/suggestions", {"name": "Forged", "partner_id": self.other_portal_partner.id})
        self.post("/my/relationship/need", {"name": "Forged need", "partner_id": self.other_portal_partner.id})
        self.assertTrue(self.portal_partner._rel_has_consent("email", "marketing"))
        self.assertFalse(self.other_portal_partner._rel_has_consent("email", "marketing"))
        self.assertEqual(
            self.env["crm.relationship.consent.log"].search_count([("partner_id", "=", self.other_portal_partner.id)]),
            other_logs,
        )
        self.assertFalse(self.other_portal_partner.child_ids.filtered(lambda c: c.name == "Stray"))
        self.assertEqual(
            self.portal_partner.child_ids.filtered(lambda c: c.name == "Stray").parent_id, self.portal_partner
        )
        Suggestion, Need = self.env["crm.relationship.suggestion"], self.env["crm.relationship.need"]
        self.assertEqual(Suggestion.search([("name", "=", "Forged")]).partner_id, self.portal_partner)
        self.assertEqual(Need.search([("name", "=", "Forged need")]).partner_id, self.portal_partner)

    def test_reward_cannot_be_claimed_on_another_customers_quotation(self):
        self.assertGreaterEqual(self.card.points, 100, "the fixture's order gave points")
        self.login(self.portal_user)
        page = self.url_open("/my/loyalty").text
        self.assertIn(self.quotation.name, page)
        self.assertNotIn(self.other_quotation.name, page)
        points = (self.card.points, self.other_card.points)
        response = self.post("/my/loyalty/claim", {"reward_id": self.reward.id, "order_id": self.other_quotation.id})
        self.assertEqual(response.status_code, 400)
        self.assertFalse(self.other_quotation.order_line.filtered("reward_id"))
        self.assertFalse(self.quotation.order_line.filtered("reward_id"))
        self.assertEqual((self.card.points, self.other_card.points), points)
        self.assertNotIn(str(self.other_card.code), page)

    def test_other_customers_suggestions_and_nps_are_not_listed(self):
        self.login(self.portal_user)
        self.assertNotIn("Otto Other idea", self.url_open("/my/suggestions").text)
        self.assertIn("Paula Portal idea", self.url_open("/my/suggestions").text)


@tagged("post_install", "-at_install")
class TestPortalPublicAndCsrf(RolesPortalCase):
    """Anonymous visitors are sent to the login; POSTs without a CSRF token are refused and change nothing."""

    USER_GETS = [
        "/my/relationship",
        "/my/complaints",
        "/my/complaints/page/2",
        "/my/complaints/new",
        "/my/suggestions",
        "/my/suggestions/page/2",
        "/my/privacy",
        "/my/loyalty",
        "/my/loyalty/page/2",
    ]

    def _user_posts(self):
        """Every POST route of the portal with a form that would change something if accepted.

        Each form has a field: the test client sends a GET for an empty form.
        """
        return [
            ("/my/relationship/preferences", {"rel_preferred_contact_channel": "sms"}),
            ("/my/relationship/consent", {"consent_email_marketing": "on"}),
            ("/my/relationship/need", {"name": "Posted need"}),
            ("/my/relationship/need", {"need_id": self.need.id, "name": "Edited need"}),
            (f"/my/relationship/need/{self.need.id}/withdraw", {"go": "1"}),
            ("/my/relationship/household", {"name": "Posted member"}),
            (f"/my/relationship/household/{self.member.id}/remove", {"go": "1"}),
            ("/my/complaints/new", {"subject": "Posted complaint", "description": "x"}),
            (f"/my/complaints/{self.complaint.id}/reopen", {"reason": "Posted reason"}),
            ("/my/suggestions", {"name": "Posted idea"}),
            ("/my/privacy/export", {"go": "1"}),
            ("/my/privacy/erase", {"confirm": "yes"}),
            ("/my/loyalty/claim", {"reward_id": self.reward.id, "order_id": self.quotation.id}),
        ]

    def _state(self):
        """What the POSTs above would change, read as the superuser."""
        self.env.invalidate_all()
        partner = self.portal_partner
        return {
            "channel": partner.rel_preferred_contact_channel,
            "consent": partner._rel_has_consent("email", "marketing"),
            "needs": sorted(self.env["crm.relationship.need"].search([]).mapped(lambda n: (n.name, n.state))),
            "members": sorted(partner.with_context(active_test=False).child_ids.mapped(lambda c: (c.name, c.active))),
            "complaints": self.env["crm.complaint"].search_count([]),
            "reopened": self.complaint.reopen_count,
            "suggestions": self.env["crm.relationship.suggestion"].search_count([]),
            "erasure": partner.rel_erasure_requested_on,
            "claimed": bool(self.quotation.order_line.filtered("reward_id")),
            "messages": self.env["mail.message"].search_count([]),
        }

    def test_anonymous_visitors_are_sent_to_login(self):
        before = self._state()
        self.authenticate(None, None)
        for url in self.USER_GETS:
            with self.subTest(url=url):
                response = self.url_open(url, allow_redirects=False)
                self.assertEqual(response.status_code, 303)
                self.assertIn("/web/login", response.headers["Location"])
        for url, data in self._user_posts():
            with self.subTest(url=url):
                response = self.post(url, data)
                self.assertEqual(response.status_code, 303, url)
                self.assertIn("/web/login", response.headers["Location"])
                self.assertNotEqual(response.headers.get("Content-Type"), "application/zip")
        self.assertEqual(self._state(), before)

    def test_posts_without_csrf_token_are_refused(self):
        self.login(self.portal_user)
        before = self._state()
        with mute_logger("odoo.http"):
            for url, data in self._user_posts():
                with self.subTest(url=url):
                    response = self.post(url, data, csrf=False)
                    self.assertEqual(response.status_code, 400, url)
                    self.assertNotEqual(response.headers.get("Content-Type"), "application/zip")
            self.authenticate(None, None)
            response = self.post(f"/my/nps/{self.nps.access_token}", {"score": "10"}, csrf=False)
            self.assertEqual(response.status_code, 400)
            self.env["ir.config_parameter"].sudo().set_param("auth_signup.invitation_scope", "b2c")
            code = self.portal_partner.sudo()._rel_get_referral_code()
            response = self.post(f"/referral/{code}", {"looking_for": "x"}, csrf=False)
            self.assertEqual(response.status_code, 400)
        self.assertEqual(self._state(), before)
        self.assertEqual(self.nps.state, "sent")
