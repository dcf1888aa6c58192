from odoo.exceptions import AccessError, UserError, ValidationError
from odoo.tests import TransactionCase, new_test_user, tagged


@tagged("post_install", "-at_install")
class TestRelationshipProfile(TransactionCase):
    @classmethod
    def setUpClass(cls):
        super().setUpClass()
        cls.customer = cls.env["res.partner"].create({"name": "Ada Customer", "email": "ada@example.com"})
        cls.other = cls.env["res.partner"].create({"name": "Other Customer", "email": "other@example.com"})
        cls.portal_user = new_test_user(cls.env, "ada_portal", groups="base.group_portal", partner_id=cls.customer.id)
        cls.other_portal = new_test_user(cls.env, "other_portal", groups="base.group_portal", partner_id=cls.other.id)

    def test_consent_change_is_logged_once_per_change(self):
        self.customer._rel_set_consent("email", "marketing", True, "backoffice")
        self.customer._rel_set_consent("email", "marketing", True, "backoffice")
        self.customer.with_user(self.portal_user)._rel_set_consent("email", "marketing", False, "portal")
        consent = self.customer.rel_consent_ids
        self.assertEqual(len(consent), 1)
        self.assertFalse(consent.granted)
        logs = self.customer.rel_consent_log_ids.sorted("id")
        self.assertEqual(logs.mapped("granted"), [True, False])
        self.assertEqual(logs.mapped("source"), ["backoffice", "portal"])
        self.assertEqual(logs[1].user_id, self.portal_user)

    def test_consent_log_is_append_only(self):
        self.customer._rel_set_consent("sms", "service", True, "import")
        log = self.customer.rel_consent_log_ids
        with self.assertRaises(UserError):
            log.write({"granted": False})
        with self.assertRaises(UserError):
            log.unlink()

    def test_consent_rejects_unknown_values(self):
        with self.assertRaises(ValidationError):
            self.customer._rel_set_consent("pigeon", "marketing", True, "backoffice")
        with self.assertRaises(ValidationError):
            self.customer._rel_set_consent("email", "marketing", True, "rumour")
        self.assertFalse(self.customer.rel_consent_log_ids)

    def test_do_not_contact_overrides_consent(self):
        self.customer._rel_set_consent("email", "surveys", True, "backoffice")
        self.assertTrue(self.customer._rel_has_consent("email", "surveys"))
        self.customer._rel_update_profile({"rel_preferred_contact_channel": "none"}, "backoffice")
        self.assertFalse(self.customer._rel_has_consent("email", "surveys"))

    def test_profile_update_whitelist_and_window(self):
        monday = self.env.ref("crm_relationship.weekday_monday")
        self.customer._rel_update_profile(
            {
                "rel_preferred_contact_channel": "phone",
                "rel_contact_window_weekday_ids": [(6, 0, monday.ids)],
                "rel_contact_window_start": 9.0,
                "rel_contact_window_end": 17.5,
            },
            "portal",
        )
        self.assertEqual(self.customer.rel_contact_window_weekday_ids, monday)
        self.assertIn("Portal", self.customer.message_ids[0].body)
        with self.assertRaises(ValidationError):
            self.customer._rel_update_profile({"credit_limit": 1e9}, "portal")
        with self.assertRaises(ValidationError):
            self.customer._rel_update_profile({"rel_contact_window_start": 18.0}, "portal")
        with self.assertRaises(ValidationError):
            self.customer._rel_update_profile({"rel_contact_window_end": 25.0}, "portal")

    def test_need_lifecycle_records_who_addressed_it(self):
        need = self.env["crm.relationship.need"].create({"name": "Gluten-free range", "partner_id": self.customer.id})
        self.assertEqual(self.customer.rel_need_open_count, 1)
        need.action_mark_addressed()
        self.assertEqual(need.state, "addressed")
        self.assertEqual(need.addressed_by_id, self.env.user)
        self.assertEqual(self.customer.rel_need_open_count, 0)
        need.action_reopen()
        self.assertFalse(need.addressed_by_id)
        with self.assertRaises(UserError):
            self.env["crm.relationship.need"].create({"name": "  ", "partner_id": self.customer.id})

    def test_portal_users_see_only_their_own_profile_records(self):
        self.customer._rel_set_consent("email", "marketing", True, "backoffice")
        self.other._rel_set_consent("email", "marketing", True, "backoffice")
        need = self.env["crm.relationship.need"].create({"name": "Other's need", "partner_id": self.other.id})
        Need = self.env["crm.relationship.need"].with_user(self.portal_user)
        self.assertFalse(Need.search([]))
        with self.assertRaises(AccessError):
            need.with_user(self.portal_user).read(["name"])
        logs = self.env["crm.relationship.consent.log"].with_user(self.portal_user).search([])
        self.assertEqual(logs.partner_id, self.customer)
        with self.assertRaises(AccessError):
            self.env["crm.relationship.consent.log"].with_user(self.portal_user).create(
                {
                    "partner_id": self.customer.id,
                    "channel": "email",
                    "purpose": "marketing",
                    "source": "portal",
                    "user_id": self.portal_user.id,
                }
            )
