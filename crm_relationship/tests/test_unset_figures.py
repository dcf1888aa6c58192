from lxml import etree

from odoo.exceptions import AccessError
from odoo.tests import TransactionCase, tagged

from .common_roles import RolesMixin


@tagged("post_install", "-at_install")
class TestUnsetFigures(RolesMixin, TransactionCase):
    """What was never set reads as unset, not as a zero: contact hours, satisfaction."""

    @classmethod
    def setUpClass(cls):
        super().setUpClass()
        cls.setup_roles()
        cls.customer = cls.env["res.partner"].create({"name": "Una Unset", "email": "una@example.com"})
        cls.calendar = cls.env["resource.calendar"].create(
            {
                "name": "Shop hours (test)",
                "attendance_ids": [(5, 0, 0)]
                + [
                    (0, 0, {"name": f"day {day}", "dayofweek": str(day), "hour_from": 8.5, "hour_to": 18.0})
                    for day in range(5)
                ],
            }
        )
        cls.env.company.resource_calendar_id = cls.calendar

    def _form_arch(self, user):
        view = self.env["res.partner"].with_user(user).get_views([(False, "form")])["views"]["form"]
        return etree.fromstring(view["arch"])

    def test_unset_contact_hours_read_any_time_and_open_at_working_hours(self):
        arch = self._form_arch(self.relationship_user)
        unset = arch.xpath("//button[@name='action_rel_set_contact_hours']/..")[0]
        self.assertEqual(unset.get("invisible"), "rel_contact_window_start or rel_contact_window_end")
        hours = arch.xpath("//field[@name='rel_contact_window_start']/..")[0]
        self.assertEqual(hours.get("invisible"), "not rel_contact_window_start and not rel_contact_window_end")

        self.customer.with_user(self.relationship_user).action_rel_set_contact_hours()
        self.assertEqual((self.customer.rel_contact_window_start, self.customer.rel_contact_window_end), (8.5, 18.0))
        self.customer.write({"rel_contact_window_start": 10.0, "rel_contact_window_end": 12.0})
        self.customer.with_user(self.relationship_user).action_rel_set_contact_hours()
        self.assertEqual(
            (self.customer.rel_contact_window_start, self.customer.rel_contact_window_end),
            (10.0, 12.0),
            "hours already set are kept",
        )

    def test_portal_user_cannot_set_another_customers_hours(self):
        with self.assertRaises(AccessError):
            self.customer.with_user(self.portal_user).action_rel_set_contact_hours()
        self.assertEqual((self.customer.rel_contact_window_start, self.customer.rel_contact_window_end), (0.0, 0.0))

    def test_never_rated_shows_no_satisfaction(self):
        self.assertFalse(self.customer.with_user(self.relationship_user).rel_complaint_last_rating)
        action = self.env.ref("crm_relationship.res_partner_action_repeat_complainers")
        view = self.env["res.partner"].with_user(self.relationship_user).get_views([(action.view_id.id, "list")])
        arch = etree.fromstring(view["views"]["list"]["arch"])
        rating = arch.xpath("//field[@name='rel_complaint_last_rating']")[0]
        self.assertEqual(rating.get("invisible"), "not rel_complaint_last_rating", "empty, not 0.00")
