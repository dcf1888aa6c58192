from odoo.exceptions import AccessError
from odoo.tests import new_test_user, tagged

from .common_complaint import ComplaintCase


@tagged("post_install", "-at_install")
class TestComplaintSecurity(ComplaintCase):
    @classmethod
    def setUpClass(cls):
        super().setUpClass()
        cls.other_team = cls.env["crm.team"].create({"name": "Other care (test)"})
        cls.team.member_ids = cls.agent
        cls.manager = new_test_user(cls.env, "cmp_manager", groups="crm_relationship.group_relationship_manager")
        cls.portal_user = new_test_user(cls.env, "cmp_portal", groups="base.group_portal", partner_id=cls.contact.id)
        cls.other_customer = cls.env["res.partner"].create({"name": "Other customer"})
        cls.mine = cls._make(cls, team_id=cls.team.id, user_id=cls.agent.id)
        cls.unassigned = cls._make(cls)
        cls.foreign = cls._make(cls, team_id=cls.other_team.id, partner_id=cls.other_customer.id)
        cls.company_2 = cls.env["res.company"].create({"name": "Second company (test)"})
        cls.other_company = cls._make(cls, company_id=cls.company_2.id)

    def _make(self, **values):
        vals = {"subject": "Secure", "partner_id": self.contact.id}
        vals.update(values)
        return self.env["crm.complaint"].create(vals)

    def _visible(self, user):
        return self.env["crm.complaint"].with_user(user).search([])

    def test_user_sees_team_and_unassigned(self):
        visible = self._visible(self.agent)
        self.assertIn(self.mine, visible)
        self.assertIn(self.unassigned, visible)
        self.assertNotIn(self.foreign, visible)
        with self.assertRaises(AccessError):
            self.foreign.with_user(self.agent).read(["subject"])

    def test_team_leader_sees_team(self):
        self.assertIn(self.mine, self._visible(self.leader))

    def test_manager_sees_all_of_his_companies(self):
        visible = self._visible(self.manager)
        self.assertIn(self.foreign, visible)
        self.assertNotIn(self.other_company, visible)
        self.manager.company_ids |= self.company_2
        visible = (
            self.env["crm.complaint"]
            .with_user(self.manager)
            .with_context(allowed_company_ids=[self.manager.company_id.id, self.company_2.id])
            .search([])
        )
        self.assertIn(self.other_company, visible)

    def test_user_does_not_see_other_company(self):
        self.assertNotIn(self.other_company, self._visible(self.agent))

    def test_portal_sees_own_commercial_entity_only(self):
        own_company_complaint = self._make(partner_id=self.customer.id)
        visible = self._visible(self.portal_user)
        self.assertIn(self.mine, visible)
        self.assertIn(own_company_complaint, visible)
        self.assertNotIn(self.foreign, visible)
        with self.assertRaises(AccessError):
            self.mine.with_user(self.portal_user).write({"subject": "changed"})

    def test_portal_creates_for_own_entity_only(self):
        complaint = (
            self.env["crm.complaint"]
            .with_user(self.portal_user)
            .create({"subject": "From portal", "partner_id": self.contact.id, "channel": "portal"})
        )
        self.assertEqual(complaint.sudo().commercial_partner_id, self.customer)
        with self.assertRaises(AccessError):
            self.env["crm.complaint"].with_user(self.portal_user).create(
                {"subject": "For someone else", "partner_id": self.other_customer.id}
            )

    def test_configuration_rights(self):
        with self.assertRaises(AccessError):
            self.env["crm.complaint.sla"].with_user(self.agent).create(
                {"name": "x", "resource_calendar_id": self.calendar.id}
            )
        self.env["crm.complaint.sla"].with_user(self.manager).create(
            {"name": "ok", "resource_calendar_id": self.calendar.id}
        )
        with self.assertRaises(AccessError):
            self.mine.with_user(self.agent).unlink()
