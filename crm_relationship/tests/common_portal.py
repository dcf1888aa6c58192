"""Fixtures of the portal tests: the complaint and NPS pages here, the self-service pages of crm_cmr_portal."""

from odoo.fields import Command
from odoo.http import Request
from odoo.tests import HttpCase, new_test_user

from .common_roles import RolesMixin


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


class RolesComplaintPortalCase(RolesMixin, PortalRequests, HttpCase):
    """The shared roles (``portal_user`` and ``other_portal_user``, ...) each with records of their own.

    Each customer has a confirmed order, a complaint (closed, so it could be reopened) and an NPS
    invitation. The superuser builds them; the tests act as the roles. ``_setup_before_orders`` lets a
    subclass prepare what the orders must find on confirmation (crm_cmr_portal: a loyalty program).
    """

    @classmethod
    def _setup_before_orders(cls):
        return None

    @classmethod
    def _setup_customer(cls, partner):
        """The records of one customer, by the attribute name they get (``other_`` prefixed for the other)."""
        env = cls.env
        order = env["sale.order"].create(
            {"partner_id": partner.id, "order_line": [Command.create({"product_id": cls.product.id})]}
        )
        order.action_confirm()
        complaint = env["crm.complaint"].create(
            {"subject": f"{partner.name} private trouble", "description": "<p>Cracked</p>", "partner_id": partner.id}
        )
        complaint.write({"resolution": "<p>Replaced</p>", "root_cause_id": cls.cause.id, "stage_id": cls.resolved.id})
        return {
            "order": order,
            "complaint": complaint,
            "nps": env["crm.relationship.nps"].create({"partner_id": partner.id}),
        }

    @classmethod
    def setUpClass(cls):
        super().setUpClass()
        cls.setup_roles()
        env = cls.env
        cls.product = env["product.product"].create({"name": "Grinder (roles)", "list_price": 300.0})
        cls.resolved = env.ref("crm_relationship.crm_complaint_stage_resolved")
        cls.cause = env["crm.complaint.cause"].create({"name": "Roles cause (test)"})
        cls._setup_before_orders()
        for prefix, partner in (("", cls.portal_partner), ("other_", cls.other_portal_partner)):
            for name, record in cls._setup_customer(partner).items():
                setattr(cls, prefix + name, record)
