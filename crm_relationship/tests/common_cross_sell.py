"""Fixtures of the cross-sell tests: desks, lamps and chairs bought together, and a customer who bought a desk."""

from datetime import date, datetime, timedelta

from odoo.fields import Command
from odoo.tests import new_test_user

from .common_roles import RolesMixin

AS_OF = date(2026, 6, 30)


class CrossSellMixin(RolesMixin):
    """Four customers bought a desk and a lamp, three a desk and a chair, one a chair and paper, five paper
    only; Clara (a portal customer, whose salesperson is ``salesperson``) bought a desk. From co-purchase
    lift she is recommended the lamp first (1.75), then the chair (1.31). The other buyers belong to
    another salesperson."""

    @classmethod
    def setup_cross_sell(cls):
        cls.setup_roles()
        env = cls.env
        cls.other_salesperson = new_test_user(
            env, "role_salesperson_other", groups="sales_team.group_sale_salesman", name="Olaf Other Salesperson"
        )
        Category = env["product.category"]
        cls.furniture = Category.create({"name": "Furniture (cross-sell)"})
        cls.chairs = Category.create({"name": "Chairs (cross-sell)", "parent_id": cls.furniture.id})
        cls.lighting = Category.create({"name": "Lighting (cross-sell)"})
        cls.stationery = Category.create({"name": "Stationery (cross-sell)"})
        Product = env["product.product"]
        cls.desk = Product.create({"name": "Oak Desk", "list_price": 400.0, "categ_id": cls.furniture.id})
        cls.chair = Product.create({"name": "Swivel Chair", "list_price": 150.0, "categ_id": cls.chairs.id})
        cls.lamp = Product.create({"name": "Brass Lamp", "list_price": 60.0, "categ_id": cls.lighting.id})
        cls.paper = Product.create({"name": "Paper Ream", "list_price": 5.0, "categ_id": cls.stationery.id})
        cls.clara_user = new_test_user(
            env, "clara_cross_sell", groups="base.group_portal", name="Clara Customer", email="clara@example.com"
        )
        cls.clara = cls.clara_user.partner_id
        cls.clara.write({"user_id": cls.salesperson.id, "tz": "Europe/Paris"})
        Partner = env["res.partner"]
        cls.buyers = Partner.create(
            [
                {"name": f"Buyer {i}", "email": f"buyer{i}@example.com", "user_id": cls.other_salesperson.id}
                for i in range(8)
            ]
        )
        cls.lamp_buyers, cls.chair_buyers, cls.chair_paper_buyer = cls.buyers[:4], cls.buyers[4:7], cls.buyers[7]
        cls.fillers = Partner.create([{"name": f"Paper buyer {i}"} for i in range(5)])
        cls.orders = {}
        for i, buyer in enumerate(cls.lamp_buyers):
            cls.orders[buyer] = cls._order(buyer, 100 + i, [cls.desk, cls.lamp])
        for i, buyer in enumerate(cls.chair_buyers):
            cls.orders[buyer] = cls._order(buyer, 90 + i, [cls.desk, cls.chair])
        cls._order(cls.chair_paper_buyer, 80, [cls.chair, cls.paper])
        for i, filler in enumerate(cls.fillers):
            cls._order(filler, 70 + i, [cls.paper])
        cls.clara_order = cls._order(cls.clara, 30, [cls.desk])

    @classmethod
    def _order(cls, partner, days_ago, products, confirm=True):
        order = cls.env["sale.order"].create(
            {"partner_id": partner.id, "order_line": [Command.create({"product_id": p.id}) for p in products]}
        )
        if confirm:
            order.action_confirm()
            order.date_order = datetime.combine(AS_OF, datetime.min.time()) - timedelta(days=days_ago, hours=-10)
        return order

    @classmethod
    def recommend(cls, partner, *products, anchor=None):
        """Store ``partner``'s recommendations as an analysis run would (the fixture's superuser does it)."""
        return cls.env["crm.relationship.recommendation"].create(
            [
                {
                    "partner_id": partner.id,
                    "product_id": product.id,
                    "anchor_product_id": (anchor or cls.desk).id,
                    "rank": rank,
                    "lift": 1.75,
                }
                for rank, product in enumerate(products, start=1)
            ]
        )
