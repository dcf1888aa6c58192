from dateutil.relativedelta import relativedelta

from odoo import api, fields, models
from odoo.exceptions import UserError


class LoyaltyCard(models.Model):
    _inherit = "loyalty.card"

    crm_tier_id = fields.Many2one("crm.loyalty.tier", string="Tier", readonly=True, index="btree_not_null")
    crm_tier_review_date = fields.Date(string="Tier Review Date", readonly=True)
    crm_tier_history_ids = fields.One2many("crm.loyalty.tier.history", "card_id", string="Tier History")
    crm_negative_balance = fields.Boolean(compute="_compute_crm_negative_balance", store=True)

    @api.depends("points")
    def _compute_crm_negative_balance(self):
        for card in self:
            card.crm_negative_balance = card.points < 0

    def _crm_ledger_cards(self):
        return self.filtered(lambda card: card.program_id.program_type == "loyalty" and card.program_id.crm_ledger)

    @api.model_create_multi
    def create(self, vals_list):
        cards = super().create(vals_list)
        opening = [
            {
                "card_id": card.id,
                "movement_type": "adjusted",
                "issued": max(card.points, 0.0),
                "used": max(-card.points, 0.0),
                "description": self.env._("Opening balance"),
            }
            for card in cards._crm_ledger_cards()
            if card.points
        ]
        if opening:
            self.env["loyalty.history"].create(opening)
        return cards

    def _crm_sync_points_from_ledger(self):
        """The ledger is authoritative: set each card's balance to the sum of its movements."""
        cards = self._crm_ledger_cards()
        if not cards:
            return
        self.env.flush_all()
        self.env.cr.execute(
            """
            UPDATE loyalty_card c
               SET points = COALESCE(l.points, 0), crm_negative_balance = COALESCE(l.points, 0) < 0
              FROM loyalty_card c2
         LEFT JOIN (SELECT card_id, SUM(COALESCE(issued, 0) - COALESCE(used, 0)) AS points FROM loyalty_history
                     WHERE card_id = ANY(%(ids)s) GROUP BY card_id) l ON l.card_id = c2.id
             WHERE c.id = c2.id AND c.id = ANY(%(ids)s)
            """,
            {"ids": cards.ids},
        )
        cards.invalidate_recordset(["points", "crm_negative_balance"])

    def _crm_lock(self):
        if self:
            self.env.cr.execute("SELECT id FROM loyalty_card WHERE id = ANY(%s) ORDER BY id FOR UPDATE", [self.ids])

    def _crm_add_movement(self, movement_type, points, description, **values):
        """Append one movement (positive: points given, negative: points taken) and resync the balance."""
        self.ensure_one()
        self._crm_lock()
        line = self.env["loyalty.history"].create(
            {
                "card_id": self.id,
                "movement_type": movement_type,
                "issued": max(points, 0.0),
                "used": max(-points, 0.0),
                "description": description,
                **values,
            }
        )
        if self._crm_ledger_cards():
            self._crm_sync_points_from_ledger()
        else:
            self.points += points
        if points > 0:
            self._crm_review_tier(upgrade_only=True)
        return line

    # ------------------------------------------------------------------ tiers
    def _crm_tier_measure(self, tier_type, months):
        """Spend (untaxed, company currency) or points earned over the rolling window."""
        self.ensure_one()
        since = fields.Datetime.now() - relativedelta(months=months)
        if tier_type == "points":
            self.env.cr.execute(
                "SELECT COALESCE(SUM(issued), 0) FROM loyalty_history WHERE card_id = %s AND create_date >= %s "
                "AND movement_type IN ('earned', 'goodwill', 'engagement')",
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

    def _crm_review_tier(self, upgrade_only=False, reason=None):
        """Move each card to the tier its activity qualifies for; downgrades only at review (after grace)."""
        today = fields.Date.context_today(self)
        template = self.env.ref("crm_loyalty.mail_template_tier_change", raise_if_not_found=False)
        # A tier follows from the customer's activity, not from the rights of whoever confirmed
        # the order that triggered the review: the review runs as superuser.
        for card in self.sudo()._crm_ledger_cards().filtered(lambda c: c.partner_id and c.program_id.crm_tier_ids):
            program = card.program_id
            first = program.crm_tier_ids[:1]
            measure = card._crm_tier_measure(first.threshold_type, max(program.crm_tier_ids.mapped("window_months")))
            target = program._crm_tier_for(measure)
            current = card.crm_tier_id
            upgrade = target and (not current or target.threshold > current.threshold)
            due = (
                card.crm_tier_review_date
                and card.crm_tier_review_date + relativedelta(days=program.crm_tier_grace_days) <= today
            )
            next_review = today + relativedelta(months=first.window_months)
            if upgrade:
                why = reason or self.env._("Qualified with %(measure).2f over the window", measure=measure)
            elif upgrade_only or not due:
                continue
            elif target == current:
                card.crm_tier_review_date = next_review
                continue
            else:
                why = reason or self.env._("Review: %(measure).2f over the window", measure=measure)
            self.env["crm.loyalty.tier.history"].create(
                {"card_id": card.id, "old_tier_id": current.id, "new_tier_id": target.id, "reason": why}
            )
            card.write({"crm_tier_id": target.id, "crm_tier_review_date": next_review})
            if template:
                template.send_mail(card.id, email_layout_xmlid="mail.mail_notification_light")

    @api.model
    def _cron_review_tiers(self):
        cards = self.search([("crm_tier_review_date", "<=", fields.Date.context_today(self))])
        cards._crm_review_tier()

    # ------------------------------------------------------------------ expiry reminders
    def _crm_points_expiring_soon(self):
        self.ensure_one()
        horizon = fields.Date.context_today(self) + relativedelta(days=self.program_id.crm_expiry_reminder_days)
        lots = self.env["loyalty.history"].search(
            [("card_id", "=", self.id), ("points_remaining", ">", 0), ("expiry_date", "<=", horizon)]
        )
        return sum(lots.mapped("points_remaining"))

    @api.model
    def _cron_remind_expiring_points(self):
        """Tell each customer once per lot, on the day its reminder window opens."""
        template = self.env.ref("crm_loyalty.mail_template_points_expiring")
        self.env.cr.execute(
            """
            SELECT DISTINCT h.card_id
              FROM loyalty_history h
              JOIN loyalty_card c ON c.id = h.card_id
              JOIN loyalty_program p ON p.id = c.program_id
             WHERE h.points_remaining > 0 AND p.crm_points_expire AND c.partner_id IS NOT NULL
               AND h.expiry_date = CURRENT_DATE + p.crm_expiry_reminder_days
            """
        )
        for card in self.browse([row[0] for row in self.env.cr.fetchall()]):
            template.send_mail(card.id, email_layout_xmlid="mail.mail_notification_light")

    # ------------------------------------------------------------------ the customer's own view
    def _crm_tier_rewards_withheld(self):
        """Tier-only rewards of the program that this card's tier does not reach."""
        self.ensure_one()
        tiers = self.program_id.crm_tier_ids
        reached = tiers.filtered(lambda t: self.crm_tier_id and t.threshold <= self.crm_tier_id.threshold)
        return (tiers - reached).reward_ids - reached.reward_ids

    def _crm_claimable_rewards(self):
        """Active rewards of the card's program that its balance and tier allow."""
        self.ensure_one()
        rewards = self.program_id.reward_ids.filtered(lambda r: r.active and r.required_points <= self.points)
        return (rewards - self._crm_tier_rewards_withheld()).sorted("required_points")

    def _crm_claim_reward(self, reward, order):
        """Apply ``reward`` to the customer's open quotation ``order`` with sale_loyalty's own engine.

        The points are taken when the order is confirmed, as for any reward claimed on an order.
        """
        self.ensure_one()
        env = self.env
        if reward.program_id != self.program_id or reward not in self._crm_claimable_rewards():
            raise UserError(env._("This reward cannot be claimed with your points."))
        if order.state not in ("draft", "sent"):
            raise UserError(env._("Rewards can only be claimed on a quotation that is not confirmed yet."))
        if order.partner_id.commercial_partner_id != self.partner_id.commercial_partner_id:
            raise UserError(env._("This quotation belongs to another customer."))
        order._update_programs_and_rewards()
        claimable = order._get_claimable_rewards(forced_coupons=self)
        if reward not in claimable.get(self, env["loyalty.reward"]):
            raise UserError(
                env._("Reward %(reward)s cannot be applied to %(order)s.", reward=reward.description, order=order.name)
            )
        result = order._apply_program_reward(reward, self)
        if result.get("error"):
            raise UserError(result["error"])
        order._update_programs_and_rewards()
        order.message_post(
            body=env._("The customer claimed the reward %(reward)s from the portal.", reward=reward.description),
            subtype_xmlid="mail.mt_note",
        )
        return order

    def _crm_next_tier_progress(self):
        """Where the card stands on the way to the next tier."""
        self.ensure_one()
        tiers = self.program_id.crm_tier_ids.sorted("threshold")
        current = self.crm_tier_id
        higher = tiers.filtered(lambda t: not current or t.threshold > current.threshold)
        next_tier = higher[:1]
        if not next_tier:
            return {
                "tier": current,
                "next_tier": False,
                "measure": 0.0,
                "threshold": 0.0,
                "missing": 0.0,
                "percent": 100.0,
            }
        measure = float(self._crm_tier_measure(next_tier.threshold_type, next_tier.window_months))
        missing = max(next_tier.threshold - measure, 0.0)
        return {
            "tier": current,
            "next_tier": next_tier,
            "measure": measure,
            "threshold": next_tier.threshold,
            "missing": round(missing, 2),
            "percent": min(100.0, 100.0 * measure / next_tier.threshold),
        }
