from odoo.addons.crm_relationship.tests.common_portal import PortalCase, RolesComplaintPortalCase
from odoo.fields import Command

__all__ = ["PortalCase", "RolesPortalCase"]


class RolesPortalCase(RolesComplaintPortalCase):
    """The roles' customers of crm_relationship's portal tests, with the records of the self-service pages.

    Besides the order, complaint and NPS invitation, each customer has an open quotation, a need, a
    household member, a suggestion and a loyalty card with enough points for the small reward.
    """

    @classmethod
    def _setup_before_orders(cls):
        cls.program = cls.env["loyalty.program"].create(
            {
                "name": "Roles Rewards (test)",
                "program_type": "loyalty",
                "applies_on": "both",
                "trigger": "auto",
                "rel_ledger": True,
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

    @classmethod
    def _setup_customer(cls, partner):
        env = cls.env
        return {
            **super()._setup_customer(partner),
            "quotation": env["sale.order"].create(
                {"partner_id": partner.id, "order_line": [Command.create({"product_id": cls.product.id})]}
            ),
            "need": env["crm.relationship.need"].create({"name": f"{partner.name} need", "partner_id": partner.id}),
            "member": env["res.partner"].create(
                {"name": f"{partner.name} junior", "parent_id": partner.id, "type": "contact"}
            ),
            "suggestion": env["crm.relationship.suggestion"].create(
                {"name": f"{partner.name} idea", "partner_id": partner.id}
            ),
            "card": env["loyalty.card"].search([("partner_id", "=", partner.id), ("program_id", "=", cls.program.id)]),
        }
