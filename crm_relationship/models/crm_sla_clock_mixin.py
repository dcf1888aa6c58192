from collections import defaultdict

from odoo import api, fields, models

NEXT_SEVERITY = {"low": "normal", "normal": "high", "high": "critical", "critical": "critical"}
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
            moments = calendar._plan_hours_batch(requests)
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
        if not self.sla_id or not self.sla_resolution_deadline:
            return False
        clock = self.sla_paused_since or (self.date_closed if self.is_closed and self.date_closed else now)
        response = self.date_first_response
        if response and response > self.sla_response_deadline:
            return "breached"
        if not response and clock > self.sla_response_deadline:
            return "breached"
        if clock > self.sla_resolution_deadline:
            return "breached"
        if self.is_closed:
            return "met"
        if (not response and clock >= self.sla_response_risk_date) or clock >= self.sla_resolution_risk_date:
            return "at_risk"
        return "on_track"

    def _refresh_sla_status(self, now=None):
        """Store the SLA status of many records with one write per status value."""
        now = now or fields.Datetime.now()
        changes = defaultdict(list)
        back_on_track = []
        for record in self:
            status = record._sla_status_at(now)
            if status != record.sla_status:
                changes[status].append(record.id)
            if status == "on_track" and record.escalation_level != "0":
                back_on_track.append(record.id)
        # sudo: the status is bookkeeping derived from stored dates, not an edit by the user
        # (a portal customer creating a complaint has no write access)
        for status, ids in changes.items():
            self.sudo().browse(ids).write({"sla_status": status})
        if back_on_track:
            # deadlines moved later (pause, lower severity): a future risk escalates again
            self.sudo().browse(back_on_track).write({"escalation_level": "0"})

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
        the language and timezone of the person it is for (``_sla_escalation_locale``).
        """
        running = self.filtered(lambda c: not c.sla_paused_since and not c.is_closed)
        at_risk = running.filtered(lambda c: c.sla_status == "at_risk" and c.escalation_level == "0")
        breached = running.filtered(lambda c: c.sla_status == "breached" and c.escalation_level != "2")
        if not at_risk and not breached:
            return
        activity_type = self.env.ref("mail.mail_activity_data_todo")
        model_id = self.env["ir.model"]._get_id(self._name)
        raising = breached.filtered(lambda c: c.sla_id.raise_severity_on_breach and c.severity != "critical")
        by_locale = defaultdict(lambda: self.browse())
        for record in at_risk | breached:
            by_locale[record._sla_escalation_locale()] |= record
        activities, bodies, trackings = [], {}, {}
        for (lang, tz), records in by_locale.items():
            local = records.with_context(lang=lang, tz=tz)
            env = local.env
            today = fields.Date.context_today(local)
            severity_info = local.fields_get(["severity"], attributes=("string", "type", "selection"))["severity"]
            for record in local:
                if record in at_risk:
                    summary = env._("Complaint at risk of missing its service level")
                else:
                    summary = env._("Complaint breached its service level")
                deadline = env["ir.qweb.field.datetime"].value_to_html(
                    record.sla_resolution_deadline, {"tz_name": tz, "hide_seconds": True}
                )
                bodies[record.id] = env._(
                    "Escalated: %(summary)s (resolution due %(deadline)s).", summary=summary, deadline=deadline
                )
                if record in raising:
                    trackings[record.id] = env["mail.tracking.value"]._create_tracking_values(
                        record.severity, NEXT_SEVERITY[record.severity], "severity", severity_info, record
                    )
                leader = record.team_id.user_id or record.user_id
                if leader:
                    activities.append(
                        {
                            "res_model_id": model_id,
                            "res_id": record.id,
                            "activity_type_id": activity_type.id,
                            "summary": summary,
                            "user_id": leader.id,
                            "date_deadline": today,
                        }
                    )
        escalated = at_risk | breached
        # sudo: the scheduler escalates on behalf of the team leaders it notifies
        self.env["mail.activity"].sudo().with_context(mail_activity_quick_update=True).create(activities)
        messages = escalated._message_log_batch(bodies)
        if trackings:
            # the severity change belongs to the escalation note, worded like it (Odoo's own tracking
            # message would be worded in the scheduler's language)
            self.env["mail.tracking.value"].sudo().create(
                [
                    dict(trackings[message.res_id], mail_message_id=message.id)
                    for message in messages
                    if message.res_id in trackings
                ]
            )
        if at_risk:
            at_risk.write({"escalation_level": "1"})
        if breached:
            breached.write({"escalation_level": "2"})
            by_severity = defaultdict(list)
            for record in raising:
                by_severity[NEXT_SEVERITY[record.severity]].append(record.id)
            for severity, ids in by_severity.items():
                self.browse(ids).with_context(mail_notrack=True).write({"severity": severity})

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
