from collections import Counter, defaultdict
from datetime import datetime, time, timedelta

import pytz

from odoo import api, fields, models, tools
from odoo.tools import SQL

from ..analytics import bulk

# Purposes a message is sent for. Marketing and surveys need the customer's consent (opt-in); service
# messages (a notice about the customer's own account, such as points about to expire) go out unless the
# customer withdrew that consent; transactional messages (the answer to a complaint the customer raised)
# need no consent and are never delayed.
OPT_IN_PURPOSES = {"marketing", "surveys"}
OPT_OUT_PURPOSES = {"service"}
TRANSACTIONAL = "transactional"
# the values _create_activities copies in bulk; other values go through the ORM
# What the outbound policy reads of a customer and of their entity (``_decide``, ``_next_slot``), and who
# gets their planned calls (``_plan_calls``).
POLICY_FIELDS = [
    "commercial_partner_id",
    "email_normalized",
    "phone",
    "tz",
    "user_id",
    "rel_preferred_contact_channel",
    "rel_contact_window_weekday_ids",
    "rel_contact_window_start",
    "rel_contact_window_end",
]
BULK_ACTIVITY_FIELDS = {"res_model_id", "res_id", "activity_type_id", "summary", "note", "user_id", "date_deadline"}


class OutreachResult:
    """What one action did: messages sent now, scheduled in the contact window, calls planned, skips by reason."""

    def __init__(self, env):
        self.env = env
        self.sent = 0
        self.scheduled = 0
        self.calls = 0
        self.activities = 0
        self.skipped = Counter()

    def skip(self, reason, count=1):
        self.skipped[reason] += count

    def reason_labels(self):
        return {
            "do_not_contact": self.env._("Do Not Contact"),
            "no_consent": self.env._("no consent for this purpose and channel"),
            "blacklisted": self.env._("email address blacklisted"),
            "no_email": self.env._("no email address"),
            "no_phone": self.env._("no phone number"),
            "invalid_window": self.env._("contact window empty or invalid"),
            "no_timezone": self.env._("no timezone for the contact window"),
            "no_caller": self.env._("no salesperson to call them"),
            "call_planned": self.env._("a call is already planned"),
            "activity_planned": self.env._("the same activity is already planned"),
            "recently_surveyed": self.env._("surveyed recently"),
            "no_template": self.env._("email template missing"),
            "no_recommendation": self.env._("nothing to recommend"),
            "same_customer": self.env._("another order of the same customer followed up"),
        }

    def message(self):
        text = self.env._(
            "%(sent)s sent now, %(scheduled)s scheduled in the customer's contact window, %(calls)s calls planned.",
            sent=self.sent,
            scheduled=self.scheduled,
            calls=self.calls,
        )
        return self._with_skips(text)

    def activity_message(self):
        """The counts of an action that plans activities only (retention)."""
        text = self.env._(
            "%(calls)s calls and %(activities)s to-do activities planned.",
            calls=self.calls,
            activities=self.activities,
        )
        return self._with_skips(text)

    def _with_skips(self, text):
        if self.skipped:
            labels = self.reason_labels()
            reasons = ", ".join(
                f"{count} {labels.get(reason, reason)}" for reason, count in sorted(self.skipped.items())
            )
            skipped = self.env._("Skipped: %(reasons)s.", reasons=reasons)
            text = f"{text} {skipped}"
        return text

    def notification(self, title):
        """The client action showing the counts to whoever ran the action."""
        return {
            "type": "ir.actions.client",
            "tag": "display_notification",
            "params": {
                "title": title,
                "message": self.message(),
                "type": "warning" if self.skipped else "success",
                "sticky": bool(self.skipped),
            },
        }


class CrmRelationshipOutreach(models.AbstractModel):
    """The one outbound policy: whether, how and when a customer may be contacted for a purpose.

    Everything the addons send or schedule to customers asks it first. It reads the customer entity's
    consents, Do Not Contact, preferred channel and contact window, and Odoo's email blacklist, for a
    whole batch of partners in a few queries.
    """

    _name = "crm.relationship.outreach"
    _description = "Outbound Contact Policy"

    @api.model
    def _plan(self, partners, purpose, now=None, calls=True, channel=None):
        """Decide for each partner: ``("email", when)``, ``("call", when)`` or ``("skip", reason)``.

        ``when`` is a naive UTC datetime at the start of the customer's next contact slot, or False for
        now. A customer who prefers the phone gets a call instead of an email, unless ``calls`` is False
        (a message not worth a call): then the email consent decides. ``channel="phone"`` plans a call
        for everyone (a user who chose to call a segment): the phone consent decides.
        """
        now = now or fields.Datetime.now()
        plan = {}
        if not partners:
            return plan
        # sudo: the policy reads the customer's stated preferences whoever triggers the message (a cron,
        # a portal complaint); it only decides, each caller sends with its own rights
        partners = partners.sudo()
        # Only the fields the policy reads, and not every column of each customer (what reading the
        # first field would prefetch): the nightly retention run decides for thousands at once.
        partners.fetch(POLICY_FIELDS)
        entities = partners.commercial_partner_id
        entities.fetch(POLICY_FIELDS)
        answers = {}
        for row in (
            self.env["crm.relationship.consent"]
            .sudo()
            .search_read([("partner_id", "in", entities.ids)], ["partner_id", "channel", "purpose", "granted"])
        ):
            answers[row["partner_id"][0], row["channel"], row["purpose"]] = row["granted"]
        emails = {p.email_normalized for p in partners if p.email_normalized}
        blacklisted = set()
        if emails and purpose != TRANSACTIONAL:
            self.env.cr.execute("SELECT email FROM mail_blacklist WHERE active AND email = ANY(%s)", [sorted(emails)])
            blacklisted = {row[0] for row in self.env.cr.fetchall()}
        for partner in partners:
            plan[partner.id] = self._decide(partner, purpose, answers, blacklisted, now, calls, channel)
        return plan

    def _allowed(self, entity, channel, purpose, answers):
        answer = answers.get((entity.id, channel, purpose))
        if purpose in OPT_IN_PURPOSES:
            return bool(answer)
        return answer is not False

    def _decide(self, partner, purpose, answers, blacklisted, now, calls, channel=None):
        entity = partner.commercial_partner_id
        if purpose == TRANSACTIONAL:
            return ("email", False) if partner.email_normalized else ("skip", "no_email")
        preferred = entity.rel_preferred_contact_channel or partner.rel_preferred_contact_channel
        if preferred == "none":
            return ("skip", "do_not_contact")
        channel = channel or ("phone" if preferred == "phone" and calls else "email")
        if not self._allowed(entity, channel, purpose, answers):
            return ("skip", "no_consent")
        if channel == "phone" and not (partner.phone or entity.phone):
            return ("skip", "no_phone")
        if channel == "email":
            if not partner.email_normalized:
                return ("skip", "no_email")
            if partner.email_normalized in blacklisted:
                return ("skip", "blacklisted")
        when = self._next_slot(entity, partner, now)
        if isinstance(when, str):
            return ("skip", when)
        return ("call" if channel == "phone" else "email", when)

    def _next_slot(self, entity, partner, now):
        """Start of the customer's next contact slot in naive UTC, False if they may be contacted now,
        or the reason code when the window cannot be read."""
        days = set(entity.rel_contact_window_weekday_ids.mapped("sequence"))
        start, end = entity.rel_contact_window_start or 0.0, entity.rel_contact_window_end or 0.0
        if not days and not start and not end:
            return False
        if not (0 <= start <= 24 and 0 <= end <= 24) or ((start or end) and start >= end):
            return "invalid_window"
        if not start and not end:
            end = 24.0
        tz_name = entity.tz or partner.tz
        if not tz_name or tz_name not in pytz.all_timezones_set:
            return "no_timezone"
        tz = pytz.timezone(tz_name)
        local_now = pytz.utc.localize(now).astimezone(tz)
        for offset in range(8):
            day = local_now.date() + timedelta(days=offset)
            if days and day.weekday() not in days:
                continue
            opening = tz.localize(datetime.combine(day, time()) + timedelta(hours=start))
            closing = tz.localize(datetime.combine(day, time()) + timedelta(hours=end))
            if local_now >= closing:
                continue
            if local_now >= opening:
                return False
            return opening.astimezone(pytz.utc).replace(tzinfo=None)
        return "invalid_window"

    @api.model
    def _deliver(self, records, plan, template, result, call_summary, call_note=None, now=None, user=None):
        """Send ``template`` on each record whose partner the plan lets us email (at the planned moment),
        and plan a call on the customer for those who prefer the phone (on ``user`` if given).

        ``records`` are the documents the template renders (their ``partner_id`` is the addressee, or
        the partners themselves). Returns the records reached.
        """
        now = now or fields.Datetime.now()
        template = template.exists() if template else template
        by_moment = defaultdict(list)
        calls = []
        for record in records:
            addressee = record if record._name == "res.partner" else record.partner_id
            decision = plan.get(addressee.id, ("skip", "no_email"))
            if decision[0] == "email":
                if not template:
                    result.skip("no_template")
                    continue
                by_moment[decision[1]].append(record.id)
            elif decision[0] == "call":
                calls.append((record, decision[1]))
            else:
                result.skip(decision[1])
        reached = records.browse()
        for moment, ids in by_moment.items():
            values = {"scheduled_date": moment} if moment else None
            template.send_mail_batch(ids, email_values=values, email_layout_xmlid="mail.mail_notification_light")
            if moment:
                result.scheduled += len(ids)
            else:
                result.sent += len(ids)
            reached |= records.browse(ids)
        if calls:
            reached |= self._plan_calls(calls, result, call_summary, call_note, now, user=user)
        return reached

    @api.model
    def _text_for(self, text, lang, *args):
        """``text`` as a reader of ``lang`` gets it: a callable ``text(env, *args)`` writes it in an
        environment of that language, so that scheduled work speaks the language of the one who does it."""
        return text(self.with_context(lang=lang).env, *args) if callable(text) else text

    @api.model
    def _texts_in_all_languages(self, text):
        """Every wording of ``text`` in the installed languages: one activity planned for a Chinese-speaking
        salesperson is the same activity as its English wording."""
        if not callable(text):
            return [text]
        return list({self._text_for(text, code) for code, _name in self.env["res.lang"].get_installed()})

    def _plan_calls(self, calls, result, summary, note, now, activity_type=None, user=None):
        """One call activity (or ``activity_type``) per customer, on ``user`` if given, else their salesperson
        (else the user running the action), due in their window; never a second open one with the same
        summary. ``summary`` and ``note`` may be callables ``summary(env)`` and ``note(env, record)``: they
        are then written in the language of whoever gets the activity. Returns the records whose activity
        was planned."""
        records = calls[0][0].browse([record.id for record, _when in calls])
        customers = records if records._name == "res.partner" else records.partner_id
        entities = customers.commercial_partner_id
        # sudo: planned calls of any user are checked, so that no customer gets the same call twice
        open_calls = (
            self.env["mail.activity"]
            .sudo()
            .search(
                [
                    ("res_model", "=", "res.partner"),
                    ("res_id", "in", entities.ids),
                    ("summary", "in", self._texts_in_all_languages(summary)),
                ]
            )
        )
        planned = set(open_calls.mapped("res_id"))
        runner = self.env.user
        fallback = runner if runner._is_internal() and not runner._is_superuser() else runner.browse()
        call_type = self.env.ref("mail.mail_activity_data_call")
        activity_type = activity_type or call_type
        already = "call_planned" if activity_type == call_type else "activity_planned"
        model_id = self.env["ir.model"]._get_id("res.partner")
        values, reached = [], []
        for record, when in calls:
            customer = record if record._name == "res.partner" else record.partner_id
            entity = customer.commercial_partner_id.sudo()
            if entity.id in planned:
                result.skip(already)
                continue
            caller = user or entity.user_id or fallback
            if not caller:
                result.skip("no_caller")
                continue
            planned.add(entity.id)
            lang = caller.lang or self.env.lang
            text = self._text_for(note, lang, record) if note else False
            due = when or now
            tz = pytz.timezone(entity.tz) if entity.tz in pytz.all_timezones_set else pytz.utc
            values.append(
                {
                    "res_model_id": model_id,
                    "res_id": entity.id,
                    "activity_type_id": activity_type.id,
                    "summary": self._text_for(summary, lang),
                    "note": tools.plaintext2html(text) if text else False,
                    "user_id": caller.id,
                    "date_deadline": pytz.utc.localize(due).astimezone(tz).date(),
                }
            )
            reached.append(record.id)
        # sudo: the call is planned for the customer's salesperson, whom the runner may not assign work to
        self.sudo()._create_activities(values)
        if activity_type == call_type:
            result.calls += len(values)
        else:
            result.activities += len(values)
        return records.browse(reached)

    @api.model
    def _create_activities(self, values):
        """Create activities of one model for others (no notification mail), thousands at once.

        The first is created by Odoo (``mail.activity``); the others are inserted as copies of its row
        with their own record, type, summary, note, user and deadline, so that every column Odoo fills
        is filled alike, without building a record per activity. As Odoo does for an activity, its user
        follows the record and is told that their activities changed. Called under sudo by callers who
        checked what they plan.
        """
        if not values:
            return
        activities = self.env["mail.activity"].with_context(mail_activity_quick_update=True)
        template = activities.create(values[0])
        rest = values[1:]
        if not rest:
            return
        if any(vals["res_model_id"] != values[0]["res_model_id"] or set(vals) - BULK_ACTIVITY_FIELDS for vals in rest):
            activities.create(rest)
            return
        model = template.res_model
        users = self.env["res.users"].browse({vals["user_id"] for vals in rest})
        names = {record.id: record.display_name for record in self.env[model].browse([v["res_id"] for v in rest])}
        bulk.clone_rows(
            template,
            template.id,
            {
                "res_id": ("int4", [vals["res_id"] for vals in rest]),
                "res_name": ("varchar", [names[vals["res_id"]] for vals in rest]),
                "activity_type_id": ("int4", [vals["activity_type_id"] for vals in rest]),
                "summary": ("varchar", [vals.get("summary") or None for vals in rest]),
                "note": ("text", [vals.get("note") or None for vals in rest]),
                "user_id": ("int4", [vals["user_id"] for vals in rest]),
                "user_tz": ("varchar", [users.browse(vals["user_id"]).tz or None for vals in rest]),
                "date_deadline": ("date", [vals["date_deadline"] for vals in rest]),
            },
        )
        subtypes = self.env["mail.message.subtype"].default_subtypes(model)[0]
        self.env.cr.execute(
            SQL(
                """
                WITH new AS (
                    INSERT INTO mail_followers (res_model, res_id, partner_id)
                    SELECT DISTINCT %(model)s, a.res_id, u.partner_id
                      FROM unnest(%(res_ids)s::int4[], %(user_ids)s::int4[]) AS a(res_id, user_id)
                      JOIN res_users u ON u.id = a.user_id
                    ON CONFLICT DO NOTHING
                    RETURNING id
                )
                INSERT INTO mail_followers_mail_message_subtype_rel (mail_followers_id, mail_message_subtype_id)
                SELECT new.id, subtype FROM new CROSS JOIN unnest(%(subtypes)s::int4[]) AS subtype
                """,
                model=model,
                res_ids=[vals["res_id"] for vals in rest],
                user_ids=[vals["user_id"] for vals in rest],
                subtypes=subtypes.ids,
            )
        )
        # the rows above were written past the ORM: what it holds of them is read again
        self.env.invalidate_all()
        today = fields.Date.today()
        due = Counter(vals["user_id"] for vals in rest if vals["date_deadline"] <= today)
        for user in users:
            if due[user.id]:
                user._bus_send("mail.activity/updated", {"activity_created": True, "count_diff": due[user.id]})

    @api.model
    def _send_transactional(self, records, template, author):
        """Post ``template`` on each record to its customer at once, as an automated message.

        Transactional: no consent needed and never delayed, only an email address. An automated message
        (``auto_comment``) is not an employee's answer, so no service-level clock takes it for one.
        """
        if not template or not records:
            return
        plan = self._plan(records.partner_id, TRANSACTIONAL)
        by_author = defaultdict(list)
        for record in records:
            if plan[record.partner_id.id][0] == "email":
                by_author[author(record).id].append(record.id)
        subtype_id = self.env["ir.model.data"]._xmlid_to_res_id("mail.mt_comment")
        for author_id, ids in by_author.items():
            # sudo: the company's automatic answer goes out whoever created the records (a portal customer,
            # the mail gateway); the customer who opened one is its recipient although Odoo sees them as the
            # real author of the post. One composer renders the template for the whole batch.
            composer = (
                self.env["mail.compose.message"]
                .sudo()
                .with_context(
                    mail_notify_author_mention=True,
                    default_composition_mode="comment",
                    default_model=records._name,
                    default_res_ids=ids,
                    default_template_id=template.id,
                )
                .create({"message_type": "auto_comment", "subtype_id": subtype_id, "author_id": author_id})
            )
            composer._action_send_mail()
            # the wizard holds the rendered text until Odoo's vacuum; the messages are the record of it
            composer.unlink()

    @api.model
    def _sync_blacklist(self, partner, granted, source_label):
        """Email marketing consent withdrawn: Odoo's blacklist keeps mass mailing and list emails away from
        the address; granted again: the address leaves the blacklist."""
        email = partner.email_normalized
        if not email:
            return
        # sudo: the blacklist is Odoo's mailing tool's list; a customer's own consent change decides it
        blacklist = self.env["mail.blacklist"].sudo()
        if granted:
            if not blacklist.search_count([("email", "=", email)], limit=1):
                return
            blacklist._remove(email, message=self.env._("Email marketing consent granted (%s).", source_label))
        else:
            blacklist._add(email, message=self.env._("Email marketing consent withdrawn (%s).", source_label))
