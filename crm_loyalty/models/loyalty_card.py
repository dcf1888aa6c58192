import logging
from collections import defaultdict

from dateutil.relativedelta import relativedelta

from odoo import api, fields, models
from odoo.addons.crm_relationship.models.crm_relationship_outreach import OutreachResult
from odoo.exceptions import AccessError

from .ledger_flags import LEDGER_RESYNC
from .ledger_terms import OPENING_BALANCE

# Fields of a ledger card that follow from its ledger and its tier reviews, never from a direct write.
LEDGER_CARD_FIELDS = ("points", "rel_tier_id", "rel_tier_review_date", "program_id")

_logger = logging.getLogger(__name__)


class LoyaltyCard(models.Model):
    _inherit = "loyalty.card"

    rel_tier_id = fields.Many2one("crm.loyalty.tier", string="Tier", readonly=True, index="btree_not_null")
    rel_tier_review_date = fields.Date(string="Tier Review Date", readonly=True)
    rel_tier_history_ids = fields.One2many("crm.loyalty.tier.history", "card_id", string="Tier History")
    rel_negative_balance = fields.Boolean(
        string="Negative Balance", compute="_compute_rel_negative_balance", store=True
    )

    @api.depends("points")
    def _compute_rel_negative_balance(self):
        for card in self:
            card.rel_negative_balance = card.points < 0

    def _rel_ledger_cards(self):
        return self.filtered(lambda card: card.program_id.program_type == "loyalty" and card.program_id.rel_ledger)

    @api.model_create_multi
    def create(self, vals_list):
        self._rel_serialize_card_creation(vals_list)
        cards = super().create(vals_list)
        opening = [
            {
                "card_id": card.id,
                "rel_movement_type": "adjusted",
                "issued": max(card.points, 0.0),
                "used": max(-card.points, 0.0),
                "description": OPENING_BALANCE._translate("en_US"),
            }
            for card in cards._rel_ledger_cards()
            if card.points
        ]
        if opening and not self.env.su:
            raise AccessError(
                self.env._(
                    "A card of a loyalty program with a ledger starts at zero points: ask a relationship "
                    "manager to record an adjustment for the opening balance."
                )
            )
        if opening:
            History = self.env["loyalty.history"]
            History._rel_translate_descriptions(lines=History.with_context(lang="en_US").create(opening))
        return cards

    def _rel_guarded_fields(self, vals):
        """The fields of ``vals`` that only the ledger may change on these cards."""
        if not self:
            return set()
        guarded = {name for name in LEDGER_CARD_FIELDS if name in vals}
        if "partner_id" in vals and any(card.partner_id and card.partner_id.id != vals["partner_id"] for card in self):
            # Moving a card to another customer moves its points and tier with it.
            guarded.add("partner_id")
        return guarded

    def write(self, vals):
        if self.env.su:
            return super().write(vals)
        target = self.env["loyalty.program"].browse(vals.get("program_id"))
        to_ledger = target.rel_ledger and target.program_type == "loyalty"
        ledger = self if to_ledger else self._rel_ledger_cards()
        guarded = ledger._rel_guarded_fields(vals)
        if not guarded:
            return super().write(vals)
        if guarded == {"points"} and self.env.context.get("rel_resync") is LEDGER_RESYNC:
            # sale_loyalty's own points bookkeeping on a confirmed order's reward line: the ledger records
            # the movement and resyncs the balance from it (sale.order.line), so the value is not written.
            rest = {key: value for key, value in vals.items() if key != "points"}
            if rest:
                super(LoyaltyCard, ledger).write(rest)
            return super(LoyaltyCard, self - ledger).write(vals) if self - ledger else True
        raise AccessError(
            self.env._(
                "The points and tier of a card of %(program)s follow from its loyalty ledger: ask a "
                "relationship manager to record an adjustment.",
                program=ledger.program_id[:1].name or target.name,
            )
        )

    @api.model
    def _rel_serialize_card_creation(self, vals_list):
        """One card per customer and nominative program, even when two transactions create it at once.

        sale_loyalty looks a customer's card up and creates one when there is none, so two orders of a new
        customer confirmed at the same time would each create a card. A lock alone is not enough: Odoo runs
        its transactions in REPEATABLE READ, where the second transaction would not see the first one's card
        even after waiting for the lock. So the creating transaction writes the customer's row: a concurrent
        transaction creating a card for the same customer then waits and fails with a serialization error,
        which Odoo answers by retrying the request, and the retry finds the card.
        """
        program_ids = {vals["program_id"] for vals in vals_list if vals.get("partner_id") and vals.get("program_id")}
        if not program_ids:
            return
        nominative = set(self.env["loyalty.program"].browse(program_ids).filtered("is_nominative").ids)
        partner_ids = sorted(
            {
                vals["partner_id"]
                for vals in vals_list
                if vals.get("partner_id") and vals.get("program_id") in nominative
            }
        )
        if partner_ids:
            self.env.cr.execute(
                """
                UPDATE res_partner SET write_date = write_date
                 WHERE id IN (SELECT id FROM res_partner WHERE id = ANY(%s) ORDER BY id FOR NO KEY UPDATE)
                """,
                [partner_ids],
            )

    def _rel_sync_points_from_ledger(self):
        """The ledger is authoritative: set each card's balance to the sum of its movements."""
        cards = self._rel_ledger_cards()
        if not cards:
            return
        self.env.flush_all()
        before = {card: card.points for card in cards}
        self.env.cr.execute(
            """
            UPDATE loyalty_card c
               SET points = COALESCE(l.points, 0), rel_negative_balance = COALESCE(l.points, 0) < 0
              FROM loyalty_card c2
         LEFT JOIN (SELECT card_id, SUM(COALESCE(issued, 0) - COALESCE(used, 0)) AS points FROM loyalty_history
                     WHERE card_id = ANY(%(ids)s) GROUP BY card_id) l ON l.card_id = c2.id
             WHERE c.id = c2.id AND c.id = ANY(%(ids)s)
            """,
            {"ids": cards.ids},
        )
        cards.invalidate_recordset(["points", "rel_negative_balance"])
        # The balance is not written through the ORM: send the program's "when reaching" mails here.
        # sudo: the mails go out whoever's action moved the balance, as sale_loyalty's do.
        cards.sudo()._send_points_reach_communication(
            {card: {"old": points, "new": card.points} for card, points in before.items()}
        )

    def _rel_lock(self):
        if self:
            self.env.cr.execute("SELECT id FROM loyalty_card WHERE id = ANY(%s) ORDER BY id FOR UPDATE", [self.ids])

    def _rel_add_movement(self, movement_type, points, description, **values):
        """Append one movement (positive: points given, negative: points taken) and resync the balance.

        The ledger's own bookkeeping: its callers (wizards, order flows) check who may ask for the movement;
        the movement itself is written as superuser, the only one the ledger's guards let write movements.
        """
        self.ensure_one()
        self = self.sudo()
        self._rel_lock()
        line = self.env["loyalty.history"].create(
            {
                "card_id": self.id,
                "rel_movement_type": movement_type,
                "issued": max(points, 0.0),
                "used": max(-points, 0.0),
                "description": description,
                **values,
            }
        )
        if self._rel_ledger_cards():
            self._rel_sync_points_from_ledger()
        else:
            self.points += points
        if points > 0:
            self._rel_review_tier(upgrade_only=True)
        return line

    # ------------------------------------------------------------------ tiers
    def _rel_tier_measure(self, tier_type, months):
        """Spend (untaxed, company currency) or points earned over the rolling window."""
        self.ensure_one()
        since = fields.Datetime.now() - relativedelta(months=months)
        if tier_type == "points":
            self.env.cr.execute(
                "SELECT COALESCE(SUM(issued), 0) FROM loyalty_history WHERE card_id = %s AND create_date >= %s "
                "AND rel_movement_type IN ('earned', 'goodwill', 'engagement')",
                [self.id, since],
            )
        else:
            self.env.cr.execute(
                """
                SELECT COALESCE(SUM(so.amount_untaxed / COALESCE(NULLIF(so.currency_rate, 0), 1)), 0)
                  FROM sale_order so JOIN res_partner p ON p.id = so.partner_id
                 WHERE so.state = 'sale' AND p.commercial_partner_id = %s AND so.date_order >= %s
                """,
                [self.partner_id.commercial_partner_id.id, since],
            )
        return self.env.cr.fetchone()[0]

    def _rel_review_tier(self, upgrade_only=False, reason=None):
        """Move each card to the tier its activity qualifies for; downgrades only at review (after grace)."""
        today = fields.Date.context_today(self)
        # A tier follows from the customer's activity, not from the rights of whoever confirmed the order
        # that triggered the review: the review (cards, tier history, mail) runs as superuser.
        cards = self.sudo()
        env = cards.env
        for card in cards._rel_ledger_cards().filtered(lambda c: c.partner_id and c.program_id.rel_tier_ids):
            program = card.program_id
            first = program.rel_tier_ids[:1]
            measure = card._rel_tier_measure(first.threshold_type, max(program.rel_tier_ids.mapped("window_months")))
            target = program._rel_tier_for(measure)
            current = card.rel_tier_id
            upgrade = target and (not current or target.threshold > current.threshold)
            due = (
                card.rel_tier_review_date
                and card.rel_tier_review_date + relativedelta(days=program.rel_tier_grace_days) <= today
            )
            next_review = today + relativedelta(months=first.window_months)
            # the scheduled review writes for the customer: in their language
            lang = env["res.lang"]._get_code(card.partner_id.lang) or env.lang
            local_env = env(context=dict(env.context, lang=lang))
            if upgrade:
                why = reason or local_env._("Qualified with %(measure).2f over the window", measure=measure)
            elif upgrade_only or not due:
                continue
            elif target == current:
                card.rel_tier_review_date = next_review
                continue
            else:
                why = reason or local_env._("Review: %(measure).2f over the window", measure=measure)
            env["crm.loyalty.tier.history"].create(
                {"card_id": card.id, "old_tier_id": current.id, "new_tier_id": target.id, "reason": why}
            )
            card.write({"rel_tier_id": target.id, "rel_tier_review_date": next_review})
            card._rel_send_communication("tier_change")

    @api.model
    def _cron_review_tiers(self):
        cards = self.search([("rel_tier_review_date", "<=", fields.Date.context_today(self))])
        cards._rel_review_tier()

    # ------------------------------------------------------------------ expiry reminders
    def _rel_reminder_horizon(self):
        """The last expiry date the card's reminders warn about: lots up to it expire soon."""
        self.ensure_one()
        return fields.Date.context_today(self) + relativedelta(days=self.program_id.rel_expiry_reminder_days)

    def _rel_points_expiring_soon(self):
        self.ensure_one()
        lots = self.env["loyalty.history"].search(
            [
                ("card_id", "=", self.id),
                ("rel_points_remaining", ">", 0),
                ("rel_expiry_date", "<=", self._rel_reminder_horizon()),
            ]
        )
        return sum(lots.mapped("rel_points_remaining"))

    @api.model
    def _cron_remind_expiring_points(self, today=None):
        """Remind each customer of the lots that entered their program's reminder window and were not
        reminded yet, one mail per card and run: a missed run only delays a reminder and a second run
        sends nothing. Only programs that configure a "Before Points Expire" communication remind.

        A service message about the customer's own account: it goes through the outbound policy (Do Not
        Contact, a withdrawn email service consent, the blacklist, the contact window), by email even to
        customers who prefer the phone. A lot whose customer is skipped stays unmarked and is reminded
        once the customer may be reached again, while it is still in the window.
        """
        today = today or fields.Date.context_today(self)
        lots_by_card = self.env["loyalty.history"]._rel_lots_to_remind(today)
        result = OutreachResult(self.env)
        # sudo: the reminder goes out whoever runs the job, as the tier change mails do.
        cards = self.sudo().browse(sorted(lots_by_card))
        Outreach = self.env["crm.relationship.outreach"]
        plan = Outreach._plan(cards.partner_id, "service", calls=False)
        by_template = defaultdict(lambda: cards.browse())
        for card in cards:
            communications = card.program_id.communication_plan_ids.filtered(lambda c: c.trigger == "points_expiring")
            for template in communications.mail_template_id:
                by_template[template] |= card
        reached = cards.browse()
        for template, template_cards in by_template.items():
            reached |= Outreach._deliver(
                template_cards, plan, template, result, call_summary=lambda env: env._("Points about to expire")
            )
        self.env["loyalty.history"]._rel_mark_reminded(
            [lot_id for card in reached for lot_id in lots_by_card[card.id]], today
        )
        _logger.info("Expiring points reminders: %s", result.message())
        return result

    def _rel_send_communication(self, trigger):
        """Send each card the mails its program's Communications tab configures for ``trigger`` (see
        loyalty.mail); none configured, none sent: the program's admin decides."""
        for card in self.filtered("partner_id"):
            communications = card.program_id.communication_plan_ids.filtered(lambda c: c.trigger == trigger)
            for template in communications.mail_template_id:
                template.send_mail(card.id, email_layout_xmlid="mail.mail_notification_light")

    # ------------------------------------------------------------------ demo data
    def _rel_demo_load_history(self, movements):
        """Demo data: write a card's ledger through ``_rel_add_movement``, like any other movement.

        ``movements``: (movement_type, points, description, expires_in_days or False) tuples, descriptions
        in English among ``ledger_terms.LEDGER_TERMS``; a lot with a
        number of days expires that many days from today instead of after the program's default period.
        Cards that already have movements are left alone, so loading the demo twice adds nothing.
        """
        today = fields.Date.context_today(self)
        lines = self.env["loyalty.history"]
        for card in self.filtered(lambda card: not card.history_ids):
            for movement_type, points, description, days in movements:
                values = {"rel_expiry_date": today + relativedelta(days=days)} if days else {}
                lines |= card._rel_add_movement(movement_type, points, description, **values)
            card._rel_review_tier(upgrade_only=True)
        # the descriptions are terms of the module (ledger_terms): stored in each language loaded already
        lines._rel_translate_descriptions(lines=lines)
        return True

    # ------------------------------------------------------------------ the customer's own view
    def _rel_tier_rewards_withheld(self):
        """Tier-only rewards of the program that this card's tier does not reach."""
        self.ensure_one()
        return self.program_id._rel_rewards_withheld_below(self.rel_tier_id)

    def _rel_claimable_rewards(self):
        """Active rewards of the card's program that its available points and tier allow, cheapest first."""
        self.ensure_one()
        available = self.points - self._rel_points_reserved()
        rewards = self.program_id.reward_ids.filtered(lambda r: r.active and r.required_points <= available)
        return (rewards - self._rel_tier_rewards_withheld()).sorted(lambda r: (r.required_points, r.id))

    def _rel_points_reserved(self):
        """Points that rewards already claimed on open quotations take once those are confirmed: a second
        claim cannot count on them."""
        self.ensure_one()
        domain = [("coupon_id", "=", self.id), ("order_id.state", "in", ("draft", "sent"))]
        return self.env["sale.order.line"]._read_group(domain, [], ["points_cost:sum"])[0][0]

    def _rel_points_committed(self, order):
        """Points of this card that the rewards on ``order`` will take when it is confirmed."""
        return sum(order.order_line.filtered(lambda line: line.coupon_id == self).mapped("points_cost"))

    def _rel_claim_reward(self, reward, order):
        """Apply ``reward`` to the customer's open quotation ``order`` with sale_loyalty's own engine.

        Raises UserError, with nothing changed, when the reward is not the card's, the card lacks the points,
        the order is not an open quotation of the card's customer, or sale_loyalty would not allow the reward
        on that order. The points are taken when the order is confirmed, as for any reward claimed on an order.
        Returns the order's lines of ``reward`` paid with this card.
        """
        self.ensure_one()
        env = self.env
        reward._rel_check_claimable_with(self)
        order._rel_check_claim_target(self)
        lines, points = order._rel_apply_claimed_reward(reward, self)
        # Posted as whoever holds the card here: for the portal, the customer who claimed the reward.
        order.with_env(env).message_post(
            body=env._(
                'The customer claimed the reward "%(reward)s" from the portal (%(points)s points, taken '
                "when the order is confirmed).",
                reward=reward.description,
                points=f"{points:g}",
            ),
            message_type="comment",
            subtype_xmlid="mail.mt_note",
        )
        return lines
