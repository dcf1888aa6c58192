from odoo.tests import new_test_user


class RolesMixin:
    """One user per real role of the product, for tests that run each flow as the person who does it.

    The superuser builds fixtures only; a flow runs ``with_user`` one of these:

    - ``salesperson``: Sales / User: Own Documents Only, nothing of ours;
    - ``sales_manager``: Sales / Administrator, nothing of ours;
    - ``relationship_user``: Relationship / User (implies salesperson);
    - ``relationship_manager``: Relationship / Manager;
    - ``portal_user``: a customer with a portal login (``portal_partner``), and ``other_portal_user``
      of another customer (``other_portal_partner``);
    - ``public_user``: the anonymous visitor;
    - ``settings_admin``: an administrator who is also Relationship Manager, since Odoo lets
      administrators alone save Settings.
    """

    @classmethod
    def setup_roles(cls):
        env = cls.env
        cls.salesperson = new_test_user(
            env, "role_salesperson", groups="sales_team.group_sale_salesman", name="Sam Salesperson"
        )
        cls.sales_manager = new_test_user(
            env, "role_sales_manager", groups="sales_team.group_sale_manager", name="Mona Sales Manager"
        )
        cls.relationship_user = new_test_user(
            env,
            "role_relationship_user",
            groups="crm_relationship.group_relationship_user",
            name="Rita Relationship User",
        )
        cls.relationship_manager = new_test_user(
            env,
            "role_relationship_manager",
            groups="crm_relationship.group_relationship_manager",
            name="Max Relationship Manager",
        )
        cls.portal_user = new_test_user(
            env, "role_portal", groups="base.group_portal", name="Paula Portal", email="paula@example.com"
        )
        cls.portal_partner = cls.portal_user.partner_id
        cls.other_portal_user = new_test_user(
            env, "role_portal_other", groups="base.group_portal", name="Otto Other", email="otto@example.com"
        )
        cls.other_portal_partner = cls.other_portal_user.partner_id
        cls.public_user = env.ref("base.public_user")
        cls.settings_admin = new_test_user(
            env,
            "role_settings_admin",
            groups="base.group_system,crm_relationship.group_relationship_manager",
            name="Zoe Settings Admin",
        )


def anonymise(partner, user):
    """Erase ``partner`` as ``user`` does it: open the erasure from the customer form, then confirm it."""
    action = partner.with_user(user).action_rel_anonymise()
    return partner.env["crm.relationship.erasure"].with_user(user).browse(action["res_id"]).action_confirm()
