import csv
import io
import json
import re
import zipfile

import pytz

from odoo import api, fields, models
from odoo.exceptions import AccessError
from odoo.tools import html2plaintext

from ..analytics.store import METRIC_COLUMNS

# Float fields holding an hour of the day, written 18:30 rather than 18.5.
HOUR_FIELDS = {"rel_contact_window_start", "rel_contact_window_end"}
UNSAFE_NAME = re.compile(r"[^\w.-]+")
ANALYSIS_FIELDS = tuple(f"rel_{name}" for name in METRIC_COLUMNS if name != "company_id")


def computed(key, how):
    """A column computed by ``how(record)``, named ``key`` (a plain tuple would read as a term to translate)."""
    return (key, how)


class CrmRelationshipPrivacyExport(models.AbstractModel):
    """Everything held about one customer entity, as a zip of JSON, CSV, the files and a README.

    The portal's /my/privacy and the Relationship Manager's button on the customer both build it
    here. A table is ``(description, columns, records)``: columns name fields of the records (or
    ``(key, function)`` pairs), and each value is written for a reader (labels, Yes/No, 18:30,
    dates without microseconds in the customer's time zone) in the CSV files and in data.json.
    Modules add tables by extending ``_tables``.
    """

    _name = "crm.relationship.privacy.export"
    _description = "Export of a Customer's Personal Data"

    @api.model
    def _check_export_access(self, partner):
        user = self.env.user
        if user.has_group("crm_relationship.group_relationship_manager"):
            return
        if user.share and not user._is_public() and user.partner_id.commercial_partner_id == partner:
            return
        raise AccessError(self.env._("Only the customer and relationship managers can export a customer's data."))

    # ------------------------------------------------------------------ values for a reader
    def _readable(self, record, name, tz):
        field = record._fields[name]
        value = record[name]
        if field.type == "boolean":
            return self.env._("Yes") if value else self.env._("No")
        if value is False or value is None:
            return ""
        if field.type == "datetime":
            return pytz.utc.localize(value).astimezone(tz).strftime("%Y-%m-%d %H:%M:%S")
        if field.type == "date":
            return value.isoformat()
        if field.type == "selection":
            return dict(field._description_selection(self.env)).get(value, value)
        if field.type == "many2one":
            return value.display_name or ""
        if field.type in ("many2many", "one2many"):
            return ", ".join(value.mapped("display_name"))
        if field.type == "html":
            return html2plaintext(value or "").strip()
        if name in HOUR_FIELDS:
            hours, minutes = divmod(round(value * 60), 60)
            return f"{hours:02d}:{minutes:02d}"
        if field.type in ("float", "monetary"):
            return float(round(value, 2))
        return value

    def _rows(self, columns, records, tz):
        rows = []
        for record in records:
            row = {}
            for column in columns:
                key, how = column if isinstance(column, tuple) else (column, column)
                row[key] = how(record) if callable(how) else self._readable(record, how, tz)
            rows.append(row)
        return rows

    # ------------------------------------------------------------------ what is held
    @api.model
    def _documents(self, entity):
        """The customer's own records, by model: the documents whose messages and files are theirs too."""
        # sudo: the export gathers the customer's own records across models the caller may not read in full
        su = self.env(su=True, context={"active_test": False})
        ids = entity.ids
        return {
            "res.partner": entity.sudo(),
            "sale.order": su["sale.order"].search([("partner_id", "in", ids)]),
            "account.move": su["account.move"].search(
                [("commercial_partner_id", "in", ids), ("move_type", "!=", "entry"), ("state", "=", "posted")]
            ),
            "crm.complaint": su["crm.complaint"].search([("partner_id", "in", ids)]),
            "crm.relationship.suggestion": su["crm.relationship.suggestion"].search([("partner_id", "in", ids)]),
            "crm.relationship.need": su["crm.relationship.need"].search([("partner_id", "in", ids)]),
            "crm.relationship.nps": su["crm.relationship.nps"].search([("partner_id", "in", ids)]),
            "crm.lead": su["crm.lead"].search([("partner_id", "in", ids)]),
        }

    @api.model
    def _messages(self, entity, documents):
        su = self.env(su=True)
        domain = ["|", ("author_id", "in", entity.ids), ("partner_ids", "in", entity.ids)]
        for model, records in documents.items():
            if records:
                domain = ["|", "&", ("model", "=", model), ("res_id", "in", records.ids), *domain]
        return (
            su["mail.message"]
            .search([*domain, ("message_type", "!=", "user_notification")], order="date, id")
            .filtered(lambda m: m.body or m.attachment_ids or m.subject or m.tracking_value_ids)
        )

    @api.model
    def _tables(self, partner, entity, documents, messages, tz):
        env = self.env
        su = env(su=True)
        orders = documents["sale.order"]
        invoices = documents["account.move"]
        complaints = documents["crm.complaint"]
        return {
            "profile": (
                env._("You, your contacts and your addresses, with your contact preferences and interests."),
                [
                    "name",
                    computed(
                        "relation", lambda p: env._("Customer") if p == partner else self._readable(p, "type", tz)
                    ),
                    "email",
                    "phone",
                    "street",
                    "street2",
                    "zip",
                    "city",
                    "state_id",
                    "country_id",
                    "vat",
                    "lang",
                    "rel_role",
                    "rel_preferred_contact_channel",
                    "rel_contact_window_weekday_ids",
                    "rel_contact_window_start",
                    "rel_contact_window_end",
                    "rel_interest_category_ids",
                    "rel_profiling_objection",
                    "create_date",
                ],
                entity,
            ),
            "account": (
                env._("Your portal login."),
                ["login", "login_date", "create_date", "lang", "tz"],
                entity.sudo().user_ids,
            ),
            "consents": (
                env._("Your current answer for each channel and purpose."),
                ["partner_id", "channel", "purpose", "granted", "date_changed", "source"],
                su["crm.relationship.consent"].search([("partner_id", "in", entity.ids)]),
            ),
            "consent_history": (
                env._("Every change of a consent or of your objection to profiling, and who made it."),
                ["date", "partner_id", "channel", "purpose", "granted", "source"],
                su["crm.relationship.consent.log"].search([("partner_id", "in", entity.ids)]),
            ),
            "needs": (
                env._("What you told us you need, and our answers."),
                ["name", "partner_id", "product_category_id", "state", "answer", "date_addressed", "create_date"],
                documents["crm.relationship.need"],
            ),
            "complaints": (
                env._("Your complaints with their descriptions and resolutions; their messages are in messages.csv."),
                [
                    computed("reference", lambda c: c.name),
                    "subject",
                    "description",
                    "resolution",
                    "category_id",
                    "severity",
                    "channel",
                    "stage_id",
                    "sale_order_id",
                    "product_id",
                    "date_open",
                    "date_first_response",
                    "date_closed",
                    computed("rating", lambda c: c.rating_last_value or ""),
                    computed("rating_comment", lambda c: c.sudo().rating_ids[:1].feedback or ""),
                ],
                complaints,
            ),
            "suggestions": (
                env._("Your suggestions and our answers."),
                ["name", "suggestion_type", "description", "state", "company_answer", "date_decision", "create_date"],
                documents["crm.relationship.suggestion"],
            ),
            "nps": (
                env._("Your answers to our satisfaction surveys."),
                ["date_sent", "state", "date_answered", "score", "comment"],
                documents["crm.relationship.nps"],
            ),
            "orders": (
                env._("Your orders; their lines are in order_lines.csv."),
                [
                    computed("order", lambda o: o.name),
                    computed("date", lambda o: self._readable(o, "date_order", tz)),
                    "state",
                    "amount_untaxed",
                    computed("total", lambda o: float(round(o.amount_total, 2))),
                    computed("currency", lambda o: o.currency_id.name),
                ],
                orders,
            ),
            "order_lines": (
                env._("The lines of your orders."),
                ["order_id", "product_id", "name", "product_uom_qty", "price_unit", "price_subtotal", "price_total"],
                orders.order_line.filtered(lambda line: not line.display_type),
            ),
            "invoices": (
                env._("Your invoices and credit notes; their lines are in invoice_lines.csv."),
                [
                    "name",
                    "move_type",
                    "invoice_date",
                    "invoice_date_due",
                    "payment_state",
                    "amount_untaxed",
                    "amount_total",
                    "currency_id",
                ],
                invoices,
            ),
            "invoice_lines": (
                env._("The lines of your invoices."),
                ["move_id", "product_id", "name", "quantity", "price_unit", "price_subtotal", "price_total"],
                invoices.invoice_line_ids.filtered(lambda line: line.display_type == "product"),
            ),
            "leads": (
                env._("Leads and opportunities about you, with the contact data they hold."),
                ["name", "contact_name", "email_from", "phone", "stage_id", "description", "referred", "create_date"],
                documents["crm.lead"],
            ),
            "messages": (
                env._("Messages and emails to and from you, and the notes and changes on your records."),
                [
                    "date",
                    computed("document", lambda m: self._document_label(m.model, m.record_name)),
                    "author_id",
                    "email_from",
                    "message_type",
                    "subject",
                    "body",
                    computed("changes", self._message_changes),
                    computed("attachments", lambda m: ", ".join(m.attachment_ids.mapped("name"))),
                ],
                messages,
            ),
            "analysis": (
                env._("The figures our analysis computes about you as a customer."),
                ["name", *ANALYSIS_FIELDS, computed("analysed_for", lambda p: p.rel_company_id.name or "")],
                entity.sudo().filtered(lambda p: p.rel_rfm_segment or p.rel_lifecycle_stage or p.rel_company_id),
            ),
            "retention": (
                env._("When our analysis found you might stop buying from us: why, what we planned, what came of it."),
                ["date_at_risk", "date_end", "reason", "planned", "no_action_reason", "done", "date_done", "outcome"],
                su["crm.relationship.retention.case"].search([("partner_id", "in", entity.ids)]),
            ),
            "recommendations": (
                env._("The products our analysis suggests to you."),
                ["partner_id", "rank", "product_id", "reason"],
                su["crm.relationship.recommendation"].search([("partner_id", "in", entity.ids)]),
            ),
        }

    def _document_label(self, model, name):
        return f"{self.env['ir.model']._get(model).name or ''} {name or ''}".strip()

    def _message_changes(self, message):
        return "; ".join(
            f"{t.field_id.field_description}: {t.old_value_char or t.old_value_text or ''} → "
            f"{t.new_value_char or t.new_value_text or ''}"
            for t in message.sudo().tracking_value_ids
        )

    @api.model
    def _attachments(self, documents, messages):
        su = self.env(su=True)
        files = messages.attachment_ids
        for model, records in documents.items():
            if records:
                files |= su["ir.attachment"].search([("res_model", "=", model), ("res_id", "in", records.ids)])
        return files.filtered(lambda a: a.type == "binary")

    # ------------------------------------------------------------------ the zip
    @api.model
    def _build(self, partner):
        """The zip of the customer entity of ``partner``, after checking the caller may have it."""
        partner = partner.commercial_partner_id
        self._check_export_access(partner)
        export = self.with_context(lang=partner.lang or self.env.lang)
        env = export.env
        entity = self.env["crm.relationship.privacy.erasure"].sudo()._entity(partner)
        tz = pytz.timezone(partner.tz or "UTC")
        documents = export._documents(entity)
        messages = export._messages(entity, documents)
        tables = export._tables(partner, entity, documents, messages, tz)
        files = export._attachments(documents, messages)
        limit = int(
            float(env["ir.config_parameter"].sudo().get_param("crm_relationship.privacy_export_file_limit_mb", 10))
            * 1024
            * 1024
        )
        data, readme = (
            {},
            [
                env._(
                    "Everything %(company)s holds about you, as of %(date)s.",
                    company=env.company.name,
                    date=fields.Date.today(),
                ),
                env._("data.json holds every table below; each table is also a CSV file (UTF-8, comma-separated)."),
                "",
            ],
        )
        buffer = io.BytesIO()
        with zipfile.ZipFile(buffer, "w", zipfile.ZIP_DEFLATED) as archive:
            for name, (description, columns, records) in tables.items():
                rows = export._rows(columns, records, tz)
                data[name] = rows
                archive.writestr(f"{name}.csv", export._csv(rows, columns, records))
                readme.append(f"{name}.csv ({len(rows)}): {description}")
            file_rows = []
            for attachment in files:
                inside = attachment.file_size <= limit
                path = f"files/{attachment.id}-{UNSAFE_NAME.sub('_', attachment.name or 'file')}"
                if inside:
                    archive.writestr(path, attachment.raw or b"")
                file_rows.append(
                    {
                        "name": attachment.name,
                        "document": self._document_label(attachment.res_model, attachment.res_name),
                        "size_kb": round(attachment.file_size / 1024, 1),
                        "type": attachment.mimetype or "",
                        "file": path if inside else "",
                        "note": ""
                        if inside
                        else env._(
                            "Larger than %(mb)s MB: ask us and we will send it to you.", mb=limit // 1024 // 1024
                        ),
                    }
                )
            data["attachments"] = file_rows
            archive.writestr(
                "attachments.csv", export._csv(file_rows, ["name", "document", "size_kb", "type", "file", "note"], None)
            )
            readme.append(
                f"attachments.csv ({len(file_rows)}): "
                + env._("Your files and those on your records; the files up to the size limit are in the files folder.")
            )
            archive.writestr("data.json", json.dumps(data, indent=2, ensure_ascii=False, default=str))
            archive.writestr("README.txt", "\n".join(readme) + "\n")
        return buffer.getvalue()

    def _csv(self, rows, columns, records):
        keys = [column[0] if isinstance(column, tuple) else column for column in columns]
        text = io.StringIO()
        writer = csv.DictWriter(text, fieldnames=keys)
        writer.writeheader()
        writer.writerows(rows)
        return text.getvalue()
