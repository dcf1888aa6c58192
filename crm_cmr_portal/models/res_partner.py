import csv
import io
import json
import zipfile

from odoo import fields, models
from odoo.addons.crm_relationship.analytics.store import METRIC_COLUMNS

# Figures the nightly analysis computes about a customer (crm_relationship): hidden from portal users,
# yet personal data about them, so the export holds them.
ANALYSIS_FIELDS = tuple(name for name in METRIC_COLUMNS if name != "rel_company_id")


class ResPartner(models.Model):
    _inherit = "res.partner"

    # Internal notes about the customer: employees only. Odoo lets portal users read every field of their
    # own partner, and the notes were never meant for the customer.
    comment = fields.Html(groups="base.group_user")

    rel_erasure_requested_on = fields.Datetime(
        string="Erasure Requested On", readonly=True, copy=False, groups="base.group_user"
    )

    # ------------------------------------------------------------------ export
    def _rel_privacy_tables(self):
        """Everything the company holds about this customer entity, as named tables of rows."""
        self.ensure_one()
        partner = self.commercial_partner_id
        contacts = partner | partner.child_ids
        tables = {
            "profile": [
                {
                    "name": p.name,
                    "email": p.email or "",
                    "phone": p.phone or "",
                    "street": p.street or "",
                    "city": p.city or "",
                    "zip": p.zip or "",
                    "country": p.country_id.name or "",
                    "role": p.rel_role or "",
                    "rel_preferred_contact_channel": p.rel_preferred_contact_channel or "",
                    "contact_days": ", ".join(p.rel_contact_window_weekday_ids.mapped("name")),
                    "contact_from": p.rel_contact_window_start,
                    "contact_until": p.rel_contact_window_end,
                    "interests": ", ".join(p.rel_interest_category_ids.mapped("name")),
                }
                for p in contacts
            ],
            "needs": [
                {"need": n.name, "state": n.state, "answer": n.answer or "", "created": str(n.create_date)}
                for n in self.env["crm.relationship.need"].search([("commercial_partner_id", "=", partner.id)])
            ],
            "consents": [
                {"channel": c.channel, "purpose": c.purpose, "granted": c.granted, "changed": str(c.date_changed)}
                for c in self.env["crm.relationship.consent"].search([("commercial_partner_id", "=", partner.id)])
            ],
            "consent_history": [
                {
                    "date": str(c.date),
                    "channel": c.channel,
                    "purpose": c.purpose,
                    "granted": c.granted,
                    "source": c.source,
                }
                for c in self.env["crm.relationship.consent.log"].search([("commercial_partner_id", "=", partner.id)])
            ],
            "orders": [
                {
                    "order": row["name"],
                    "date": str(row["date_order"]),
                    "state": row["state"],
                    "total": row["amount_total"],
                    "currency": row["currency_id"][1] if row["currency_id"] else "",
                }
                for row in self.env["sale.order"].search_read(
                    [("partner_id", "child_of", partner.id)],
                    ["name", "date_order", "state", "amount_total", "currency_id"],
                )
            ],
            "complaints": [
                {
                    "reference": c.name,
                    "subject": c.subject or "",
                    "stage": c.stage_id.name or "",
                    "opened": str(c.create_date),
                    "closed": str(c.date_closed or ""),
                    "rating": c.rating_last_value or "",
                }
                for c in self.env["crm.complaint"].search([("commercial_partner_id", "=", partner.id)])
            ],
            "suggestions": [
                {"title": s.name, "type": s.suggestion_type, "state": s.state, "created": str(s.create_date)}
                for s in self.env["crm.relationship.suggestion"].search([("commercial_partner_id", "=", partner.id)])
            ],
            "nps": [
                {
                    "sent": str(n.date_sent),
                    "answered": str(n.date_answered or ""),
                    "score": n.score,
                    "comment": n.comment or "",
                }
                for n in self.env["crm.relationship.nps"].search([("commercial_partner_id", "=", partner.id)])
            ],
            "analysis": self._rel_privacy_analysis_rows(contacts),
            "loyalty_ledger": [
                {
                    "date": str(h.create_date),
                    "program": h.rel_program_id.name or "",
                    "movement": h.rel_movement_type,
                    "description": h.description or "",
                    "points": h.rel_points,
                    "expires": str(h.rel_expiry_date or ""),
                }
                for h in self.env["loyalty.history"].search([("card_id.partner_id", "in", contacts.ids)])
            ],
        }
        return tables

    def _rel_privacy_analysis_rows(self, contacts):
        """The figures computed about these contacts, for the ones an analysis run has scored."""
        # sudo: the figures are readable by employees only (groups="base.group_user"), but they are personal
        # data about the customer that the export must hold; the contacts are the entity the caller confined
        # the export to (the portal exports the user's own commercial entity only)
        scored = contacts.sudo().filtered(lambda p: p.rel_rfm_segment or p.rel_lifecycle_stage or p.rel_company_id)
        return [
            {
                "name": p.name,
                **{name: p[name] if p[name] is not False else "" for name in ANALYSIS_FIELDS},
                "analysed_for": p.rel_company_id.name or "",
                "currency": p.rel_currency_id.name or "",
            }
            for p in scored
        ]

    def _rel_privacy_export(self):
        """A zip holding data.json and one CSV file per table (the right of access and portability)."""
        tables = self._rel_privacy_tables()
        buffer = io.BytesIO()
        with zipfile.ZipFile(buffer, "w", zipfile.ZIP_DEFLATED) as archive:
            archive.writestr("data.json", json.dumps(tables, indent=2, ensure_ascii=False, default=str))
            for name, rows in tables.items():
                text = io.StringIO()
                if rows:
                    writer = csv.DictWriter(text, fieldnames=list(rows[0]))
                    writer.writeheader()
                    writer.writerows(rows)
                archive.writestr(f"{name}.csv", text.getvalue())
        return buffer.getvalue()

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
        partner.activity_schedule(
            "crm_cmr_portal.mail_activity_type_erasure",
            user_id=(manager or self.env.ref("base.user_admin")).id,
            note=self.env._(
                "%(user)s asked from the portal to erase their personal data. Check for legal obligations to keep "
                "records, then use Anonymise on the customer.",
                user=user.name,
            ),
        )
        partner.message_post(
            body=self.env._("Erasure of personal data requested from the portal by %(user)s.", user=user.name),
            subtype_xmlid="mail.mt_note",
        )
        return True

    def action_rel_anonymise(self):
        """Anonymising (crm_relationship) also completes the manager's task of the portal's erasure request."""
        result = super().action_rel_anonymise()
        activity_type = self.env.ref("crm_cmr_portal.mail_activity_type_erasure")
        self.commercial_partner_id.activity_ids.filtered(lambda a: a.activity_type_id == activity_type).action_feedback(
            feedback=self.env._("Customer anonymised.")
        )
        return result
