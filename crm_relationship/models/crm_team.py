from odoo import api, fields, models


class CrmTeam(models.Model):
    _inherit = "crm.team"

    @api.model
    def _complaint_route(self, complaints):
        """Give new complaints a team when they name none, then the team's next available member."""
        for complaint in complaints.filtered(lambda c: not c.team_id):
            team = self._complaint_team_for(complaint.partner_id, complaint.sale_order_id, complaint.company_id)
            if team:
                # sudo: routing also runs for portal and mail-gateway intake, who may not set the team
                complaint.sudo().team_id = team
        for complaint in complaints.filtered(lambda c: c.team_id and not c.user_id):
            user = complaint.team_id._complaint_next_user()
            if user:
                # sudo: automatic assignment also runs for portal and mail-gateway intake
                complaint.sudo().user_id = user

    @api.model
    def _complaint_team_for(self, partner, order, company):
        """Team of a new complaint that names none: the order's, the customer's salesperson's, else the
        complaint team of Settings (intake by portal and email names none)."""
        # sudo: the intake (portal, mail gateway) reads the customer's and order's team to route the complaint
        entity = partner.sudo().commercial_partner_id
        teams = order.sudo().team_id | entity.user_id.sale_team_id
        param = self.env["ir.config_parameter"].sudo().get_param("crm_relationship.complaint_team_id")
        if param and param.isdigit():
            teams |= self.sudo().browse(int(param)).exists()
        for team in teams:
            if team.active and (not team.company_id or team.company_id == company):
                return team.with_env(self.env)
        return self.browse()

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
