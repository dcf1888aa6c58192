from odoo import models


class MailActivity(models.Model):
    _inherit = "mail.activity"

    def _action_done(self, feedback=False, attachment_ids=None):
        # sudo: the outcome of a retention activity is kept whoever closes it (often a salesperson without
        # Relationship rights, closing the activity assigned to them); it writes the cases of these activities only
        self.env["crm.relationship.retention.case"].sudo()._record_outcome(self, feedback)
        return super()._action_done(feedback=feedback, attachment_ids=attachment_ids)
