from collections import defaultdict

from odoo import api, fields, models
from odoo.tools import SQL, plaintext2html

from ..analytics import bulk

NEXT_SEVERITY = {"low": "normal", "normal": "high", "high": "critical", "critical": "critical"}

# the stored fields the status is computed from (and the two it sets)
SLA_CLOCK_FIELDS = (
    "sla_id",
    "sla_response_deadline",
    "sla_response_risk_date",
    "sla_resolution_deadline",
    "sla_resolution_risk_date",
    "sla_paused_since",
    "date_first_response",
    "date_closed",
    "is_closed",
    "sla_status",
    "escalation_level",
)


def sla_status(clock, now):
    """Status at ``now`` of a clock read as a mapping of ``SLA_CLOCK_FIELDS`` (a record, or a row of
    its stored columns); the clock stands still while paused or closed."""
    if not clock["sla_id"] or not clock["sla_resolution_deadline"]:
        return False
    closed = clock["is_closed"]
    moment = clock["sla_paused_since"] or (clock["date_closed"] if closed and clock["date_closed"] else now)
    response = clock["date_first_response"]
    if response and response > clock["sla_response_deadline"]:
        return "breached"
    if not response and moment > clock["sla_response_deadline"]:
        return "breached"
    if moment > clock["sla_resolution_deadline"]:
        return "breached"
    if closed:
        return "met"
    if (not response and moment >= clock["sla_response_risk_date"]) or moment >= clock["sla_resolution_risk_date"]:
        return "at_risk"
    return "on_track"


SLA_STATUSES = [("on_track", "On Track"), ("at_risk", "At Risk"), ("breached", "Breached"), ("met", "Met")]


class CrmSlaClockMixin(models.AbstractModel):
    """Service-level clock of a ticket: policy, deadlines, status and the escalation they drive.

    The escalation lives here too: it reads the status this clock stores and the clock puts an
    escalated ticket back to level 0 when it is on track again, so the two cannot be split.

    The inheriting model provides ``category_id``, ``severity``, ``team_id``, ``user_id`` and
    ``company_id`` (policy matching and escalation), ``partner_id`` (whose language and timezone an
    escalation without a leader uses), ``date_open``, ``date_first_response``,
    ``date_closed`` and ``is_closed`` (the clock), keeps ``sla_paused_since`` and
    ``sla_paused_hours`` up to date when it waits on the customer, and gives with ``_default_stage_id``
    the open stage a customer's reply moves it back to.
    """

    _name = "crm.sla.clock.mixin"
    _description = "Service Level Clock"

    sla_id = fields.Many2one("crm.complaint.sla", string="SLA Policy", compute="_compute_sla_id", store=True)
    sla_response_deadline = fields.Datetime(
        string="First Response Deadline", compute="_compute_sla_deadlines", store=True
    )
    sla_resolution_deadline = fields.Datetime(
        string="Resolution Deadline", compute="_compute_sla_deadlines", store=True
    )
    sla_response_risk_date = fields.Datetime(compute="_compute_sla_deadlines", store=True)
    sla_resolution_risk_date = fields.Datetime(compute="_compute_sla_deadlines", store=True)
    sla_status = fields.Selection(SLA_STATUSES, string="SLA Status", readonly=True, copy=False, index=True)
    sla_paused_since = fields.Datetime(string="SLA Paused Since", readonly=True, copy=False)
    sla_paused_hours = fields.Float(
        string="Paused Working Hours",
        readonly=True,
        copy=False,
        help="Working hours spent waiting on the customer; the deadlines move by this much.",
    )
    escalation_level = fields.Selection(
        [("0", "None"), ("1", "At Risk"), ("2", "Breached")],
        default="0",
        required=True,
        readonly=True,
        copy=False,
        help="Highest escalation already done, so that the scheduled escalation never repeats itself.",
    )

    # ------------------------------------------------------------------
    # service level arithmetic
    # ------------------------------------------------------------------

    @api.depends("category_id", "severity", "team_id", "company_id")
    def _compute_sla_id(self):
        policies = self.env["crm.complaint.sla"]._match_complaints(self)
        for record in self:
            record.sla_id = policies[record]

    @api.depends(
        "sla_id.response_hours",
        "sla_id.resolution_hours",
        "sla_id.at_risk_share",
        "sla_id.resource_calendar_id",
        "date_open",
        "sla_paused_hours",
    )
    def _compute_sla_deadlines(self):
        by_calendar = defaultdict(list)
        for record in self:
            if record.sla_id and record.date_open:
                by_calendar[record.sla_id.sudo().resource_calendar_id].append(record)
            else:
                record.sla_response_deadline = record.sla_resolution_deadline = False
                record.sla_response_risk_date = record.sla_resolution_risk_date = False
        for calendar, records in by_calendar.items():
            requests = []
            for record in records:
                policy = record.sla_id.sudo()
                share = policy.at_risk_share / 100.0
                paused = record.sla_paused_hours
                start = record.date_open
                requests += [
                    (start, policy.response_hours + paused),
                    (start, policy.response_hours * share + paused),
                    (start, policy.resolution_hours + paused),
                    (start, policy.resolution_hours * share + paused),
                ]
            moments = calendar._rel_plan_hours_batch(requests)
            for index, record in enumerate(records):
                (
                    record.sla_response_deadline,
                    record.sla_response_risk_date,
                    record.sla_resolution_deadline,
                    record.sla_resolution_risk_date,
                ) = moments[4 * index : 4 * index + 4]

    def _sla_status_at(self, now):
        """Status of one record at ``now``; the clock stands still while paused or closed."""
        self.ensure_one()
        return sla_status(self, now)

    def _refresh_sla_status(self, now=None):
        """Store the SLA status of many records with one write per status value.

        The clock's stored columns are read in one query: the same rule as ``_sla_status_at``, without
        building a record per complaint, which is what a run over thousands of open complaints spends
        its time on otherwise."""
        now = now or fields.Datetime.now()
        records = self.filtered("id")
        if not records:
            return
        records.flush_recordset(SLA_CLOCK_FIELDS)
        self.env.cr.execute(
            SQL(
                "SELECT id, %s FROM %s WHERE id = ANY(%s)",
                SQL(", ").join(SQL.identifier(name) for name in SLA_CLOCK_FIELDS),
                SQL.identifier(self._table),
                records.ids,
            )
        )
        changes = defaultdict(list)
        back_on_track = []
        for row in self.env.cr.fetchall():
            values = dict(zip(SLA_CLOCK_FIELDS, row[1:], strict=True))
            status = sla_status(values, now)
            if status != (values["sla_status"] or False):
                changes[status].append(row[0])
            if status == "on_track" and values["escalation_level"] != "0":
                back_on_track.append(row[0])
        # sudo: the status is bookkeeping derived from stored dates, not an edit by the user
        # (a portal customer creating a complaint has no write access); neither field is tracked
        bookkeeping = self.sudo().with_context(mail_notrack=True)
        for status, ids in changes.items():
            bookkeeping.browse(ids).write({"sla_status": status})
        if back_on_track:
            # deadlines moved later (pause, lower severity): a future risk escalates again
            bookkeeping.browse(back_on_track).write({"escalation_level": "0"})

    def _work_hours_between(self, start, stop):
        self.ensure_one()
        calendar = self.sla_id.sudo().resource_calendar_id or self.company_id.resource_calendar_id
        if not calendar or stop <= start:
            return 0.0
        return calendar.get_work_hours_count(start, stop, compute_leaves=True)

    # ------------------------------------------------------------------
    # escalation
    # ------------------------------------------------------------------

    @api.model
    def _cron_escalate(self, now=None):
        records = self.search([("is_closed", "=", False), ("sla_id", "!=", False)])
        records._refresh_sla_status(now=now)
        records._escalate()

    def _sla_escalation_locale(self):
        """(lang, tz) in which the escalation of this record is written: the user it goes to (the team
        leader, else the handler), else the customer, with the policy's calendar as the last timezone."""
        self.ensure_one()
        reader = (self.team_id.user_id or self.user_id).partner_id or self.partner_id
        lang = (reader.lang and self.env["res.lang"]._get_code(reader.lang)) or self.env.lang or "en_US"
        return lang, reader.tz or self.sla_id.sudo().resource_calendar_id.tz or "UTC"

    def _escalate(self):
        """Escalate records not yet escalated at their current level (idempotent).

        The scheduler writes for someone else: each note, activity and severity change is worded in
        the language and timezone of the person it is for (``_sla_escalation_locale``). A run may
        escalate thousands at once: the wording is prepared per language, and the notes, their tracked
        severity change, the activities and their followers go in as bulk rows (``_sla_insert_escalations``).
        """
        running = self.filtered(lambda c: not c.sla_paused_since and not c.is_closed)
        at_risk = running.filtered(lambda c: c.sla_status == "at_risk" and c.escalation_level == "0")
        breached = running.filtered(lambda c: c.sla_status == "breached" and c.escalation_level != "2")
        if not at_risk and not breached:
            return
        escalated = at_risk | breached
        at_risk_ids = set(at_risk.ids)
        raising = breached.filtered(lambda c: c.sla_id.raise_severity_on_breach and c.severity != "critical")
        raising_ids = set(raising.ids)
        by_locale = defaultdict(list)
        for record in escalated:
            by_locale[record._sla_escalation_locale()].append(record.id)
        notes, activities = [], []
        for (lang, tz), ids in by_locale.items():
            local = self.browse(ids).with_context(lang=lang, tz=tz)
            env = local.env
            today = fields.Date.context_today(local)
            summaries = {
                True: env._("Complaint at risk of missing its service level"),
                False: env._("Complaint breached its service level"),
            }
            severity_info = local.fields_get(["severity"], attributes=("string", "type", "selection"))["severity"]
            formatter = env["ir.qweb.field.datetime"]
            options = {"tz_name": tz, "hide_seconds": True}
            deadlines, trackings = {}, {}
            for record in local:
                summary = summaries[record.id in at_risk_ids]
                deadline = record.sla_resolution_deadline
                if deadline not in deadlines:
                    deadlines[deadline] = formatter.value_to_html(deadline, options)
                body = plaintext2html(
                    env._(
                        "Escalated: %(summary)s (resolution due %(deadline)s).",
                        summary=summary,
                        deadline=deadlines[deadline],
                    )
                )
                tracking = False
                if record.id in raising_ids:
                    if record.severity not in trackings:
                        trackings[record.severity] = env["mail.tracking.value"]._create_tracking_values(
                            record.severity, NEXT_SEVERITY[record.severity], "severity", severity_info, record
                        )
                    tracking = trackings[record.severity]
                notes.append((record.id, body, tracking))
                leader = record.team_id.user_id or record.user_id
                if leader:
                    activities.append((record.id, summary, leader.id, today))
        self._sla_insert_escalations(notes, activities)
        # the level is bookkeeping, not tracked: no tracking to prepare over thousands of records
        if at_risk:
            at_risk.with_context(mail_notrack=True).write({"escalation_level": "1"})
        if breached:
            breached.with_context(mail_notrack=True).write({"escalation_level": "2"})
            by_severity = defaultdict(list)
            for record in raising:
                by_severity[NEXT_SEVERITY[record.severity]].append(record.id)
            for severity, ids in by_severity.items():
                self.browse(ids).with_context(mail_notrack=True).write({"severity": severity})

    def _sla_insert_escalations(self, notes, activities):
        """Log each escalation note (with its tracked severity change) and plan each activity, in bulk.

        ``notes`` are ``(res_id, body, tracking values or False)``, ``activities`` are
        ``(res_id, summary, user_id, deadline)``. The first note and tracking value are made through
        Odoo's own paths (``_message_log_batch``, ``mail.tracking.value``); the others are inserted as
        copies of those rows with their own record and text, so that every column Odoo fills is filled
        alike. The activities go the same way (``crm.relationship.outreach._create_activities``).
        """
        if not notes:
            return
        # the severity change belongs to the escalation note, worded like it (Odoo's own tracking
        # message would be worded in the scheduler's language)
        first_id, first_body, first_tracking = notes[0]
        message = self.browse(first_id)._message_log_batch({first_id: first_body})
        res_ids = [note[0] for note in notes[1:]]
        cloned = bulk.clone_rows(
            self.env["mail.message"],
            message.id,
            {"res_id": ("int4", res_ids), "body": ("text", [note[1] for note in notes[1:]])},
            returning="res_id",
        )
        message_ids = {res_id: message_id for message_id, res_id in cloned}
        message_ids[first_id] = message.id
        tracked = [(message_ids[res_id], tracking) for res_id, _body, tracking in notes if tracking]
        if tracked:
            # sudo: tracking values are only readable through their message, which the scheduler wrote
            template = self.env["mail.tracking.value"].sudo().create(dict(tracked[0][1], mail_message_id=tracked[0][0]))
            bulk.clone_rows(
                template,
                template.id,
                {
                    "mail_message_id": ("int4", [message_id for message_id, _tracking in tracked[1:]]),
                    "old_value_char": ("varchar", [tracking["old_value_char"] for _id, tracking in tracked[1:]]),
                    "new_value_char": ("varchar", [tracking["new_value_char"] for _id, tracking in tracked[1:]]),
                },
            )
        if activities:
            model_id = self.env["ir.model"]._get_id(self._name)
            todo = self.env.ref("mail.mail_activity_data_todo").id
            # sudo: the scheduler escalates on behalf of the team leaders it notifies
            self.env["crm.relationship.outreach"].sudo()._create_activities(
                [
                    {
                        "res_model_id": model_id,
                        "res_id": res_id,
                        "activity_type_id": todo,
                        "summary": summary,
                        "user_id": user_id,
                        "date_deadline": deadline,
                    }
                    for res_id, summary, user_id, deadline in activities
                ]
            )
        # the rows above were written past the ORM: what it holds of them is read again
        self.env.invalidate_all()

    # ------------------------------------------------------------------ the customer answers
    def _resume_on_customer_reply(self, message):
        """The customer's reply (email or portal) resumes a clock paused waiting on them, and tells the owner."""
        author = message.author_id
        if (
            not self.sla_paused_since
            or message.message_type not in ("comment", "email")
            or not author
            or author.commercial_partner_id != self.commercial_partner_id
            or author.user_ids.filtered(lambda user: not user.share)
        ):
            return
        stage = self._default_stage_id()
        if not stage:
            return
        owner = self.user_id or self.team_id.user_id
        # sudo: the customer's reply moves the complaint on; customers may not change the stage themselves
        self.sudo().write({"stage_id": stage.id})
        if owner:
            self.sudo().activity_schedule(
                "mail.mail_activity_data_todo",
                summary=self.env._("The customer replied: the service-level clock runs again"),
                user_id=owner.id,
            )
