from odoo import api, fields, models
from odoo.exceptions import AccessError, ValidationError
from odoo.fields import Domain

from .crm_relationship_consent import CONSENT_SOURCES
from .crm_relationship_outreach import OutreachResult

CONTACT_CHANNELS = [
    ("email", "Email"),
    ("phone", "Phone"),
    ("sms", "SMS"),
    ("messaging", "Messaging App"),
    ("post", "Post"),
    ("none", "Do Not Contact"),
]
# Fields a customer may change about themselves, from the portal or an import.
PROFILE_FIELDS = {
    "rel_preferred_contact_channel",
    "rel_contact_window_weekday_ids",
    "rel_contact_window_start",
    "rel_contact_window_end",
    "rel_interest_category_ids",
    "rel_role",
}


class ResPartner(models.Model):
    _name = "res.partner"
    # The explanation mixin extends the figures mixin: it comes first, so that the classes keep one order.
    _inherit = ["res.partner", "crm.relationship.explanation.mixin", "crm.relationship.figures.mixin"]

    rel_preferred_contact_channel = fields.Selection(CONTACT_CHANNELS, string="Preferred Channel", tracking=True)
    rel_contact_window_weekday_ids = fields.Many2many(
        "crm.relationship.weekday", string="Contact Days", help="Days on which the customer accepts to be contacted."
    )
    rel_contact_window_start = fields.Float(string="Contact From", help="Hour of day, in the customer's time zone.")
    rel_contact_window_end = fields.Float(string="Contact Until", help="Hour of day, in the customer's time zone.")
    rel_interest_category_ids = fields.Many2many(
        "product.category", "res_partner_interest_category_rel", "partner_id", "category_id", string="Interests"
    )
    rel_need_ids = fields.One2many("crm.relationship.need", "partner_id", string="Stated Needs")
    rel_need_open_count = fields.Integer(string="Open Needs", compute="_compute_rel_need_open_count")
    rel_role = fields.Char(
        string="Role in Household", help="Role of this contact in the customer's household or organisation."
    )
    rel_consent_ids = fields.One2many("crm.relationship.consent", "partner_id", string="Consents")
    rel_consent_log_ids = fields.One2many("crm.relationship.consent.log", "partner_id", string="Consent History")
    rel_nps_ids = fields.One2many("crm.relationship.nps", "partner_id", string="NPS Answers")
    rel_complaint_ids = fields.One2many("crm.complaint", "partner_id", string="Complaints")
    rel_recommendation_ids = fields.One2many(
        "crm.relationship.recommendation", "partner_id", string="Next Best Products"
    )
    rel_complaint_count = fields.Integer(
        string="Complaint Count", compute="_compute_rel_complaint_stats", search="_search_rel_complaint_count"
    )
    rel_complaint_open_count = fields.Integer(string="Open Complaints", compute="_compute_rel_complaint_stats")
    rel_complaint_last_rating = fields.Float(string="Last Satisfaction", compute="_compute_rel_complaint_stats")
    rel_retention_flagged = fields.Boolean(
        string="Retention Activity Planned",
        readonly=True,
        copy=False,
        groups="base.group_user",
        help="A retention activity was planned since the customer became at risk.",
    )
    rel_anonymised_on = fields.Datetime(string="Anonymised On", readonly=True, copy=False, groups="base.group_user")
    rel_profiling_objection = fields.Boolean(
        string="Objects to Profiling",
        readonly=True,
        copy=False,
        help="The customer objected to profiling: the analysis skips them (no segment, value or recommendations).",
    )

    def _compute_rel_complaint_stats(self):
        """Counts cover the partner and its contacts, like the opportunity counter of CRM."""
        all_partners = self.with_context(active_test=False).search_fetch([("id", "child_of", self.ids)], ["parent_id"])
        groups = self.env["crm.complaint"]._read_group(
            [("partner_id", "in", all_partners.ids)], ["partner_id", "is_closed"], ["__count"]
        )
        ratings = self.env["crm.complaint"].search_read(
            [("partner_id", "in", all_partners.ids), ("rating_last_value", ">", 0)],
            ["partner_id", "rating_last_value"],
            order="date_closed desc, id desc",
        )
        self.rel_complaint_count = self.rel_complaint_open_count = 0
        self.rel_complaint_last_rating = 0.0
        rated = set()
        for partner, is_closed, count in groups:
            while partner:
                if partner in self:
                    partner.rel_complaint_count += count
                    if not is_closed:
                        partner.rel_complaint_open_count += count
                partner = partner.parent_id
        for row in ratings:
            partner = self.browse(row["partner_id"][0])
            while partner:
                if partner in self and partner.id not in rated:
                    partner.rel_complaint_last_rating = row["rating_last_value"]
                    rated.add(partner.id)
                partner = partner.parent_id

    @api.model
    def _search_rel_complaint_count(self, operator, value):
        """Partners (customer entities) by their number of complaints, for the repeat complainers list."""
        if operator not in ("=", "!=", "<", "<=", ">", ">=") or not isinstance(value, int):
            return NotImplemented
        groups = self.env["crm.complaint"]._read_group([], ["commercial_partner_id"], ["__count"])
        counts = {partner.id: count for partner, count in groups}
        compare = {
            "=": lambda c: c == value,
            "!=": lambda c: c != value,
            "<": lambda c: c < value,
            "<=": lambda c: c <= value,
            ">": lambda c: c > value,
            ">=": lambda c: c >= value,
        }[operator]
        matching = [partner_id for partner_id, count in counts.items() if compare(count)]
        if compare(0):
            return Domain("id", "not in", [pid for pid, c in counts.items() if not compare(c)])
        return Domain("id", "in", matching)

    def action_rel_view_complaints(self):
        self.ensure_one()
        action = self.env["ir.actions.act_window"]._for_xml_id("crm_relationship.crm_complaint_action")
        action["domain"] = [("partner_id", "child_of", self.id)]
        action["context"] = {"default_partner_id": self.id, "search_default_filter_open": 0}
        return action

    def action_rel_set_contact_hours(self):
        """Open the contact window of a customer who had none, at the company's working hours."""
        attendances = self.env.company.resource_calendar_id.attendance_ids
        start = min(attendances.mapped("hour_from"), default=9.0)
        end = max(attendances.mapped("hour_to"), default=17.0)
        self.filtered(lambda p: not p.rel_contact_window_start and not p.rel_contact_window_end).write(
            {"rel_contact_window_start": start, "rel_contact_window_end": end}
        )
        return True

    @api.constrains("rel_contact_window_start", "rel_contact_window_end")
    def _check_rel_contact_window(self):
        for partner in self:
            start, end = partner.rel_contact_window_start, partner.rel_contact_window_end
            if not (0 <= start <= 24 and 0 <= end <= 24):
                raise ValidationError(self.env._("Contact hours are between 0:00 and 24:00."))
            if (start or end) and start >= end:
                raise ValidationError(self.env._("The contact window must start before it ends."))

    @api.depends("rel_need_ids.state")
    def _compute_rel_need_open_count(self):
        groups = self.env["crm.relationship.need"]._read_group(
            [("partner_id", "in", self.ids), ("state", "=", "open")], ["partner_id"], ["__count"]
        )
        counts = {partner.id: count for partner, count in groups}
        for partner in self:
            partner.rel_need_open_count = counts.get(partner.id, 0)

    def _rel_has_consent(self, channel, purpose):
        self.ensure_one()
        consent = self.commercial_partner_id.rel_consent_ids.filtered(
            lambda c: c.channel == channel and c.purpose == purpose
        )
        return bool(consent.granted) and self.commercial_partner_id.rel_preferred_contact_channel != "none"

    def action_rel_send_nps(self):
        """Send the NPS survey to the selected customers now, through the outbound policy."""
        self.env["crm.relationship.nps"]._check_relationship_user()
        result = OutreachResult(self.env)
        self.env["crm.relationship.nps"]._send_invitations(self, result=result)
        return result.notification(self.env._("NPS survey"))

    def _rel_check_consent_access(self):
        """Who may record this customer's consent: the customer for their own entity, or a Relationship User."""
        self.ensure_one()
        if self.env.su:
            return
        user = self.env.user
        if user.share:
            if user._is_public() or self != user.partner_id.commercial_partner_id:
                raise AccessError(self.env._("You can only change your own consents."))
        elif not user.has_group("crm_relationship.group_relationship_user"):
            raise AccessError(self.env._("Only Relationship users can change a customer's consents."))

    def _rel_set_consent(self, channel, purpose, granted, source):
        """Record the customer's answer for one channel and purpose, and log the change.

        The only writer of consents: the back office, the portal and imports all call it, and a
        consent created or changed any other way is refused or routed here.
        """
        self.ensure_one()
        if source not in dict(CONSENT_SOURCES):
            raise ValidationError(self.env._("Unknown consent source: %s", source))
        Consent = self.env["crm.relationship.consent"]
        if channel not in dict(Consent._fields["channel"].selection) or purpose not in dict(
            Consent._fields["purpose"].selection
        ):
            raise ValidationError(self.env._("Unknown consent channel or purpose."))
        self._rel_check_consent_access()
        if not self.env.su and self.env.user.share and source != "portal":
            raise ValidationError(self.env._("A customer's own consent change comes from the portal."))
        granted = bool(granted)
        # sudo: consents and their log are written here only, for the caller checked just above (a
        # customer on their own entity, or a Relationship User); the log keeps who did it (env.uid)
        consent_sudo = Consent.sudo().search(
            [("partner_id", "=", self.id), ("channel", "=", channel), ("purpose", "=", purpose)]
        )
        if consent_sudo and consent_sudo.granted == granted:
            return consent_sudo.with_env(self.env)
        now = fields.Datetime.now()
        values = {"granted": granted, "date_changed": now, "source": source}
        if consent_sudo:
            consent_sudo.write(values)
        else:
            consent_sudo = Consent.sudo().create(
                {"partner_id": self.id, "channel": channel, "purpose": purpose, **values}
            )
        self.env["crm.relationship.consent.log"].sudo().create(
            {
                "partner_id": self.id,
                "date": now,
                "channel": channel,
                "purpose": purpose,
                "granted": granted,
                "source": source,
                "user_id": self.env.uid,
            }
        )
        if channel == "email" and purpose == "marketing":
            labels = dict(Consent._fields["source"]._description_selection(self.env))
            self.env["crm.relationship.outreach"]._sync_blacklist(self, granted, labels[source])
        return consent_sudo.with_env(self.env)

    def _rel_set_profiling_objection(self, objected, source):
        """Record the customer's objection to profiling (or its withdrawal), logged like a consent.

        Objecting clears the figures and suggestions already computed about the customer entity; the
        analysis skips it from then on. Buying and earning points are not affected.
        """
        self.ensure_one()
        partner = self.commercial_partner_id
        partner._rel_check_consent_access()
        if source not in dict(CONSENT_SOURCES):
            raise ValidationError(self.env._("Unknown consent source: %s", source))
        if not self.env.su and self.env.user.share and source != "portal":
            raise ValidationError(self.env._("A customer's own consent change comes from the portal."))
        objected = bool(objected)
        # sudo: the caller was checked just above (the customer on their own entity, or a Relationship
        # User); the objection, the cleared figures and the log line are written for them
        partner_sudo = partner.sudo()
        if partner_sudo.rel_profiling_objection == objected:
            return False
        partner_sudo.rel_profiling_objection = objected
        self.env["crm.relationship.consent.log"].sudo().create(
            {
                "partner_id": partner.id,
                "purpose": "profiling",
                "granted": not objected,
                "source": source,
                "user_id": self.env.uid,
            }
        )
        if objected:
            self.env["crm.relationship.analysis"]._rel_clear_figures(partner_sudo)
        return True

    def _rel_update_profile(self, vals, source):
        """Write the profile fields a customer may change about themselves, whoever writes them."""
        self.ensure_one()
        unknown = set(vals) - PROFILE_FIELDS
        if unknown:
            raise ValidationError(self.env._("These fields cannot be changed here: %s", ", ".join(sorted(unknown))))
        self.write(vals)
        changed = ", ".join(self._fields[name].get_description(self.env)["string"] for name in sorted(vals))
        sources = dict(CONSENT_SOURCES)
        self.message_post(
            body=self.env._(
                "Profile updated from %(origin)s: %(fields)s", origin=sources.get(source, source), fields=changed
            ),
            subtype_xmlid="mail.mt_note",
        )
        return True

    def action_rel_anonymise(self):
        """Open the erasure of this customer: what will be erased and kept and why, then Confirm."""
        self.ensure_one()
        erasure = self.env["crm.relationship.erasure"].create({"partner_id": self.commercial_partner_id.id})
        return {
            "type": "ir.actions.act_window",
            "name": self.env._("Erase Personal Data"),
            "res_model": "crm.relationship.erasure",
            "res_id": erasure.id,
            "view_mode": "form",
            "target": "new",
        }

    def action_rel_privacy_export(self):
        """Download everything held about this customer, as the customer gets it from the portal."""
        self.ensure_one()
        self.env["crm.relationship.privacy.export"]._check_export_access(self.commercial_partner_id)
        return {
            "type": "ir.actions.act_url",
            "url": f"/relationship/privacy/export/{self.commercial_partner_id.id}",
            "target": "download",
        }
