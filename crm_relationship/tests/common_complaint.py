from datetime import datetime

from odoo.tests import TransactionCase, new_test_user

# Monday 2 March 2026; the test calendar works Monday to Friday 08-12 and 13-17 UTC.
MONDAY = datetime(2026, 3, 2)


def at(day_offset, hour, minute=0):
    """Naive UTC moment ``day_offset`` days after MONDAY."""
    return MONDAY.replace(day=MONDAY.day + day_offset, hour=hour, minute=minute)


# An email to the complaint alias, as the mail gateway receives it.
RAW_EMAIL = """Return-Path: <{email_from}>
To: complaints@cmr.example.com
From: {from_name} <{email_from}>
Subject: {subject}
Message-ID: {message_id}
{extra_headers}Date: Mon, 02 Mar 2026 09:00:00 +0000
MIME-Version: 1.0
Content-Type: text/plain; charset="utf-8"
Content-Transfer-Encoding: 7bit

{body}
"""


class ComplaintCase(TransactionCase):
    @classmethod
    def setUpClass(cls):
        super().setUpClass()
        cls.env = cls.env(context=dict(cls.env.context, tracking_disable=True, mail_create_nolog=True))
        cls.calendar = cls.env["resource.calendar"].create(
            {
                "name": "Complaint desk (test)",
                "tz": "UTC",
                "attendance_ids": [(5, 0, 0)]
                + [
                    (
                        0,
                        0,
                        {
                            "name": f"day {day} {period}",
                            "dayofweek": str(day),
                            "hour_from": start,
                            "hour_to": stop,
                            "day_period": period,
                        },
                    )
                    for day in range(5)
                    for start, stop, period in ((8, 12, "morning"), (13, 17, "afternoon"))
                ],
            }
        )
        cls.stage_new = cls.env.ref("crm_relationship.crm_complaint_stage_new")
        cls.stage_progress = cls.env.ref("crm_relationship.crm_complaint_stage_in_progress")
        cls.stage_waiting = cls.env.ref("crm_relationship.crm_complaint_stage_waiting")
        cls.stage_resolved = cls.env.ref("crm_relationship.crm_complaint_stage_resolved")
        cls.category = cls.env["crm.complaint.category"].create({"name": "Delivery (test)"})
        cls.cause = cls.env["crm.complaint.cause"].create({"name": "Carrier delay (test)"})
        # policies of other tests or demo data must not win the matching
        cls.env["crm.complaint.sla"].search([]).action_archive()
        cls.sla_normal = cls.env["crm.complaint.sla"].create(
            {
                "name": "Normal (test)",
                "resource_calendar_id": cls.calendar.id,
                "response_hours": 4,
                "resolution_hours": 16,
                "at_risk_share": 75,
            }
        )
        cls.sla_critical = cls.env["crm.complaint.sla"].create(
            {
                "name": "Critical (test)",
                "severity": "critical",
                "resource_calendar_id": cls.calendar.id,
                "response_hours": 1,
                "resolution_hours": 4,
            }
        )
        cls.customer = cls.env["res.partner"].create(
            {"name": "Complaining Ltd", "is_company": True, "email": "desk@complaining.example.com"}
        )
        cls.contact = cls.env["res.partner"].create(
            {"name": "Carla Contact", "parent_id": cls.customer.id, "email": "carla@complaining.example.com"}
        )
        cls.leader = new_test_user(
            cls.env, "cmp_leader", groups="crm_relationship.group_relationship_user", email="leader@example.com"
        )
        cls.agent = new_test_user(
            cls.env, "cmp_agent", groups="crm_relationship.group_relationship_user", email="agent@example.com"
        )
        cls.team = cls.env["crm.team"].create({"name": "Care (test)", "user_id": cls.leader.id})

    def _complaint(self, **values):
        vals = {
            "subject": "Parcel late",
            "partner_id": self.contact.id,
            "category_id": self.category.id,
            "date_open": at(0, 9),
        }
        vals.update(values)
        return self.env["crm.complaint"].create(vals)
