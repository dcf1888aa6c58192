from odoo import fields, models


class CrmTeam(models.Model):
    _inherit = "crm.team"

    def _complaint_next_user(self):
        """Next available member of the team for a complaint: the one whose last complaint of the team
        is oldest.

        Members on leave now (a leave on their working-time resource) or archived are skipped.
        """
        self.ensure_one()
        members = self.member_ids.filtered(lambda user: user.active and not user.share)
        if not members:
            return self.env["res.users"]
        now = fields.Datetime.now()
        # sudo: availability and assignment history must be read across the whole team
        on_leave = (
            self.env["resource.calendar.leaves"]
            .sudo()
            .search(
                [
                    ("resource_id.user_id", "in", members.ids),
                    ("date_from", "<=", now),
                    ("date_to", ">=", now),
                ]
            )
            .resource_id.user_id
        )
        available = members - on_leave
        if not available:
            return self.env["res.users"]
        last_assigned = dict(
            self.env["crm.complaint"]
            .sudo()
            ._read_group(
                [("team_id", "=", self.id), ("user_id", "in", available.ids)],
                ["user_id"],
                ["id:max"],
            )
        )
        order = {user: position for position, user in enumerate(available)}
        return min(available, key=lambda user: (last_assigned.get(user, 0), order[user]))
