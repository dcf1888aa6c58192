from odoo.exceptions import UserError, ValidationError
from odoo.tests import TransactionCase, tagged


@tagged("post_install", "-at_install")
class TestNps(TransactionCase):
    @classmethod
    def setUpClass(cls):
        super().setUpClass()
        cls.customer = cls.env["res.partner"].create({"name": "Nina", "email": "nina@example.com"})
        cls.silent = cls.env["res.partner"].create({"name": "Silent", "email": "silent@example.com"})
        cls.customer._rel_set_consent("email", "surveys", True, "backoffice")

    def test_invitations_respect_consent_and_carry_a_token_link(self):
        responses = self.env["crm.relationship.nps"]._send_invitations(self.customer | self.silent)
        self.assertEqual(responses.partner_id, self.customer)
        self.assertRegex(responses._get_answer_url(), r"/my/nps/[\w-]{20,}$")
        mail = self.env["mail.mail"].search([("model", "=", "crm.relationship.nps"), ("res_id", "=", responses.id)])
        self.assertIn(responses.sudo().access_token, mail.body_html)

    def test_answer_once_with_valid_score(self):
        response = self.env["crm.relationship.nps"].create({"partner_id": self.customer.id})
        with self.assertRaises(ValidationError):
            response._record_answer(11)
        with self.assertRaises(ValidationError):
            response._record_answer("ten")
        self.assertEqual(response.state, "sent")
        response._record_answer(9, "  Great service  ")
        self.assertEqual((response.state, response.score, response.category), ("answered", 9, "promoter"))
        self.assertEqual(response.comment, "Great service")
        with self.assertRaises(UserError):
            response._record_answer(3)
        self.assertEqual(response.score, 9)
