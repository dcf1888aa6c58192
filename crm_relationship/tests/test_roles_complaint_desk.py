from odoo.exceptions import AccessError
from odoo.tests import new_test_user, tagged

from .common_complaint import ComplaintCase
from .common_roles import RolesMixin


@tagged("post_install", "-at_install")
class TestComplaintDeskRoles(RolesMixin, ComplaintCase):
    """The complaint desk as its staff work it: Relationship Users of a team take in, are assigned,
    answer, close and reopen complaints; the customer rates the handling with the link they received."""

    @classmethod
    def setUpClass(cls):
        super().setUpClass()
        cls.setup_roles()
        cls.agent_2 = new_test_user(cls.env, "desk_agent_2", groups="crm_relationship.group_relationship_user")
        cls.team.member_ids = cls.agent | cls.agent_2
        cls.outsider = new_test_user(cls.env, "desk_outsider", groups="crm_relationship.group_relationship_user")

    def _intake(self, user, **values):
        return (
            self.env["crm.complaint"]
            .with_user(user)
            .create(
                {
                    "subject": "Parcel late",
                    "partner_id": self.contact.id,
                    "category_id": self.category.id,
                    "team_id": self.team.id,
                    **values,
                }
            )
        )

    def test_team_member_takes_in_assigns_closes_and_reopens(self):
        complaints = self._intake(self.agent) | self._intake(self.agent)
        self.assertEqual(set(complaints.mapped("user_id").ids), {self.agent.id, self.agent_2.id})
        mine = complaints.filtered(lambda c: c.user_id == self.agent).with_user(self.agent)
        mine.message_post(body="We are on it", message_type="comment", subtype_xmlid="mail.mt_comment")
        mine.stage_id = self.stage_progress
        mine.write(
            {"stage_id": self.stage_resolved.id, "resolution": "<p>Sent again</p>", "root_cause_id": self.cause.id}
        )
        self.assertTrue(mine.is_closed)
        rating = self.env["rating.rating"].search([("res_model", "=", "crm.complaint"), ("res_id", "=", mine.id)])
        self.assertTrue(rating.access_token)
        # The customer rates from the link in the email: rating's public route applies it by token as superuser.
        mine.sudo().rating_apply(5, token=rating.access_token, feedback="Thanks")
        self.assertEqual(mine.rating_last_value, 5)
        mine.action_reopen()
        self.assertFalse(mine.is_closed)
        self.assertEqual(mine.reopen_count, 1)

    def test_manager_sees_and_reassigns_every_complaint(self):
        complaint = self._intake(self.agent)
        as_manager = complaint.with_user(self.relationship_manager)
        as_manager.user_id = self.outsider
        self.assertEqual(complaint.user_id, self.outsider)

    def test_outsider_and_salesperson_cannot_touch_the_team_complaint(self):
        complaint = self._intake(self.agent)
        before = complaint.read(["stage_id", "user_id", "severity", "subject"])
        for user in (self.outsider, self.salesperson):
            with self.subTest(user=user.login), self.assertRaises(AccessError):
                complaint.with_user(user).write({"stage_id": self.stage_progress.id, "subject": "changed"})
        with self.assertRaises(AccessError):
            self.env["crm.complaint"].with_user(self.salesperson).create(
                {"subject": "From sales", "partner_id": self.contact.id}
            )
        complaint.invalidate_recordset()
        self.assertEqual(complaint.read(["stage_id", "user_id", "severity", "subject"]), before)

    def test_relationship_user_cannot_delete_a_complaint(self):
        complaint = self._intake(self.agent)
        with self.assertRaises(AccessError):
            complaint.with_user(self.agent).unlink()
        self.assertTrue(complaint.exists())
