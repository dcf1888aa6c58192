import json
from collections import defaultdict
from datetime import timedelta

from odoo import api, fields, models
from odoo.exceptions import AccessError, UserError
from odoo.tools import float_is_zero, float_round

from .ledger_flags import LedgerSkipCards
from .ledger_terms import LEDGER_TERMS, POINTS_EXPIRED, term_translations

MOVEMENT_TYPES = [
    ("earned", "Earned"),
    ("spent", "Spent"),
    ("expired", "Expired"),
    ("reversed", "Reversed"),
    ("adjusted", "Adjusted by Hand"),
    ("goodwill", "Goodwill"),
    ("engagement", "Engagement"),
]
# Movements that add a lot of points, consumed first-in first-out by spending and expiry.
LOT_TYPES = ("earned", "adjusted", "goodwill", "engagement")
# The only fields the ledger's own bookkeeping changes after a line is written.
BOOKKEEPING_FIELDS = {"rel_points_remaining", "rel_reversed_by_id", "rel_reminded_date"}


class LoyaltyHistory(models.Model):
    """Odoo's loyalty history, made the authoritative, append-only ledger of a card's points."""

    _inherit = "loyalty.history"

    # translatable: the descriptions the ledger writes itself are stored in each language (ledger_terms)
    description = fields.Text(translate=True)
    rel_movement_type = fields.Selection(MOVEMENT_TYPES, required=True, default="earned", index=True, readonly=True)
    rel_points = fields.Float(string="Points", compute="_compute_rel_points", store=True, help="Issued minus used.")
    rel_expiry_date = fields.Date(readonly=True, index="btree_not_null")
    rel_points_remaining = fields.Float(readonly=True, help="Points of this lot not yet spent or expired.")
    rel_reminded_date = fields.Date(
        string="Expiry Reminder Sent", readonly=True, copy=False, help="When the customer was told this lot expires."
    )
    rel_reversed_history_id = fields.Many2one(
        "loyalty.history", string="Reverses", readonly=True, index="btree_not_null"
    )
    rel_reversed_by_id = fields.Many2one("loyalty.history", string="Reversed By", readonly=True)
    rel_complaint_id = fields.Many2one(
        "crm.complaint", string="Complaint", readonly=True, index="btree_not_null", ondelete="restrict"
    )
    rel_reason = fields.Char(string="Reason", readonly=True)
    rel_credit_note_id = fields.Many2one(
        "account.move", string="Credit Note", readonly=True, index="btree_not_null", ondelete="set null"
    )
    rel_partner_id = fields.Many2one(related="card_id.partner_id", string="Customer", store=True, index=True)
    rel_program_id = fields.Many2one(related="card_id.program_id", string="Program", store=True, index=True)
    rel_user_id = fields.Many2one("res.users", string="Recorded By", default=lambda self: self.env.user, readonly=True)

    @api.depends("issued", "used")
    def _compute_rel_points(self):
        for line in self:
            line.rel_points = line.issued - line.used

    @api.model_create_multi
    def create(self, vals_list):
        skip = self.env.context.get("rel_skip_cards")
        if skip is not None:
            self = self.with_context(rel_skip_cards=None)
        if isinstance(skip, LedgerSkipCards):
            # sale_loyalty's own lines for ledger cards whose movements the ledger records itself
            vals_list = [vals for vals in vals_list if vals.get("card_id") not in skip]
        self._rel_check_ledger_access(self.env["loyalty.card"].browse({vals.get("card_id") for vals in vals_list}))
        for vals in vals_list:
            # Odoo shows both sides of a movement ("Used: 0 points"); an empty side would read "false"
            vals.setdefault("issued", 0.0)
            vals.setdefault("used", 0.0)
            if vals.get("rel_movement_type") in LOT_TYPES or (
                "rel_movement_type" not in vals and vals.get("issued", 0) > 0 and not vals.get("used")
            ):
                vals.setdefault("rel_points_remaining", max(vals.get("issued", 0.0) - vals.get("used", 0.0), 0.0))
        lines = super().create(vals_list)
        lines._set_expiry_dates()
        lines.filtered(lambda line: line.used > 0 and line.rel_movement_type in ("spent", "adjusted"))._consume_fifo()
        return lines

    _earned_once_per_order = models.UniqueIndex(
        "(card_id, order_model, order_id) WHERE rel_movement_type = 'earned' AND order_id IS NOT NULL "
        "AND rel_reversed_by_id IS NULL",
        "An order earns points on a card once; a retried confirmation cannot award them twice.",
    )

    def _rel_ledger_lines(self):
        return self.filtered(lambda line: line.card_id._rel_ledger_cards())

    def _rel_check_ledger_access(self, cards):
        """Only the ledger's own code, running as superuser, writes the movements of ledger cards.

        sale_loyalty lets salespeople create and write loyalty history; on ledger programs every movement
        goes through the ledger's methods instead, which check the caller's rights and then run under sudo.
        """
        if not self.env.su and cards._rel_ledger_cards():
            raise AccessError(
                self.env._(
                    "Loyalty movements of this program are recorded by the loyalty ledger only: confirm or "
                    "cancel the order, or ask a relationship manager to record an adjustment."
                )
            )

    def write(self, vals):
        ledger = self._rel_ledger_lines()
        if ledger:
            ledger._rel_check_ledger_access(ledger.card_id)
            # The internal key only reaches here under sudo (the check above): the ledger's own bookkeeping.
            if set(vals) - BOOKKEEPING_FIELDS and not self.env.context.get("rel_ledger_internal"):
                raise UserError(
                    self.env._("Loyalty movements are never changed: record a correcting movement instead.")
                )
        return super().write(vals)

    def unlink(self):
        if self.env.su and self.env.context.get("rel_keep_history"):
            # sale_loyalty deletes an order's history (as superuser) when it is cancelled; the ledger keeps
            # its lines and records reversing movements instead (sale.order._action_cancel).
            return super(LoyaltyHistory, self - self._rel_ledger_lines()).unlink()
        return super().unlink()

    @api.ondelete(at_uninstall=False)
    def _unlink_never(self):
        if self._rel_ledger_lines():
            raise UserError(self.env._("Loyalty movements are never deleted: reverse them instead."))

    def _set_expiry_dates(self):
        """Lots without an expiry date of their own expire the program's number of days from today."""
        today = fields.Date.context_today(self)
        by_date = defaultdict(list)
        for line in self.filtered(lambda line: line.rel_points_remaining > 0 and not line.rel_expiry_date):
            program = line.card_id.program_id
            if program.rel_points_expire:
                by_date[today + timedelta(days=program.rel_points_expiry_days)].append(line.id)
        internal = self.with_context(rel_ledger_internal=True)
        for rel_expiry_date, ids in by_date.items():
            internal.browse(ids).write({"rel_expiry_date": rel_expiry_date})

    def _consume_fifo(self):
        """Spending draws from the oldest unexpired lots of the card first, in one statement per line."""
        for line in self:
            self.env.flush_all()
            self.env.cr.execute(
                """
                WITH lots AS (
                    SELECT id, rel_points_remaining,
                           SUM(rel_points_remaining) OVER (ORDER BY COALESCE(rel_expiry_date, 'infinity'::date), id)
                               - rel_points_remaining AS before
                      FROM loyalty_history
                     WHERE card_id = %(card)s AND rel_points_remaining > 0 AND id != %(line)s
                       AND (rel_expiry_date IS NULL OR rel_expiry_date > CURRENT_DATE)
                )
                UPDATE loyalty_history h
                   SET rel_points_remaining = h.rel_points_remaining
                                              - LEAST(lots.rel_points_remaining, %(amount)s - lots.before)
                  FROM lots
                 WHERE h.id = lots.id AND lots.before < %(amount)s
                """,
                {"card": line.card_id.id, "line": line.id, "amount": line.used},
            )
        self.invalidate_model(["rel_points_remaining"])

    def _rel_reverse(self, description):
        """Append the exact opposite of what is left of these movements; each is reversed at most once."""
        return self._rel_reverse_share(1.0, description)

    def _rel_reversals_so_far(self):
        """Per movement: the signed points already reversed (partial reversals included) and the id of
        its latest reversal line."""
        if not self:
            return {}
        groups = self._read_group(
            [("rel_reversed_history_id", "in", self.ids)], ["rel_reversed_history_id"], ["rel_points:sum", "id:max"]
        )
        return {line.id: (points, last_id) for line, points, last_id in groups}

    def _rel_reverse_share(self, share, description, **values):
        """Bring the reversed part of each movement to ``share`` of it by appending the difference.

        A share of 1 reverses what is left and marks the movement reversed (a cancelled order). A share
        below 1 is a partial credit note; a lower share than before gives points back (a credit note
        reset to draft). Running it twice with the same share appends nothing.
        """
        # The ledger's own bookkeeping: the cancellation or credit note that asks for it was checked as the
        # caller; the movements it appends are written as superuser (see _rel_check_ledger_access).
        self = self.sudo()
        lines = self.filtered(lambda line: not line.rel_reversed_by_id and line.rel_movement_type != "reversed")
        done = lines._rel_reversals_so_far()
        full = share >= 1.0
        todo, vals_list = [], []
        for line in lines:
            target = -line.rel_points * (1.0 if full else max(share, 0.0))
            delta = target - done.get(line.id, (0.0, None))[0]
            if not full:
                delta = float_round(delta, precision_digits=2)
            if float_is_zero(delta, precision_digits=6):
                continue
            todo.append((line, delta))
            vals_list.append(
                {
                    "card_id": line.card_id.id,
                    "rel_movement_type": "reversed",
                    "issued": max(delta, 0.0),
                    "used": max(-delta, 0.0),
                    "order_model": line.order_model,
                    "order_id": line.order_id,
                    "rel_reversed_history_id": line.id,
                    "description": description,
                    **values,
                }
            )
        reversals = self.create(vals_list)
        internal = self.with_context(rel_ledger_internal=True)
        retaken = self.browse()
        for (line, delta), reversal in zip(todo, reversals, strict=True):
            if line.rel_points > 0 and delta < 0:
                # Points taken back leave the lot they came from; beyond it the balance goes negative.
                remaining = max(line.rel_points_remaining + delta, 0.0)
                internal.browse(line.id).write({"rel_points_remaining": remaining})
            elif delta > 0:
                # Points given back form a lot of their own; taken back earned points keep their expiry.
                lot = {"rel_points_remaining": delta}
                if line.rel_points > 0 and line.rel_expiry_date:
                    lot["rel_expiry_date"] = line.rel_expiry_date
                internal.browse(reversal.id).write(lot)
            else:
                retaken |= reversal
        retaken._consume_fifo()
        if full:
            # A movement already reversed in full by credit notes is marked with the last of them.
            last = {line_id: last_id for line_id, (_points, last_id) in done.items()}
            last.update({line.id: reversal.id for (line, _delta), reversal in zip(todo, reversals, strict=True)})
            for line in lines:
                if line.id in last:
                    write = {"rel_reversed_by_id": last[line.id]}
                    if line.rel_points > 0:
                        write["rel_points_remaining"] = 0.0
                    internal.browse(line.id).write(write)
        reversals._set_expiry_dates()
        return reversals

    @api.model
    def _cron_expire_points(self, today=None):
        """Expire every lot that is due, in set-based SQL; running it twice expires nothing more."""
        today = today or fields.Date.context_today(self)
        self.env.flush_all()
        cr = self.env.cr
        cr.execute(
            """
            SELECT card_id, SUM(rel_points_remaining)
              FROM loyalty_history
             WHERE rel_points_remaining > 0 AND rel_expiry_date <= %s
          GROUP BY card_id
            """,
            [today],
        )
        due = cr.fetchall()
        if not due:
            return 0
        card_ids = [card_id for card_id, _points in due]
        # Lock the cards, as spending does, so an expiry never takes points a concurrent spend just used.
        cr.execute("SELECT id FROM loyalty_card WHERE id = ANY(%s) ORDER BY id FOR UPDATE", [card_ids])
        cr.execute(
            """
            WITH due AS (
                UPDATE loyalty_history SET rel_points_remaining = 0
                 WHERE rel_points_remaining > 0 AND rel_expiry_date <= %(today)s
             RETURNING id
            ), expired AS (
                SELECT h.card_id, SUM(h.rel_points_remaining) AS points
                  FROM loyalty_history h JOIN due ON due.id = h.id
              GROUP BY h.card_id
            )
            INSERT INTO loyalty_history
                   (card_id, rel_partner_id, rel_program_id, rel_movement_type, description, issued, used, rel_points,
                    rel_points_remaining, create_uid, write_uid, create_date, write_date, rel_user_id)
            SELECT expired.card_id, card.partner_id, card.program_id, 'expired', %(description)s::jsonb, 0,
                   expired.points, -expired.points, 0, %(uid)s, %(uid)s, now() at time zone 'utc',
                   now() at time zone 'utc', %(uid)s
              FROM expired JOIN loyalty_card card ON card.id = expired.card_id
            """,
            {
                "today": today,
                "description": json.dumps(term_translations(self.env, POINTS_EXPIRED)),
                "uid": self.env.uid,
            },
        )
        self.env["loyalty.card"].browse(card_ids)._rel_sync_points_from_ledger()
        self.invalidate_model()
        return len(card_ids)

    # ------------------------------------------------------------------ expiry reminders
    @api.model
    def _rel_lots_to_remind(self, today):
        """``{card id: [lot ids]}`` of the lots in their program's reminder window and not reminded yet.

        The lots are locked until the transaction ends, so that two runs never remind the same lot twice.
        """
        self.env.flush_all()
        self.env.cr.execute(
            """
            SELECT h.id, h.card_id
              FROM loyalty_history h
              JOIN loyalty_card c ON c.id = h.card_id
              JOIN loyalty_program p ON p.id = c.program_id
             WHERE h.rel_reminded_date IS NULL AND h.rel_points_remaining > 0
               AND p.rel_points_expire AND c.partner_id IS NOT NULL
               AND h.rel_expiry_date >= %(today)s AND h.rel_expiry_date <= %(today)s::date + p.rel_expiry_reminder_days
               AND EXISTS (SELECT 1 FROM loyalty_mail m
                            WHERE m.program_id = p.id AND m.trigger = 'points_expiring' AND m.active)
               FOR UPDATE OF h SKIP LOCKED
            """,
            {"today": today},
        )
        lots_by_card = defaultdict(list)
        for lot_id, card_id in self.env.cr.fetchall():
            lots_by_card[card_id].append(lot_id)
        return lots_by_card

    @api.model
    def _rel_mark_reminded(self, lot_ids, today):
        """Mark the lots whose reminder went out (the lots' own bookkeeping, a BOOKKEEPING_FIELDS field)."""
        if lot_ids:
            self.env.cr.execute(
                "UPDATE loyalty_history SET rel_reminded_date = %s WHERE id = ANY(%s)", [today, lot_ids]
            )
            self.invalidate_model(["rel_reminded_date"])

    @api.model
    def _rel_translate_descriptions(self, langs=None, lines=None):
        """Store the ledger's own descriptions (``ledger_terms``) in ``langs`` (default: the database's
        languages) on the lines that hold them in English, all lines or ``lines``: the lines written before
        a language was loaded, the demo movements among them, then read in that language too."""
        langs = [
            lang for lang in langs or [code for code, _name in self.env["res.lang"].get_installed()] if lang != "en_US"
        ]
        if not langs or (lines is not None and not lines):
            return
        sources = {term._translate("en_US"): term_translations(self.env, term, langs) for term in LEDGER_TERMS}
        self.flush_model(["description"])
        self.env.cr.execute(
            """
            UPDATE loyalty_history h
               SET description = h.description || t.translations
              FROM jsonb_each(%s::jsonb) AS t(source, translations)
             WHERE h.description->>'en_US' = t.source AND (%s OR h.id = ANY(%s))
            """,
            [json.dumps(sources), lines is None, lines.ids if lines is not None else []],
        )
        self.invalidate_model(["description"])
