from odoo.addons.crm_relationship.tests.common_roles import RolesMixin
from odoo.exceptions import AccessError
from odoo.tests import TransactionCase, tagged

# model -> the operations a portal user has on it (through ir.model.access.csv)
PORTAL_ACCESS = {
    "crm.complaint": {"read", "create"},
    "crm.relationship.suggestion": {"read", "create"},
    "crm.relationship.need": {"read", "write", "create"},
    "crm.relationship.consent": {"read"},
    "crm.relationship.consent.log": {"read"},
    "crm.relationship.nps": {"read"},
}


@tagged("post_install", "-at_install")
class TestRolesRules(RolesMixin, TransactionCase):
    """Portal users reach the records of their own commercial entity only, public users none."""

    @classmethod
    def setUpClass(cls):
        super().setUpClass()
        cls.setup_roles()
        cls.records = {}
        for partner in (cls.portal_partner, cls.other_portal_partner):
            partner._rel_set_consent("email", "service", True, "backoffice")
            cls.records[partner] = {
                "crm.complaint": cls.env["crm.complaint"].create({"subject": "Rules", "partner_id": partner.id}),
                "crm.relationship.suggestion": cls.env["crm.relationship.suggestion"].create(
                    {"name": "Rules", "partner_id": partner.id}
                ),
                "crm.relationship.need": cls.env["crm.relationship.need"].create(
                    {"name": "Rules", "partner_id": partner.id}
                ),
                "crm.relationship.consent": partner.rel_consent_ids,
                "crm.relationship.consent.log": partner.rel_consent_log_ids,
                "crm.relationship.nps": cls.env["crm.relationship.nps"].create({"partner_id": partner.id}),
            }

    def test_portal_access_rights_per_model(self):
        for model, allowed in PORTAL_ACCESS.items():
            Model = self.env[model].with_user(self.portal_user)
            for operation in ("read", "write", "create", "unlink"):
                with self.subTest(model=model, operation=operation):
                    self.assertEqual(Model.has_access(operation), operation in allowed)

    def test_portal_reads_own_entity_only(self):
        for model in PORTAL_ACCESS:
            own = self.records[self.portal_partner][model]
            theirs = self.records[self.other_portal_partner][model]
            with self.subTest(model=model):
                visible = self.env[model].with_user(self.portal_user).search([("id", "in", (own | theirs).ids)])
                self.assertEqual(visible, own)
                with self.assertRaises(AccessError):
                    theirs.with_user(self.portal_user).read(["partner_id"])

    def test_portal_writes_own_entity_only(self):
        theirs = self.records[self.other_portal_partner]["crm.relationship.need"]
        with self.assertRaises(AccessError):
            theirs.with_user(self.portal_user).write({"name": "Mine now"})
        theirs.invalidate_recordset()
        self.assertEqual(theirs.name, "Rules")

    def test_public_user_reaches_nothing(self):
        for model in [*PORTAL_ACCESS, "crm.relationship.weekday", "crm.complaint.category", "crm.complaint.stage"]:
            Model = self.env[model].with_user(self.public_user)
            for operation in ("read", "write", "create", "unlink"):
                with self.subTest(model=model, operation=operation):
                    self.assertFalse(Model.has_access(operation))
