from odoo.addons.crm_relationship.tests.common_roles import RolesMixin
from odoo.fields import Command
from odoo.http import Request
from odoo.tests import HttpCase, new_test_user


class PortalRequests:
    """Log in as a test user (password = login) and post forms with or without the CSRF token."""

    def login(self, user):
        self.authenticate(user.login, user.login)
        return Request.csrf_token(self)

    def post(self, url, data=None, files=None, csrf=True, allow_redirects=False):
        data = dict(data or {})
        if csrf:
            data.setdefault("csrf_token", Request.csrf_token(self))
        return self.url_open(url, data=data, files=files, allow_redirects=allow_redirects)


class PortalCase(PortalRequests, HttpCase):
    """Two customers with portal logins, an order for the first, and a clean complaint desk."""

    @classmethod
    def setUpClass(cls):
        super().setUpClass()
        env = cls.env
        cls.alice_user = new_test_user(env, "alice_cmr", groups="base.group_portal", name="Alice Portal")
        cls.bob_user = new_test_user(env, "bob_cmr", groups="base.group_portal", name="Bob Portal")
        cls.alice = cls.alice_user.partner_id
        cls.bob = cls.bob_user.partner_id
        cls.alice.email = "alice@example.com"
        cls.product = env["product.product"].create({"name": "Espresso machine", "list_price": 300.0})
        cls.other_product = env["product.product"].create({"name": "Milk jug", "list_price": 20.0})
        cls.order = env["sale.order"].create(
            {
                "partner_id": cls.alice.id,
                "order_line": [(0, 0, {"product_id": cls.product.id, "product_uom_qty": 1})],
            }
        )
        cls.order.action_confirm()
        cls.bob_order = env["sale.order"].create(
            {
                "partner_id": cls.bob.id,
                "order_line": [(0, 0, {"product_id": cls.other_product.id, "product_uom_qty": 1})],
            }
        )
        cls.bob_order.action_confirm()
        cls.category = env["crm.complaint.category"].create({"name": "Breakage (test)"})
        cls.cause = env["crm.complaint.cause"].create({"name": "Packaging (test)"})

    def complaint_for(self, partner, **values):
        return self.env["crm.complaint"].create(
            {"subject": "Broken on arrival", "description": "<p>Cracked</p>", "partner_id": partner.id, **values}
        )


class RolesPortalCase(RolesMixin, PortalRequests, HttpCase):
    """The shared roles (``portal_user`` and ``other_portal_user``, ...) each with records of their own.

    Each customer has a confirmed order and an open quotation, a complaint (closed, so it could be
    reopened), a need, a household member, a suggestion, an NPS invitation and a loyalty card with
    enough points for the small reward. The superuser builds them; the tests act as the roles.
    """

    @classmethod
    def setUpClass(cls):
        super().setUpClass()
        cls.setup_roles()
        env = cls.env
        cls.product = env["product.product"].create({"name": "Grinder (roles)", "list_price": 300.0})
        cls.program = env["loyalty.program"].create(
            {
                "name": "Roles Rewards (test)",
                "program_type": "loyalty",
                "applies_on": "both",
                "trigger": "auto",
                "crm_ledger": True,
                "rule_ids": [
                    Command.create({"reward_point_mode": "money", "reward_point_amount": 1, "minimum_amount": 0})
                ],
                "reward_ids": [
                    Command.create(
                        {
                            "reward_type": "discount",
                            "discount": 10,
                            "discount_mode": "percent",
                            "discount_applicability": "order",
                            "required_points": 100,
                        }
                    )
                ],
            }
        )
        cls.reward = cls.program.reward_ids
        resolved = env.ref("crm_relationship.crm_complaint_stage_resolved")
        cause = env["crm.complaint.cause"].create({"name": "Roles cause (test)"})
        for prefix, partner in (("", cls.portal_partner), ("other_", cls.other_portal_partner)):
            order = env["sale.order"].create(
                {"partner_id": partner.id, "order_line": [Command.create({"product_id": cls.product.id})]}
            )
            order._update_programs_and_rewards()
            order.action_confirm()
            quotation = env["sale.order"].create(
                {"partner_id": partner.id, "order_line": [Command.create({"product_id": cls.product.id})]}
            )
            complaint = env["crm.complaint"].create(
                {
                    "subject": f"{partner.name} private trouble",
                    "description": "<p>Cracked</p>",
                    "partner_id": partner.id,
                }
            )
            complaint.write({"resolution": "<p>Replaced</p>", "root_cause_id": cause.id, "stage_id": resolved.id})
            values = {
                "order": order,
                "quotation": quotation,
                "complaint": complaint,
                "need": env["crm.relationship.need"].create({"name": f"{partner.name} need", "partner_id": partner.id}),
                "member": env["res.partner"].create(
                    {"name": f"{partner.name} junior", "parent_id": partner.id, "type": "contact"}
                ),
                "suggestion": env["crm.relationship.suggestion"].create(
                    {"name": f"{partner.name} idea", "partner_id": partner.id}
                ),
                "nps": env["crm.relationship.nps"].create({"partner_id": partner.id}),
                "card": env["loyalty.card"].search(
                    [("partner_id", "=", partner.id), ("program_id", "=", cls.program.id)]
                ),
            }
            for name, record in values.items():
                setattr(cls, prefix + name, record)
