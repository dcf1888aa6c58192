from odoo import fields, models


class ResPartner(models.Model):
    _inherit = "res.partner"

    # Internal notes about the customer: employees only. Odoo lets portal users read every field of their
    # own partner, and the notes were never meant for the customer.
    comment = fields.Html(groups="base.group_user")

    rel_erasure_requested_on = fields.Datetime(
        string="Erasure Requested On", readonly=True, copy=False, groups="base.group_user"
    )

    # ------------------------------------------------------------------ erasure
    def _rel_request_erasure(self, user):
        """The customer asks to be forgotten: a manager gets a to-do; asking twice changes nothing."""
        self.ensure_one()
        partner = self.commercial_partner_id
        if partner.rel_erasure_requested_on:
            return False
        partner.rel_erasure_requested_on = fields.Datetime.now()
        manager_group = self.env.ref("crm_relationship.group_relationship_manager")
        manager = partner.user_id if partner.user_id in manager_group.user_ids else manager_group.user_ids[:1]
        manager = manager or self.env.ref("base.user_admin")
        # the task and the note are read in the back office: in the manager's language, not the customer's
        manager_env = self.with_context(lang=manager.lang).env
        partner.activity_schedule(
            "crm_cmr_portal.mail_activity_type_erasure",
            user_id=manager.id,
            note=manager_env._(
                "%(user)s asked from the portal to erase their personal data. Check for legal obligations to keep "
                "records, then use Anonymise on the customer.",
                user=user.name,
            ),
        )
        partner.message_post(
            body=manager_env._("Erasure of personal data requested from the portal by %(user)s.", user=user.name),
            subtype_xmlid="mail.mt_note",
        )
        return True
