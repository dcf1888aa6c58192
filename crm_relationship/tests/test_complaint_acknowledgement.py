from odoo.exceptions import AccessError
from odoo.tests import tagged

from .common_complaint import RAW_EMAIL, ComplaintCase
from .common_roles import RolesMixin


@tagged("post_install", "-at_install")
class TestComplaintAcknowledgement(RolesMixin, ComplaintCase):
    """Every new complaint is routed and answered at once; the customer's reply restarts a paused clock."""

    @classmethod
    def setUpClass(cls):
        super().setUpClass()
        cls.setup_roles()
        cls.team.member_ids = cls.agent | cls.relationship_user
        cls.template = cls.env.ref("crm_relationship.mail_template_crm_complaint_acknowledgement")

    def _acknowledgements(self, complaint):
        return complaint.message_ids.filtered(lambda m: m.message_type == "auto_comment")

    def _assert_acknowledged(self, complaint, recipient):
        ack = self._acknowledgements(complaint)
        self.assertEqual(len(ack), 1)
        self.assertIn(complaint.name, ack.body)
        self.assertIn("within <strong>4</strong> working hours", ack.body)
        self.assertIn(f"/my/complaints/{complaint.id}?access_token=", ack.body)
        self.assertIn(recipient, ack.notified_partner_ids)
        self.assertFalse(complaint.date_first_response, "an automatic acknowledgement is not the first response")

    def test_back_office_complaint_is_acknowledged(self):
        complaint = (
            self.env["crm.complaint"]
            .with_user(self.relationship_user)
            .create({"subject": "Dented lid", "partner_id": self.contact.id, "team_id": self.team.id})
        )
        self._assert_acknowledged(complaint, self.contact)
        self.assertTrue(complaint.user_id, "a team member handles it")

    def test_portal_complaint_gets_the_salespersons_team_and_a_handler(self):
        self.portal_partner.user_id = self.relationship_user
        complaint = (
            self.env["crm.complaint"]
            .with_user(self.portal_user)
            .create({"subject": "Wrong colour", "partner_id": self.portal_partner.id})
        )
        complaint = complaint.sudo()
        self.assertEqual(complaint.team_id, self.team)
        self.assertIn(complaint.user_id, self.agent | self.relationship_user)
        self._assert_acknowledged(complaint, self.portal_partner)

    def test_email_complaint_gets_the_complaint_team_of_settings(self):
        self.env["res.config.settings"].create({"rel_complaint_team_id": self.team.id}).execute()
        raw = RAW_EMAIL.format(
            email_from="newbie@unknown.example.com",
            from_name="Nina Newbie",
            subject="Never arrived",
            message_id="<ack-1@unknown.example.com>",
            extra_headers="",
            body="Where is it?",
        )
        complaint = self.env["crm.complaint"].browse(self.env["mail.thread"].message_process("crm.complaint", raw))
        self.assertEqual(complaint.team_id, self.team)
        self.assertTrue(complaint.user_id)
        self._assert_acknowledged(complaint, complaint.partner_id)

    def test_no_email_no_acknowledgement(self):
        self.contact.email = False
        complaint = self._complaint(team_id=self.team.id)
        self.assertFalse(self._acknowledgements(complaint))

    def _waiting_complaint(self, partner):
        complaint = self._complaint(partner_id=partner.id, team_id=self.team.id, user_id=self.agent.id)
        complaint.with_user(self.agent).write({"stage_id": self.stage_waiting.id})
        self.assertTrue(complaint.sla_paused_since)
        return complaint

    def _reply_activities(self, complaint):
        return complaint.activity_ids.filtered(lambda a: "customer replied" in (a.summary or ""))

    def test_portal_reply_resumes_the_clock_and_tells_the_owner(self):
        complaint = self._waiting_complaint(self.portal_partner)
        complaint.with_user(self.portal_user).message_post(
            body="Here is the photo you asked for.", message_type="comment", subtype_xmlid="mail.mt_comment"
        )
        self.assertEqual(complaint.stage_id, self.stage_new)
        self.assertFalse(complaint.sla_paused_since)
        self.assertEqual(self._reply_activities(complaint).user_id, self.agent)

    def test_email_reply_resumes_the_clock(self):
        complaint = self._waiting_complaint(self.contact)
        ack = self._acknowledgements(complaint)
        raw = RAW_EMAIL.format(
            email_from=self.contact.email,
            from_name="Carla Contact",
            subject=f"Re: {complaint.name}",
            message_id="<ack-reply-1@customer.example.com>",
            extra_headers=f"In-Reply-To: {ack.message_id}\n",
            body="The parcel number is 42.",
        )
        self.assertEqual(self.env["mail.thread"].message_process("crm.complaint", raw), complaint.id)
        self.assertEqual(complaint.stage_id, self.stage_new)
        self.assertFalse(complaint.sla_paused_since)
        self.assertEqual(len(self._reply_activities(complaint)), 1)

    def test_employee_note_or_other_customer_leave_the_clock_paused(self):
        complaint = self._waiting_complaint(self.portal_partner)
        paused_since = complaint.sla_paused_since
        complaint.with_user(self.agent).message_post(body="Still waiting.", subtype_xmlid="mail.mt_note")
        with self.assertRaises(AccessError):
            complaint.with_user(self.other_portal_user).message_post(
                body="Not mine.", message_type="comment", subtype_xmlid="mail.mt_comment"
            )
        self.assertEqual(complaint.stage_id, self.stage_waiting)
        self.assertEqual(complaint.sla_paused_since, paused_since)
        self.assertFalse(self._reply_activities(complaint))
