from odoo.tests import tagged

from .common_complaint import RAW_EMAIL, ComplaintCase


@tagged("post_install", "-at_install")
class TestComplaintMail(ComplaintCase):
    def _process(
        self,
        email_from,
        subject,
        message_id,
        body="It broke.",
        extra_headers="",
        from_name="Sender",
        model="crm.complaint",
    ):
        raw = RAW_EMAIL.format(
            email_from=email_from,
            from_name=from_name,
            subject=subject,
            message_id=message_id,
            extra_headers=extra_headers,
            body=body,
        )
        return self.env["mail.thread"].message_process(model, raw)

    def test_alias_targets_complaints(self):
        alias = self.env.ref("crm_relationship.mail_alias_crm_complaint")
        self.assertEqual(alias.alias_model_id.model, "crm.complaint")
        self.assertEqual(alias.alias_contact, "everyone")

    def test_mail_routed_by_alias_address(self):
        alias = self.env.ref("crm_relationship.mail_alias_crm_complaint")
        alias.alias_domain_id = self.env["mail.alias.domain"].create({"name": "cmr.example.com"})
        self.assertEqual(alias.alias_full_name, "complaints@cmr.example.com")
        complaint_id = self._process(self.contact.email, "Via alias", "<alias-1@customer.example.com>", model=False)
        complaint = self.env["crm.complaint"].browse(complaint_id)
        self.assertEqual(complaint.subject, "Via alias")
        self.assertEqual(complaint.partner_id, self.contact)
        self.assertEqual(complaint.channel, "email")

    def test_mail_from_known_customer_opens_complaint(self):
        complaint_id = self._process(self.contact.email, "Broken lamp", "<lamp-1@customer.example.com>")
        complaint = self.env["crm.complaint"].browse(complaint_id)
        self.assertEqual(complaint.partner_id, self.contact)
        self.assertEqual(complaint.commercial_partner_id, self.customer)
        self.assertEqual(complaint.subject, "Broken lamp")
        self.assertEqual(complaint.channel, "email")
        self.assertRegex(complaint.name, r"^CMP/")
        self.assertIn("It broke.", complaint.description)
        self.assertIn(self.contact, complaint.message_partner_ids)
        self.assertEqual(complaint.message_ids[0].author_id, self.contact)

    def test_mail_from_unknown_sender_creates_partner(self):
        complaint_id = self._process(
            "newbie@unknown.example.com", "Never arrived", "<new-1@unknown.example.com>", from_name="Nina Newbie"
        )
        complaint = self.env["crm.complaint"].browse(complaint_id)
        self.assertEqual(complaint.partner_id.email, "newbie@unknown.example.com")
        self.assertEqual(complaint.partner_id.name, "Nina Newbie")

    def test_reply_threads_onto_complaint(self):
        complaint_id = self._process(self.contact.email, "Broken lamp", "<lamp-2@customer.example.com>")
        complaint = self.env["crm.complaint"].browse(complaint_id)
        count = self.env["crm.complaint"].search_count([])
        reply_id = self._process(
            self.contact.email,
            "Re: Broken lamp",
            "<lamp-3@customer.example.com>",
            body="Any news?",
            extra_headers="In-Reply-To: <lamp-2@customer.example.com>\n",
        )
        self.assertEqual(reply_id, complaint.id)
        self.assertEqual(self.env["crm.complaint"].search_count([]), count)
        self.assertIn("Any news?", complaint.message_ids[0].body)
        self.assertFalse(complaint.date_first_response, "a customer's mail is not a response")
