import logging
import secrets
from collections import defaultdict
from datetime import timedelta

from odoo import api, fields, models
from odoo.exceptions import UserError, ValidationError
from odoo.tools import split_every

from .crm_relationship_outreach import OutreachResult

_logger = logging.getLogger(__name__)

# What the customer answered: written once, by the answer itself.
ANSWER_FIELDS = {"state", "score", "comment", "date_answered"}


class CrmRelationshipNps(models.Model):
    """One Net Promoter Score invitation and its answer (0 to 10), answered through a tokenised link."""

    _name = "crm.relationship.nps"
    _description = "NPS Survey Response"
    _inherit = ["mail.thread", "crm.relationship.customer.mixin"]
    _order = "date_sent desc, id desc"
    _rec_name = "partner_id"
    _check_company_auto = True

    state = fields.Selection([("sent", "Sent"), ("answered", "Answered")], required=True, default="sent", readonly=True)
    score = fields.Integer(readonly=True)
    comment = fields.Text(readonly=True)
    category = fields.Selection(
        [("promoter", "Promoter"), ("passive", "Passive"), ("detractor", "Detractor")],
        compute="_compute_category",
        store=True,
    )
    date_sent = fields.Datetime(string="Sent On", default=fields.Datetime.now, readonly=True)
    date_answered = fields.Datetime(string="Answered On", readonly=True)
    access_token = fields.Char(
        required=True, readonly=True, copy=False, groups="base.group_system", default=lambda self: self._new_token()
    )
    company_id = fields.Many2one("res.company", default=lambda self: self.env.company, required=True)

    _score_range = models.Constraint("CHECK(score BETWEEN 0 AND 10)", "An NPS score is between 0 and 10.")
    _access_token_unique = models.UniqueIndex("(access_token)")

    def write(self, vals):
        # customers answer through the token link (_record_answer, under sudo): they write nothing directly
        self._customer_check_write(vals)
        if not self.env.su and ANSWER_FIELDS & set(vals):
            raise UserError(self.env._("A customer's answer to a survey is never changed."))
        return super().write(vals)

    @api.model
    def _new_token(self):
        return secrets.token_urlsafe(24)

    @api.depends("state", "score")
    def _compute_category(self):
        for response in self:
            if response.state != "answered":
                response.category = False
            elif response.score >= 9:
                response.category = "promoter"
            elif response.score >= 7:
                response.category = "passive"
            else:
                response.category = "detractor"

    def _get_answer_url(self):
        self.ensure_one()
        return f"{self.get_base_url()}/my/nps/{self.sudo().access_token}"

    @api.model
    def _survey_settings(self):
        """Days after an invoiced order before the survey (N), and days between two surveys of a customer (M)."""
        params = self.env["ir.config_parameter"].sudo()
        delay = int(params.get_param("crm_relationship.nps_delay_days", 7) or 0)
        interval = int(params.get_param("crm_relationship.nps_interval_days", 90) or 0)
        return max(delay, 0), max(interval, 1)

    @api.model
    def _send_invitations(self, partners, result=None, now=None):
        """Invite each customer entity at most once per interval, through the outbound policy: an email
        in the customer's contact window, or a call for those who prefer the phone."""
        Outreach = self.env["crm.relationship.outreach"]
        result = result if result is not None else OutreachResult(self.env)
        now = now or fields.Datetime.now()
        _delay, interval = self._survey_settings()
        # sudo: the interval counts every survey of the customer, also those of teams the user cannot read
        recent = {
            partner.id
            for [partner] in self.sudo()._read_group(
                [
                    ("commercial_partner_id", "in", partners.commercial_partner_id.ids),
                    ("date_sent", ">=", now - timedelta(days=interval)),
                ],
                ["commercial_partner_id"],
            )
        }
        candidate_ids, seen = [], set()
        for partner in partners:
            entity = partner.commercial_partner_id.id
            if entity in recent or entity in seen:
                result.skip("recently_surveyed")
                continue
            seen.add(entity)
            candidate_ids.append(partner.id)
        candidates = partners.browse(candidate_ids)
        plan = Outreach._plan(candidates, "surveys", now=now)
        template = self.env.ref("crm_relationship.mail_template_nps_invitation", raise_if_not_found=False)
        reachable_ids = []
        for partner in candidates:
            channel, detail = plan[partner.id]
            if channel == "skip":
                result.skip(detail)
            elif channel == "email" and not template:
                result.skip("no_template")
            else:
                reachable_ids.append(partner.id)
        reachable = candidates.browse(reachable_ids)
        responses = self.create(
            [{"partner_id": partner.id, "date_sent": plan[partner.id][1] or now} for partner in reachable]
        )
        Outreach._deliver(
            responses,
            plan,
            template,
            result,
            call_summary=lambda env: env._("Ask for the NPS survey answer"),
            call_note=lambda env, response: env._(
                "The customer prefers the phone: ask how likely they are to recommend us (0 to 10) "
                "and record the answer on %(url)s",
                url=response._get_answer_url(),
            ),
            now=now,
        )
        return responses

    @api.model
    def _cron_send_invitations(self, now=None, batch_size=500):
        """Survey the customers whose order was invoiced N days ago, at most once per M days.

        Resumable and idempotent: a customer surveyed within the interval is never picked again, so a
        run stopped halfway and started again sends the rest only. Each batch commits through Odoo's
        cron progress. The run does not stop early when the job's share of time is used: the customers
        it skips (no consent, no address) are picked again by every start, so a run cut into many
        starts would plan them over and over.
        """
        now = now or fields.Datetime.now()
        delay, interval = self._survey_settings()
        until = (now - timedelta(days=delay)).date()
        self.env.flush_all()
        self.env.cr.execute(
            """
            SELECT DISTINCT ON (p.commercial_partner_id) so.partner_id, so.company_id
              FROM account_move m
              JOIN account_move_line aml ON aml.move_id = m.id
              JOIN sale_order_line_invoice_rel rel ON rel.invoice_line_id = aml.id
              JOIN sale_order_line sol ON sol.id = rel.order_line_id
              JOIN sale_order so ON so.id = sol.order_id
              JOIN res_partner p ON p.id = so.partner_id
             WHERE m.move_type = 'out_invoice' AND m.state = 'posted' AND so.state = 'sale'
               AND m.invoice_date > %(since)s AND m.invoice_date <= %(until)s
               AND NOT EXISTS (SELECT 1 FROM crm_relationship_nps n
                                WHERE n.commercial_partner_id = p.commercial_partner_id
                                  AND n.date_sent >= %(recent)s)
             ORDER BY p.commercial_partner_id, m.invoice_date DESC, so.id DESC
            """,
            {"since": until - timedelta(days=interval), "until": until, "recent": now - timedelta(days=interval)},
        )
        by_company = defaultdict(list)
        for partner_id, company_id in self.env.cr.fetchall():
            by_company[company_id].append(partner_id)
        result = OutreachResult(self.env)
        remaining = sum(len(ids) for ids in by_company.values())
        for company_id, partner_ids in by_company.items():
            surveys = self.with_company(company_id).with_context(default_company_id=company_id)
            for batch in split_every(batch_size, partner_ids):
                surveys._send_invitations(self.env["res.partner"].browse(batch), result=result, now=now)
                remaining -= len(batch)
                if self.env.context.get("ir_cron_progress_id"):
                    self.env["ir.cron"]._commit_progress(len(batch), remaining=remaining)
        _logger.info("NPS invitations: %s", result.message())
        return result

    def action_send_invitation(self):
        self._check_relationship_user()
        result = OutreachResult(self.env)
        for response in self:
            if response.state == "answered":
                raise UserError(self.env._("This survey has already been answered."))
        plan = self.env["crm.relationship.outreach"]._plan(self.partner_id, "surveys")
        template = self.env.ref("crm_relationship.mail_template_nps_invitation")
        self.env["crm.relationship.outreach"]._deliver(
            self, plan, template, result, call_summary=lambda env: env._("Ask for the NPS survey answer")
        )
        return result.notification(self.env._("NPS survey"))

    def _record_answer(self, score, comment=""):
        """Store the customer's answer; an invitation is answered once."""
        self.ensure_one()
        if self.state == "answered":
            raise UserError(self.env._("This survey has already been answered. Thank you!"))
        try:
            score = int(score)
        except (TypeError, ValueError):
            raise ValidationError(self.env._("Choose a score between 0 and 10.")) from None
        if not 0 <= score <= 10:
            raise ValidationError(self.env._("Choose a score between 0 and 10."))
        # sudo: the answer fields are written only here, for the invitation whose token the customer holds
        self.sudo().write(
            {
                "state": "answered",
                "score": score,
                "comment": (comment or "").strip()[:2000],
                "date_answered": fields.Datetime.now(),
            }
        )
        self._on_answered()
        return True

    def _on_answered(self):
        """Hook called once an answer is recorded (crm_loyalty awards engagement points)."""
