from datetime import timedelta

from odoo import fields
from odoo.tests import new_test_user, tagged

from .common_complaint import ComplaintCase


@tagged("post_install", "-at_install")
class TestComplaintAssignment(ComplaintCase):
    @classmethod
    def setUpClass(cls):
        super().setUpClass()
        cls.agent_2 = new_test_user(cls.env, "cmp_agent_2", groups="crm_relationship.group_relationship_user")
        cls.agent_away = new_test_user(cls.env, "cmp_agent_away", groups="crm_relationship.group_relationship_user")
        cls.team.member_ids = cls.agent | cls.agent_2 | cls.agent_away
        resource = cls.env["resource.resource"].create(
            {"name": "Away agent", "user_id": cls.agent_away.id, "calendar_id": cls.calendar.id}
        )
        now = fields.Datetime.now()
        cls.env["resource.calendar.leaves"].create(
            {
                "name": "Holiday of the away agent",
                "calendar_id": cls.calendar.id,
                "resource_id": resource.id,
                "date_from": now - timedelta(days=1),
                "date_to": now + timedelta(days=1),
            }
        )

    def test_round_robin_among_available_members(self):
        complaints = self.env["crm.complaint"]
        for index in range(4):
            complaints |= self._complaint(subject=f"rr {index}", team_id=self.team.id)
        users = complaints.sorted("id").mapped("user_id")
        first, second, third, fourth = (c.user_id for c in complaints.sorted("id"))
        self.assertEqual(set(users.ids), {self.agent.id, self.agent_2.id})
        self.assertNotEqual(first, second)
        self.assertEqual(third, first)
        self.assertEqual(fourth, second)

    def test_manual_assignment_is_kept_and_counts(self):
        manual = self._complaint(team_id=self.team.id, user_id=self.agent_2.id)
        self.assertEqual(manual.user_id, self.agent_2)
        automatic = self._complaint(team_id=self.team.id)
        self.assertEqual(automatic.user_id, self.agent, "the member who waited longest gets the next one")

    def test_archived_members_are_skipped(self):
        self.agent.active = False
        complaints = self._complaint(team_id=self.team.id) | self._complaint(team_id=self.team.id)
        self.assertEqual(complaints.user_id, self.agent_2)

    def test_team_change_assigns_when_unassigned(self):
        complaint = self._complaint()
        self.assertFalse(complaint.user_id)
        complaint.team_id = self.team
        self.assertIn(complaint.user_id, self.agent | self.agent_2)
