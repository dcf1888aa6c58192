import re
from collections import defaultdict

from dateutil.relativedelta import relativedelta

from odoo import api, fields, models
from odoo.fields import Domain
from odoo.tools import SQL, email_normalize

# Journal entries, their lines and payments: the books, kept for the retention period of Settings.
ACCOUNTING_MODELS = ("account.move", "account.move.line", "account.payment", "account.bank.statement.line")
# Personal data cleared on every contact of the customer, kept or not.
PARTNER_ERASED_FIELDS = (
    "email",
    "phone",
    "website",
    "comment",
    "function",
    "ref",
    "barcode",
    "company_registry",
    "rel_role",
    "image_1920",
)
PARTNER_ADDRESS_FIELDS = ("street", "street2", "zip", "city", "state_id", "country_id", "vat")
CLEAR = "clear"
DELETE = "delete"
KEEP = "keep"


class CrmRelationshipPrivacyErasure(models.AbstractModel):
    """What erasing a customer entity finds, what it does to each record, and doing it.

    A plan is a dict ``{(model, action, reason): set(ids)}``; ``action`` is ``delete``, ``clear``
    (the record stays, its personal data replaced) or ``keep`` (the record stays as it is, for the
    legal reason given). Modules add their records by extending ``_plan`` and ``_clear``.
    """

    _name = "crm.relationship.privacy.erasure"
    _description = "Erasure of a Customer's Personal Data"

    # ------------------------------------------------------------------ who and what
    @api.model
    def _entity(self, partner):
        """The customer entity: the commercial partner and all its contacts, archived ones too."""
        root = partner.commercial_partner_id
        return self.env["res.partner"].with_context(active_test=False).search([("id", "child_of", root.id)])

    @api.model
    def _identifiers(self, entity):
        """Names, email addresses, phone numbers and tax IDs that identify the person."""
        names = {p.name.strip() for p in entity if p.name and len(p.name.strip()) > 2}
        emails = {p.email_normalized for p in entity if p.email_normalized}
        emails |= {email_normalize(u.login) for u in entity.user_ids if email_normalize(u.login)}
        phones = {p.phone.strip() for p in entity if p.phone and len(re.sub(r"\D", "", p.phone)) > 5}
        vats = {p.vat.strip() for p in entity if p.vat}
        return {"names": names, "emails": emails, "phones": phones, "vats": vats}

    @api.model
    def _partner_erased_values(self):
        """Values of fields of other modules that erasure clears on every contact."""
        return {}

    @api.model
    def _retention_years(self):
        value = self.env["ir.config_parameter"].sudo().get_param("crm_relationship.privacy_retention_years", "10")
        try:
            return max(int(value), 0)
        except ValueError:
            return 10

    @api.model
    def _refusals(self, entity):
        """Why the entity cannot be erased now (open orders, unpaid or draft invoices), as sentences."""
        reasons = []
        orders = (
            self.env["sale.order"]
            .sudo()
            .search(
                [
                    ("partner_id", "in", entity.ids),
                    "|",
                    ("state", "in", ("draft", "sent")),
                    "&",
                    ("state", "=", "sale"),
                    ("invoice_status", "=", "to invoice"),
                ]
            )
        )
        if orders:
            reasons.append(
                self.env._(
                    "Open orders: %(orders)s. Cancel or invoice them first.",
                    orders=", ".join(orders.mapped("name")),
                )
            )
        moves = (
            self.env["account.move"]
            .sudo()
            .search(
                [
                    ("commercial_partner_id", "in", entity.ids),
                    ("move_type", "!=", "entry"),
                    "|",
                    ("state", "=", "draft"),
                    "&",
                    ("state", "=", "posted"),
                    ("payment_state", "not in", ("paid", "in_payment", "reversed", "invoicing_legacy")),
                ]
            )
        )
        if moves:
            reasons.append(
                self.env._(
                    "Unpaid or draft invoices: %(invoices)s. They must be paid or cancelled first.",
                    invoices=", ".join(move.name or self.env._("Draft") for move in moves),
                )
            )
        return reasons

    # ------------------------------------------------------------------ the plan
    @api.model
    def _lookup_traces(self, entity, ident):
        """Odoo's privacy lookup (name and email in every model), plus phone and tax ID columns."""
        Lookup = self.env["privacy.lookup.wizard"]
        found = defaultdict(set)
        # sudo: the lookup reads every model's table; it is Odoo's own search, run here for a customer
        # the Relationship Manager erases, and never stored (a new record, not a wizard in the database)
        for partner in entity.filtered("email_normalized"):
            query = Lookup.sudo().new({"name": partner.name or "", "email": partner.email})._get_query()
            self.env.flush_all()
            self.env.cr.execute(
                SQL("SELECT m.model, q.res_id FROM (%s) q JOIN ir_model m ON m.id = q.res_model_id", query)
            )
            for model, res_id in self.env.cr.fetchall():
                found[model].add(res_id)
        needles = sorted(ident["phones"] | ident["vats"])
        if needles:
            for model_name in self.env:
                model = self.env[model_name]
                if model._transient or not model._auto or model._abstract:
                    continue
                columns = [
                    name
                    for name in ("phone", "mobile", "partner_phone", "vat")
                    if name in model._fields and model._fields[name].store and model._fields[name].type == "char"
                ]
                if not columns:
                    continue
                condition = SQL(" OR ").join(SQL("%s = ANY(%s)", SQL.identifier(c), needles) for c in columns)
                self.env.cr.execute(SQL("SELECT id FROM %s WHERE %s", SQL.identifier(model._table), condition))
                found[model_name].update(row[0] for row in self.env.cr.fetchall())
        return found

    @api.model
    def _plan(self, entity, ident):
        plan = defaultdict(set)
        self._plan_records(plan, entity, ident)
        self._plan_messages(plan, entity, ident)
        self._plan_lookup(plan, entity, ident)
        return {key: ids for key, ids in plan.items() if ids}

    @api.model
    def _plan_records(self, plan, entity, ident):
        """The customer's own records by model; modules add theirs."""
        env = self.env
        years = self._retention_years()
        kept_until = fields.Date.context_today(self) + relativedelta(years=years)
        since = fields.Date.context_today(self) - relativedelta(years=years)
        # sudo: the plan reads every record about the customer, whatever the manager's own rights
        su = env(su=True)
        moves = su["account.move"].search(
            ["|", ("commercial_partner_id", "in", entity.ids), ("partner_id", "in", entity.ids)]
        )
        recent = moves.filtered(lambda m: m.state == "posted" and (m.date or since) >= since)
        books = self.env._(
            "Accounting record: kept for %(years)s years (Settings) by accounting law, until %(date)s.",
            years=years,
            date=kept_until,
        )
        plan["account.move", KEEP, books] |= set(moves.ids)
        lines = su["account.move.line"].search(["|", ("move_id", "in", moves.ids), ("partner_id", "in", entity.ids)])
        plan["account.move.line", KEEP, books] |= set(lines.ids)
        payments = su["account.payment"].search([("partner_id", "in", entity.ids)])
        plan["account.payment", KEEP, books] |= set(payments.ids)
        statement = su["account.bank.statement.line"].search([("partner_id", "in", entity.ids)])
        plan["account.bank.statement.line", KEEP, books] |= set(statement.ids)
        invoiced = (recent.partner_id | recent.commercial_partner_id | recent.partner_shipping_id) & entity
        reduced = self.env._(
            "Name, address and tax ID kept for the invoices until %(date)s (accounting law); "
            "email, phone and everything else erased.",
            date=kept_until,
        )
        plan["res.partner", KEEP, reduced] |= set(invoiced.ids)
        plan["res.partner", CLEAR, self.env._("Personal data replaced with anonymous values.")] |= set(
            (entity - invoiced).ids
        )
        users = su["res.users"].with_context(active_test=False).search([("partner_id", "in", entity.ids)])
        plan["res.users", CLEAR, self.env._("Login replaced; password, sessions and API keys removed; archived.")] |= (
            set(users.ids)
        )
        books_files = su["ir.attachment"].search(
            [("res_model", "in", ACCOUNTING_MODELS), ("res_id", "in", moves.ids + payments.ids)]
        )
        plan["ir.attachment", KEEP, self.env._("Copy of an invoice, kept with it.")] |= set(books_files.ids)
        orders = su["sale.order"].search(
            [
                "|",
                "|",
                ("partner_id", "in", entity.ids),
                ("partner_invoice_id", "in", entity.ids),
                ("partner_shipping_id", "in", entity.ids),
            ]
        )
        plan[
            "sale.order",
            CLEAR,
            self.env._("Kept for the sales figures, linked to the anonymised customer; access link revoked."),
        ] |= set(orders.ids)
        plan["sale.order.line", KEEP, self.env._("Order line, kept with its order.")] |= set(
            su["sale.order.line"].search([("order_id", "in", orders.ids)]).ids
        )
        complaints = su["crm.complaint"].search([("partner_id", "in", entity.ids)])
        plan[
            "crm.complaint",
            CLEAR,
            self.env._("Kept for the service figures; subject, description and resolution erased."),
        ] |= set(complaints.ids)
        ratings = su["rating.rating"].search(
            [
                "|",
                ("partner_id", "in", entity.ids),
                "&",
                ("res_model", "=", "crm.complaint"),
                ("res_id", "in", complaints.ids),
            ]
        )
        plan["rating.rating", CLEAR, self.env._("Score kept for the figures; comment erased.")] |= set(ratings.ids)
        nps = su["crm.relationship.nps"].search([("partner_id", "in", entity.ids)])
        plan[
            "crm.relationship.nps",
            CLEAR,
            self.env._("Score kept for the figures; comment erased, survey link revoked."),
        ] |= set(nps.ids)
        deleted = self.env._("Personal data: deleted.")
        for model in (
            "crm.relationship.suggestion",
            "crm.relationship.need",
            "crm.relationship.recommendation",
            "crm.relationship.retention.case",
        ):
            plan[model, DELETE, deleted] |= set(su[model].search([("partner_id", "in", entity.ids)]).ids)
        consent_reason = self.env._("Proof of the consents given and withdrawn, linked to the anonymised customer.")
        for model in ("crm.relationship.consent", "crm.relationship.consent.log"):
            plan[model, KEEP, consent_reason] |= set(su[model].search([("partner_id", "in", entity.ids)]).ids)
        lead_domain = [("partner_id", "in", entity.ids)]
        if ident["emails"]:
            lead_domain = ["|", ("email_normalized", "in", list(ident["emails"])), *lead_domain]
        leads = su["crm.lead"].with_context(active_test=False).search(lead_domain)
        plan["crm.lead", DELETE, deleted] |= set(leads.ids)
        return plan

    @api.model
    def _planned(self, plan, model, actions=(DELETE, CLEAR, KEEP)):
        return {rid for (m, action, _reason), ids in plan.items() if m == model and action in actions for rid in ids}

    @api.model
    def _plan_messages(self, plan, entity, ident):
        """Messages, emails, followers, activities and files of the customer and their records."""
        su = self.env(su=True)
        thread = type(su["mail.thread"])
        # Leads kept are other people's (a friend the customer referred): their history stays, scrubbed.
        documents = [("res.partner", entity.ids)] + [
            (model, sorted(self._planned(plan, model, (DELETE,) if model == "crm.lead" else (DELETE, CLEAR, KEEP))))
            for model in sorted({m for (m, _a, _r) in plan} - {"res.partner", "res.users"})
            if isinstance(su[model], thread)
        ]
        documents = [(model, ids) for model, ids in documents if ids]
        on_documents = Domain.OR(Domain("model", "=", m) & Domain("res_id", "in", ids) for m, ids in documents)
        from_them = Domain("author_id", "in", entity.ids)
        for email in ident["emails"]:
            from_them |= Domain("email_from", "ilike", email)
        messages = su["mail.message"].search(on_documents | from_them)
        restricted = messages.filtered(
            lambda m: m._fields.get("account_audit_log_restricted") and m.account_audit_log_restricted
        )
        plan["mail.message", DELETE, self.env._("Messages and emails to and from the customer: deleted.")] |= set(
            (messages - restricted).ids
        )
        plan[
            "mail.message", KEEP, self.env._("Audit trail of a journal entry, which the company keeps unalterable.")
        ] |= set(restricted.ids)
        received = su["mail.message"].search([("partner_ids", "in", entity.ids), ("id", "not in", messages.ids)])
        plan[
            "mail.message", CLEAR, self.env._("Message to others as well: the customer is removed from its recipients.")
        ] |= set(received.ids)
        to_them = Domain("recipient_ids", "in", entity.ids) | Domain("mail_message_id", "in", messages.ids)
        for email in ident["emails"]:
            to_them |= Domain("email_to", "ilike", email) | Domain("email_cc", "ilike", email)
        mails = su["mail.mail"].search(to_them)
        plan["mail.mail", DELETE, self.env._("Emails to the customer: deleted.")] |= set(mails.ids)
        followers = su["mail.followers"].search([("partner_id", "in", entity.ids)])
        plan["mail.followers", DELETE, self.env._("The customer no longer follows any document.")] |= set(followers.ids)
        activities = (
            su["mail.activity"]
            .with_context(active_test=False)
            .search(Domain.OR(Domain("res_model", "=", m) & Domain("res_id", "in", ids) for m, ids in documents))
        )
        plan["mail.activity", DELETE, self.env._("Tasks about the customer: deleted.")] |= set(activities.ids)
        kept_files = self._planned(plan, "ir.attachment", (KEEP,))
        files = su["ir.attachment"].search(
            Domain.OR(
                Domain("res_model", "=", m) & Domain("res_id", "in", ids)
                for m, ids in documents
                if m not in ACCOUNTING_MODELS
            )
        )
        files |= (messages - restricted).attachment_ids
        plan["ir.attachment", DELETE, self.env._("Files of the customer: deleted.")] |= set(files.ids) - kept_files
        banks = su["res.partner.bank"].with_context(active_test=False).search([("partner_id", "in", entity.ids)])
        plan["res.partner.bank", DELETE, self.env._("Bank accounts of the customer: deleted.")] |= set(banks.ids)

    @api.model
    def _plan_lookup(self, plan, entity, ident):
        """Whatever else Odoo's lookup finds: kept when only linked to the anonymised customer.

        The lookup also matches other people of the same name; only records that point to the
        customer entity or hold their email, phone or tax ID are theirs.
        """
        for model, ids in self._lookup_traces(entity, ident).items():
            if model == "res.partner":
                ids = set(ids) & set(entity.ids)
            elif model == "res.users":
                ids = set(ids) & set(entity.with_context(active_test=False).user_ids.ids)
            rest = self._theirs(model, set(ids) - self._planned(plan, model), entity, ident)
            if rest:
                plan[model, KEEP, self.env._("Linked to the anonymised customer; holds nothing else about them.")] |= (
                    rest
                )

    @api.model
    def _theirs(self, model_name, ids, entity, ident):
        """Of the records ``ids``, those that point to the entity or hold one of its email, phone or tax ID."""
        if not ids or model_name in ("res.partner", "res.users"):
            return ids
        model = self.env[model_name]
        conditions = []
        for name, field in model._fields.items():
            if not field.store or field.type not in ("many2one", "char"):
                continue
            if field.type == "many2one" and field.comodel_name == "res.partner":
                conditions.append(SQL("%s = ANY(%s)", SQL.identifier(name), entity.ids))
            elif name in ("email", "email_from", "email_normalized", "company_email") and ident["emails"]:
                conditions.append(SQL("%s ILIKE ANY(%s)", SQL.identifier(name), [f"%{e}%" for e in ident["emails"]]))
            elif name in ("phone", "mobile", "partner_phone", "vat") and (ident["phones"] | ident["vats"]):
                conditions.append(SQL("%s = ANY(%s)", SQL.identifier(name), sorted(ident["phones"] | ident["vats"])))
        if not conditions:
            return set()
        self.env.cr.execute(
            SQL(
                "SELECT id FROM %s WHERE id = ANY(%s) AND (%s)",
                SQL.identifier(model._table),
                sorted(ids),
                SQL(" OR ").join(conditions),
            )
        )
        return {row[0] for row in self.env.cr.fetchall()}
