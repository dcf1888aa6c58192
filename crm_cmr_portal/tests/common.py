from odoo.http import Request
from odoo.tests import HttpCase, new_test_user


class PortalCase(HttpCase):
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

    def login(self, user):
        self.authenticate(user.login, user.login)
        return Request.csrf_token(self)

    def post(self, url, data=None, files=None, csrf=True, allow_redirects=False):
        data = dict(data or {})
        if csrf:
            data.setdefault("csrf_token", Request.csrf_token(self))
        return self.url_open(url, data=data, files=files, allow_redirects=allow_redirects)

    def complaint_for(self, partner, **values):
        return self.env["crm.complaint"].create(
            {"subject": "Broken on arrival", "description": "<p>Cracked</p>", "partner_id": partner.id, **values}
        )
