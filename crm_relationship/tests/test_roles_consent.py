from odoo import fields
from odoo.addons.crm_relationship.tests.common_roles import RolesMixin
from odoo.exceptions import AccessError, UserError, ValidationError
from odoo.tests import TransactionCase, tagged
from odoo.tools import mute_logger


@tagged("post_install", "-at_install")
class TestRolesConsent(RolesMixin, TransactionCase):
    """Every consent change goes through the logged path, whoever makes it and however."""

    @classmethod
    def setUpClass(cls):
        super().setUpClass()
        cls.setup_roles()
        cls.Consent = cls.env["crm.relationship.consent"]
        cls.Log = cls.env["crm.relationship.consent.log"]
        cls.portal_partner._rel_set_consent("email", "marketing", False, "portal")
        cls.other_portal_partner._rel_set_consent("email", "marketing", True, "portal")
        cls.consent = cls.portal_partner.rel_consent_ids
        cls.other_consent = cls.other_portal_partner.rel_consent_ids

    def _state(self):
        """Every consent and log line of both customers, to compare before and after a refused call."""
        partners = self.portal_partner | self.other_portal_partner
        self.env.invalidate_all()
        consents = self.Consent.search([("partner_id", "in", partners.ids)])
        logs = self.Log.search([("partner_id", "in", partners.ids)])
        return (
            consents.read(["partner_id", "channel", "purpose", "granted", "date_changed", "source"]),
            logs.ids,
        )

    def assertConsentsMatchTheirLog(self):
        """The invariant: each consent's answer is the one of its last log line."""
        self.env.invalidate_all()
        consents = self.Consent.search([])
        self.assertTrue(consents)
        for consent in consents:
            last = self.Log.search(
                [
                    ("partner_id", "=", consent.partner_id.id),
                    ("channel", "=", consent.channel),
                    ("purpose", "=", consent.purpose),
                ],
                order="date desc, id desc",
                limit=1,
            )
            self.assertTrue(last, f"consent {consent.id} has no log line")
            self.assertEqual(consent.granted, last.granted, f"consent {consent.id} differs from its log")

    # ------------------------------------------------------------------ refusals
    def test_portal_cannot_write_the_answer_directly(self):
        before = self._state()
        consent = self.consent.with_user(self.portal_user)
        for vals in ({"granted": True}, {"date_changed": fields.Datetime.now()}, {"source": "backoffice"}):
            with self.subTest(vals=vals), self.assertRaises(AccessError):
                consent.write(vals)
        self.assertEqual(self._state(), before)
        self.assertConsentsMatchTheirLog()

    def test_portal_cannot_create_a_consent_directly(self):
        before = self._state()
        with self.assertRaises(AccessError):
            self.Consent.with_user(self.portal_user).create(
                {"partner_id": self.portal_partner.id, "channel": "sms", "purpose": "service", "granted": True}
            )
        self.assertEqual(self._state(), before)

    def test_nobody_moves_a_consent_to_another_customer(self):
        before = self._state()
        with self.assertRaises(AccessError):
            self.consent.with_user(self.portal_user).write({"partner_id": self.other_portal_partner.id})
        for user in (self.relationship_user, self.relationship_manager):
            with self.subTest(user=user.login), self.assertRaisesRegex(UserError, "for good"):
                self.consent.with_user(user).write({"partner_id": self.relationship_manager.partner_id.id})
        with self.assertRaisesRegex(UserError, "for good"):
            self.consent.sudo().write({"partner_id": self.relationship_manager.partner_id.id})
        with self.assertRaisesRegex(UserError, "for good"):
            self.other_consent.with_user(self.relationship_user).write({"channel": "sms"})
        self.assertEqual(self._state(), before)
        self.assertConsentsMatchTheirLog()

    def test_internal_user_cannot_write_the_answer_directly(self):
        before = self._state()
        for vals in ({"granted": True}, {"source": "import"}):
            with self.subTest(vals=vals), self.assertRaisesRegex(UserError, "Grant or Withdraw"):
                self.consent.with_user(self.relationship_user).write(vals)
        with self.assertRaisesRegex(UserError, "Grant or Withdraw"):
            self.portal_partner.with_user(self.relationship_user).write(
                {"rel_consent_ids": [fields.Command.update(self.consent.id, {"granted": True})]}
            )
        with self.assertRaises(UserError):
            self.Consent.with_user(self.relationship_user).create(
                {"partner_id": self.portal_partner.id, "channel": "sms", "purpose": "service", "source": "import"}
            )
        self.assertEqual(self._state(), before)

    def test_consent_log_never_changes_nor_moves(self):
        log = self.Log.search([("partner_id", "=", self.portal_partner.id)])
        before = self._state()
        for user in (self.portal_user, self.relationship_user, self.relationship_manager):
            for vals in ({"partner_id": self.other_portal_partner.id}, {"granted": True}):
                with self.subTest(user=user.login, vals=vals), self.assertRaises(UserError):
                    log.with_user(user).write(vals)
        with self.assertRaises(UserError):
            log.sudo().write({"partner_id": self.other_portal_partner.id})
        self.assertEqual(self._state(), before)

    def test_logged_path_checks_who_changes_whose_consent(self):
        before = self._state()
        with self.assertRaises(AccessError):
            self.other_portal_partner.with_user(self.portal_user)._rel_set_consent(
                "email", "marketing", False, "portal"
            )
        with self.assertRaises(AccessError):
            self.other_consent.with_user(self.portal_user).action_withdraw()
        with self.assertRaises(AccessError):
            self.portal_partner.with_user(self.salesperson)._rel_set_consent("email", "marketing", True, "backoffice")
        with self.assertRaises(AccessError):
            self.portal_partner.with_user(self.public_user)._rel_set_consent("email", "marketing", True, "portal")
        with self.assertRaises(ValidationError):
            self.portal_partner.with_user(self.portal_user)._rel_set_consent("email", "marketing", True, "backoffice")
        self.assertEqual(self._state(), before)

    # ------------------------------------------------------------------ allowed paths
    def test_relationship_user_grants_and_withdraws_from_the_back_office(self):
        consent = self.consent.with_user(self.relationship_user)
        consent.action_grant()
        self.assertTrue(consent.granted)
        consent.action_withdraw()
        self.assertFalse(consent.granted)
        logs = self.Log.search([("partner_id", "=", self.portal_partner.id)], order="id")
        self.assertEqual(logs.mapped("granted"), [False, True, False])
        self.assertEqual(logs[1:].user_id, self.relationship_user)
        self.assertEqual(set(logs[1:].mapped("source")), {"backoffice"})
        self.assertConsentsMatchTheirLog()

    def test_portal_customer_changes_own_consent_through_the_logged_path(self):
        self.portal_partner.with_user(self.portal_user)._rel_set_consent("email", "marketing", True, "portal")
        self.consent.with_user(self.portal_user).action_withdraw()
        self.assertFalse(self.consent.granted)
        logs = self.Log.search([("partner_id", "=", self.portal_partner.id)], order="id")
        self.assertEqual(logs.mapped("granted"), [False, True, False])
        self.assertEqual(logs[1:].user_id, self.portal_user)
        self.assertEqual(set(logs.mapped("source")), {"portal"})

    def test_internal_create_is_routed_through_the_log(self):
        consent = self.Consent.with_user(self.relationship_user).create(
            {"partner_id": self.portal_partner.id, "channel": "sms", "purpose": "service", "granted": True}
        )
        self.assertTrue(consent.granted)
        self.assertEqual(consent.env.uid, self.relationship_user.id)
        imported = (
            self.Consent.with_user(self.relationship_user)
            .with_context(import_file=True)
            .create({"partner_id": self.portal_partner.id, "channel": "post", "purpose": "marketing"})
        )
        self.assertFalse(imported.granted)
        self.assertEqual(imported.source, "import")
        logs = self.Log.search([("partner_id", "=", self.portal_partner.id), ("channel", "in", ("sms", "post"))])
        self.assertEqual(sorted(logs.mapped("source")), ["backoffice", "import"])
        self.assertEqual(logs.user_id, self.relationship_user)
        with self.assertRaises(UserError):
            self.Consent.with_user(self.relationship_user).create(
                {"partner_id": self.portal_partner.id, "channel": "sms", "purpose": "service", "granted": False}
            )
        self.assertTrue(consent.granted)
        self.assertConsentsMatchTheirLog()

    @mute_logger("odoo.models")
    def test_invariant_after_a_mixed_sequence(self):
        """Allowed and refused calls by every role leave each consent equal to its last log line."""
        as_portal = self.portal_partner.with_user(self.portal_user)
        calls = [
            lambda: as_portal._rel_set_consent("sms", "surveys", True, "portal"),
            lambda: self.consent.with_user(self.portal_user).write({"granted": True}),
            lambda: self.consent.with_user(self.relationship_user).action_grant(),
            lambda: self.consent.with_user(self.relationship_user).write({"granted": False}),
            lambda: self.other_consent.with_user(self.portal_user).action_withdraw(),
            lambda: self.Consent.with_user(self.portal_user).create(
                {"partner_id": self.portal_partner.id, "channel": "phone", "purpose": "service", "granted": True}
            ),
            lambda: self.Consent.with_user(self.relationship_manager).create(
                {"partner_id": self.other_portal_partner.id, "channel": "phone", "purpose": "service", "granted": True}
            ),
            lambda: self.other_consent.with_user(self.relationship_manager).action_withdraw(),
            lambda: self.consent.with_user(self.salesperson).action_withdraw(),
            lambda: as_portal._rel_set_consent("sms", "surveys", False, "portal"),
        ]
        for call in calls:
            try:
                with self.env.cr.savepoint():
                    call()
            except (AccessError, UserError, ValidationError):
                pass
        self.assertTrue(self.consent.granted)
        self.assertFalse(self.other_consent.granted)
        self.assertConsentsMatchTheirLog()
