import re
import secrets
from collections import defaultdict

from odoo import api, fields, models
from odoo.addons.base.models.ir_mail_server import MailDeliveryException
from odoo.exceptions import AccessError, UserError
from odoo.http import root
from odoo.tools import SQL

from .crm_relationship_privacy_erasure import CLEAR, DELETE, KEEP, PARTNER_ADDRESS_FIELDS, PARTNER_ERASED_FIELDS

ERASED = "[erased]"
# Free text that may name the customer on records that stay: rewritten wherever it mentions them.
SCRUBBED_FIELDS = {
    "mail.message": ("body", "subject", "record_name", "email_from", "reply_to", "preview"),
    "mail.tracking.value": ("old_value_char", "new_value_char", "old_value_text", "new_value_text"),
}


class CrmRelationshipErasure(models.TransientModel):
    """The manager's view of an erasure: what will be erased and kept and why, then doing it."""

    _name = "crm.relationship.erasure"
    _description = "Erase a Customer's Personal Data"

    partner_id = fields.Many2one("res.partner", string="Customer", required=True, readonly=True, ondelete="cascade")
    refusal = fields.Text(readonly=True)
    line_ids = fields.One2many("crm.relationship.erasure.line", "erasure_id", string="Records", readonly=True)
    retention_years = fields.Integer(readonly=True)

    @api.model_create_multi
    def create(self, vals_list):
        self._check_manager()
        erasures = super().create(vals_list)
        for erasure in erasures:
            erasure._fill()
        return erasures

    def _check_manager(self):
        if not self.env.user.has_group("crm_relationship.group_relationship_manager"):
            raise AccessError(self.env._("Only relationship managers can erase a customer's personal data."))

    def _fill(self):
        Engine = self.env["crm.relationship.privacy.erasure"]
        entity = Engine._entity(self.partner_id)
        refusals = Engine._refusals(entity)
        plan = Engine._plan(entity, Engine._identifiers(entity))
        self.write(
            {
                "partner_id": self.partner_id.commercial_partner_id.id,
                "refusal": "\n".join(refusals) or False,
                "retention_years": Engine._retention_years(),
                "line_ids": [fields.Command.clear()]
                + [
                    fields.Command.create(
                        {
                            "res_model": model,
                            "action": action,
                            "reason": reason,
                            "res_ids": ",".join(map(str, sorted(ids))),
                        }
                    )
                    for (model, action, reason), ids in sorted(plan.items(), key=lambda item: (item[0][1], item[0][0]))
                ],
            }
        )

    def action_confirm(self):
        """Erase now, in this transaction: a failure half-way leaves the customer as before."""
        self.ensure_one()
        self._check_manager()
        partner = self.partner_id.commercial_partner_id
        if partner.rel_anonymised_on:
            raise UserError(self.env._("This customer was already anonymised on %s.", partner.rel_anonymised_on))
        Engine = self.env["crm.relationship.privacy.erasure"]
        entity = Engine._entity(partner)
        refusals = Engine._refusals(entity)
        if refusals:
            raise UserError("\n".join(refusals))
        ident = Engine._identifiers(entity)
        # The plan is made again: the lines shown may be stale, and a wizard is never trusted as input.
        plan = Engine._plan(entity, ident)
        mail = self._prepare_confirmation(partner)
        self._execute(entity, ident, plan)
        self._post_privacy_log(partner, ident, plan)
        self.line_ids.unlink()
        if mail:
            self._send_confirmation(mail)
        return {"type": "ir.actions.act_window_close"}

    # ------------------------------------------------------------------ doing it
    def _execute(self, entity, ident, plan):
        # sudo: the manager check above allows the erasure of every record about the customer, which
        # the manager's own rights (users, messages, accounting, other teams' records) do not cover
        env = self.env(
            su=True, context=dict(self.env.context, tracking_disable=True, mail_notrack=True, active_test=False)
        )
        by_model = defaultdict(lambda: defaultdict(set))
        for (model, action, _reason), ids in plan.items():
            by_model[action][model] |= ids
        for model, ids in by_model[CLEAR].items():
            self._clear(env[model].browse(sorted(ids)), entity)
        for model, ids in by_model[DELETE].items():
            records = env[model].browse(sorted(ids)).exists()
            records.unlink()
        kept = env["res.partner"].browse(sorted(by_model[KEEP]["res.partner"]))
        root_partner = env["res.partner"].browse(entity.ids).commercial_partner_id
        self._clear_partners(env["res.partner"].browse(entity.ids), kept)
        root_partner.write({"rel_anonymised_on": fields.Datetime.now()})
        root_partner.message_post(body=self.env._("Personal data anonymised."), subtype_xmlid="mail.mt_note")
        env.flush_all()
        self._scrub(ident)

    def _clear(self, records, entity):
        """Replace the personal data of records that stay; modules extend it for their models."""
        model = records._name
        if model == "res.users":
            self._clear_users(records)
        elif model == "sale.order":
            for order in records:
                order.access_token = secrets.token_urlsafe(16) if order.access_token else False
        elif model == "crm.complaint":
            records.write({"subject": self.env._("Anonymised"), "description": False, "resolution": False})
            for complaint in records.filtered("access_token"):
                complaint.access_token = secrets.token_urlsafe(16)
        elif model == "rating.rating":
            for rating in records:
                rating.write({"feedback": False, "access_token": secrets.token_hex(16)})
        elif model == "crm.relationship.nps":
            for answer in records:
                answer.write({"comment": False, "access_token": answer._new_token()})
        elif model == "mail.message":
            records.write({"partner_ids": [fields.Command.unlink(p) for p in entity.ids]})
            records.notification_ids.filtered(lambda n: n.res_partner_id in entity).unlink()

    def _clear_users(self, users):
        users.write({"active": False, "signature": False})
        users.flush_recordset()
        # SQL: through the ORM, a new login and password would email security alerts to the address being
        # erased; without a password hash the account cannot log in, and its sessions' tokens no longer match
        self.env.cr.execute(
            SQL(
                "UPDATE res_users SET login = 'anonymised-' || id, password = NULL WHERE id = ANY(%s)",
                users.ids,
            )
        )
        users.invalidate_recordset(["login", "password"])
        self.env.cr.execute(SQL("DELETE FROM res_users_apikeys WHERE user_id = ANY(%s)", users.ids))
        devices = users.env["res.device.log"].search([("user_id", "in", users.ids)])
        root.session_store.delete_from_identifiers(list(set(devices.mapped("session_identifier"))))
        devices.unlink()

    def _clear_partners(self, entity, kept):
        Engine = self.env["crm.relationship.privacy.erasure"]
        common = {
            **dict.fromkeys(PARTNER_ERASED_FIELDS, False),
            **Engine._partner_erased_values(),
            "rel_preferred_contact_channel": "none",
            "rel_contact_window_weekday_ids": [fields.Command.clear()],
            "rel_interest_category_ids": [fields.Command.clear()],
            "active": False,
        }
        for contact in entity:
            values = dict(common)
            if contact not in kept:
                values.update(dict.fromkeys(PARTNER_ADDRESS_FIELDS, False))
                values["name"] = self.env._("Anonymised customer %(ref)s", ref=contact.id)
                if contact.parent_id in kept:
                    # a contact's full name starts with its company's, which a kept buyer still bears
                    values["parent_id"] = False
            # with archived users out of sight: Odoo refuses to archive a contact whose user it still finds
            contact.with_context(active_test=True).write(values)
        for consent in (
            self.env["crm.relationship.consent"]
            .sudo()
            .search([("partner_id", "in", entity.ids), ("granted", "=", True)])
        ):
            consent.partner_id._set_relationship_consent(consent.channel, consent.purpose, False, "backoffice")
        self.env["crm.relationship.analysis"]._rel_clear_figures(entity)

    def _scrubbed_fields(self):
        """Free-text fields of records that stay, by model; modules add theirs."""
        return dict(SCRUBBED_FIELDS)

    def _scrub(self, ident):
        """Rewrite the customer's name, email, phone and tax ID wherever free text that stays mentions them."""
        needles = sorted(ident["names"] | ident["emails"] | ident["phones"] | ident["vats"], key=len, reverse=True)
        if not needles:
            return
        pattern = re.compile("|".join(re.escape(n) for n in needles), re.IGNORECASE)
        likes = [f"%{n}%" for n in needles]
        cr = self.env.cr
        for model, names in self._scrubbed_fields().items():
            table = self.env[model]._table
            for column in (n for n in names if n in self.env[model]._fields and self.env[model]._fields[n].store):
                cr.execute(
                    SQL(
                        "SELECT id, %s FROM %s WHERE %s ILIKE ANY(%s)",
                        SQL.identifier(column),
                        SQL.identifier(table),
                        SQL.identifier(column),
                        likes,
                    )
                )
                for row_id, text in cr.fetchall():
                    cr.execute(
                        SQL(
                            "UPDATE %s SET %s = %s WHERE id = %s",
                            SQL.identifier(table),
                            SQL.identifier(column),
                            pattern.sub(ERASED, text),
                            row_id,
                        )
                    )
        self.env.invalidate_all()

    # ------------------------------------------------------------------ log and confirmation
    def _post_privacy_log(self, partner, ident, plan):
        Model = self.env["ir.model"]
        verbs = {DELETE: self.env._("Deleted"), CLEAR: self.env._("Anonymised"), KEEP: self.env._("Kept")}
        details = []
        for (model, action, reason), ids in sorted(plan.items(), key=lambda item: (item[0][1], item[0][0])):
            label = Model._get(model).name or model
            details.append(
                f"{verbs[action]}: {label} - {model} ({len(ids)}): {', '.join(f'#{i}' for i in sorted(ids))} — {reason}"
            )
        found = defaultdict(set)
        for (model, _action, _reason), ids in plan.items():
            found[model] |= ids
        # sudo: Odoo's privacy log is for administrators; a Relationship Manager's erasure is logged there too
        self.env["privacy.log"].sudo().create(
            {
                "anonymized_name": partner.name or "-",
                "anonymized_email": next(iter(sorted(ident["emails"])), "unknown@example.invalid"),
                "execution_details": "\n".join(details),
                "records_description": "\n".join(
                    f"{model} ({len(ids)}): {', '.join(f'#{i}' for i in sorted(ids))}"
                    for model, ids in sorted(found.items())
                ),
                "additional_note": self.env._(
                    "Erasure of a customer's personal data (Relationship), retention period %(years)s years.",
                    years=self.retention_years,
                ),
            }
        )

    def _prepare_confirmation(self, partner):
        """The email promised on the portal, made while the address is still there, sent once all is done."""
        contact = partner if partner.email else partner.child_ids.filtered("email")[:1]
        if not contact:
            return False
        template = self.env.ref("crm_relationship.mail_template_erasure_done")
        # sudo: the mail is written for the customer being erased, from a template managers cannot edit
        mail_id = template.sudo().send_mail(
            contact.id, force_send=False, email_layout_xmlid="mail.mail_notification_light"
        )
        mail = self.env["mail.mail"].sudo().browse(mail_id)
        # to the address itself: the template's recipient is the partner, whose address is about to go
        mail.write({"recipient_ids": [fields.Command.clear()], "email_to": contact.email_formatted})
        return mail

    def _send_confirmation(self, mail):
        mail.write({"model": False, "res_id": False})
        try:
            mail.send(raise_exception=True)
        except MailDeliveryException as error:
            raise UserError(self._confirmation_failed(error.args[-1] if error.args else error)) from error
        if mail.exists() and mail.state == "exception":
            raise UserError(self._confirmation_failed(mail.failure_reason))

    def _confirmation_failed(self, reason):
        return self.env._(
            "The confirmation email to the customer could not be sent (%(reason)s), so nothing was erased. "
            "Check the outgoing mail server, then erase again.",
            reason=reason,
        )
