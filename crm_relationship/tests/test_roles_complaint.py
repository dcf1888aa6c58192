from odoo.addons.crm_relationship.tests.common_roles import RolesMixin
from odoo.exceptions import AccessError, UserError, ValidationError
from odoo.tests import TransactionCase, tagged

COMPLAINT_FIELDS = ["name", "subject", "partner_id", "stage_id", "user_id", "team_id", "severity", "channel"]


@tagged("post_install", "-at_install")
class TestRolesComplaint(RolesMixin, TransactionCase):
    """A customer sends the complaint; its handling (stage, handler, team, SLA) is the company's."""

    @classmethod
    def setUpClass(cls):
        super().setUpClass()
        cls.setup_roles()
        cls.Complaint = cls.env["crm.complaint"]
        cls.team = cls.env["crm.team"].create({"name": "Care (test)"})
        cls.category = cls.env["crm.complaint.category"].create({"name": "Breakage (test)"})
        cls.complaint = cls.Complaint.create({"subject": "Cracked cup", "partner_id": cls.portal_partner.id})
        cls.product = cls.env["product.product"].create({"name": "Cup (test)", "list_price": 5.0})

    def _count(self):
        return self.Complaint.sudo().search_count([])

    def _read(self, complaints):
        complaints.invalidate_recordset()
        return complaints.sudo().read(COMPLAINT_FIELDS)

    def test_portal_cannot_set_company_fields_on_create(self):
        count = self._count()
        Complaint = self.Complaint.with_user(self.portal_user)
        closed = self.env.ref("crm_relationship.crm_complaint_stage_resolved")
        for extra in (
            {"stage_id": closed.id},
            {"user_id": self.relationship_user.id},
            {"team_id": self.team.id},
            {"severity": "critical"},
            {"name": "CMP-HACK"},
            {"date_open": "2020-01-01 00:00:00"},
            {"sla_status": "met"},
            {"resolution": "<p>Solved</p>"},
            {"company_id": self.env.company.id},
            {"channel": "phone"},
        ):
            with self.subTest(extra=extra), self.assertRaises(AccessError):
                Complaint.create({"subject": "Sneaky", "partner_id": self.portal_partner.id, **extra})
        with self.assertRaises(ValidationError):
            Complaint.create(
                {"subject": "Any product", "partner_id": self.portal_partner.id, "product_id": self.product.id}
            )
        self.assertEqual(self._count(), count)
        complaint = Complaint.with_context(default_severity="critical", default_team_id=self.team.id).create(
            {"subject": "With defaults", "partner_id": self.portal_partner.id}
        )
        self.assertEqual(complaint.sudo().severity, "normal")
        self.assertFalse(complaint.sudo().team_id)

    def test_portal_creates_own_complaint(self):
        complaint = self.Complaint.with_user(self.portal_user).create(
            {
                "subject": "Chipped saucer",
                "description": "<p>On arrival</p>",
                "partner_id": self.portal_partner.id,
                "category_id": self.category.id,
            }
        )
        complaint = complaint.sudo()
        self.assertEqual(complaint.channel, "portal")
        self.assertEqual(complaint.create_uid, self.portal_user)
        self.assertTrue(complaint.name.strip("/"))
        self.assertFalse(complaint.is_closed)

    def test_portal_cannot_create_for_or_move_to_another_customer(self):
        before = self._read(self.complaint)
        count = self._count()
        with self.assertRaises(AccessError):
            self.Complaint.with_user(self.portal_user).create(
                {"subject": "For them", "partner_id": self.other_portal_partner.id}
            )
        for vals in ({"partner_id": self.other_portal_partner.id}, {"stage_id": False}, {"subject": "Edited"}):
            with self.subTest(vals=vals), self.assertRaises(AccessError):
                self.complaint.with_user(self.portal_user).write(vals)
        self.assertEqual(self._read(self.complaint), before)
        self.assertEqual(self._count(), count)

    def test_complaint_rate_limit_applies_over_rpc_and_sudo(self):
        Complaint = self.Complaint.with_user(self.portal_user)
        for i in range(5):
            Complaint.create({"subject": f"Issue {i}", "partner_id": self.portal_partner.id})
        count = self._count()
        with self.assertRaisesRegex(UserError, "many requests"):
            Complaint.create({"subject": "One too many", "partner_id": self.portal_partner.id})
        with self.assertRaises(UserError):
            # the portal form creates under sudo: the limit still counts the user's complaints
            Complaint.sudo().create({"subject": "Through the form", "partner_id": self.portal_partner.id})
        self.assertEqual(self._count(), count)
        self.Complaint.with_user(self.other_portal_user).create(
            {"subject": "Theirs", "partner_id": self.other_portal_partner.id}
        )
        self.Complaint.with_user(self.relationship_user).create(
            {"subject": "By phone", "partner_id": self.portal_partner.id}
        )

    def test_public_user_has_no_access(self):
        count = self._count()
        with self.assertRaises(AccessError):
            self.Complaint.with_user(self.public_user).create(
                {"subject": "Anonymous", "partner_id": self.portal_partner.id}
            )
        for model in (
            "crm.complaint",
            "crm.relationship.need",
            "crm.relationship.suggestion",
            "crm.relationship.consent",
            "crm.relationship.consent.log",
            "crm.relationship.nps",
            "crm.relationship.weekday",
            "crm.complaint.category",
        ):
            with self.subTest(model=model):
                self.assertFalse(self.env[model].with_user(self.public_user).has_access("read"))
        self.assertEqual(self._count(), count)


@tagged("post_install", "-at_install")
class TestRolesNps(RolesMixin, TransactionCase):
    @classmethod
    def setUpClass(cls):
        super().setUpClass()
        cls.setup_roles()
        cls.response = cls.env["crm.relationship.nps"].create({"partner_id": cls.portal_partner.id})

    def test_portal_cannot_change_or_move_an_nps_answer(self):
        fields = ["partner_id", "state", "score", "comment"]
        before = self.response.read(fields)
        response = self.response.with_user(self.portal_user)
        self.assertTrue(response.has_access("read"))
        for vals in ({"partner_id": self.other_portal_partner.id}, {"score": 10, "state": "answered"}):
            with self.subTest(vals=vals), self.assertRaises(AccessError):
                response.write(vals)
        with self.assertRaises(AccessError):
            response.action_send_invitation()
        self.response.invalidate_recordset()
        self.assertEqual(self.response.read(fields), before)

    def test_staff_cannot_write_or_rewrite_an_answer(self):
        fields = ["state", "score", "comment", "date_answered"]
        before = self.response.read(fields)
        for user in (self.relationship_user, self.relationship_manager):
            with self.subTest(user=user.login), self.assertRaisesRegex(UserError, "never changed"):
                self.response.with_user(user).write({"score": 10, "state": "answered", "comment": "Perfect"})
        self.response.invalidate_recordset()
        self.assertEqual(self.response.read(fields), before)
        self.response.with_user(self.public_user).sudo()._record_answer(4, "Slow delivery")
        with self.assertRaisesRegex(UserError, "never changed"):
            self.response.with_user(self.relationship_manager).write({"score": 9})
        self.assertEqual(self.response.score, 4)

    def test_answer_through_the_token_path(self):
        # what the public NPS page does: find the invitation by its token under sudo, then record the answer
        response = self.env["crm.relationship.nps"].with_user(self.public_user).sudo().browse(self.response.id)
        response._record_answer(9, "Great")
        self.assertEqual((self.response.state, self.response.score), ("answered", 9))
