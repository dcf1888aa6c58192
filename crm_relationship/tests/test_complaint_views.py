from odoo.tests import HttpCase, tagged


@tagged("post_install", "-at_install")
class TestComplaintViews(HttpCase):
    """Open every complaint and suggestion screen in the browser: the web client must render them."""

    def _check(self, path, selector):
        quoted = repr(selector)
        code = f"""
            const until = Date.now() + 20000;
            (function wait() {{
                if (document.querySelector({quoted})) {{ console.log('test successful'); return; }}
                if (Date.now() > until) {{ console.error('selector not found: ' + {quoted}); return; }}
                setTimeout(wait, 200);
            }})();
        """
        self.browser_js(path, code, login="admin", timeout=60)

    def test_screens_render(self):
        partner = self.env["res.partner"].create({"name": "UI customer", "is_company": True})
        complaint = self.env["crm.complaint"].create({"subject": "UI", "partner_id": partner.id})
        self.env["crm.relationship.suggestion"].create({"name": "UI idea", "partner_id": partner.id})
        self._check("/odoo/action-crm_relationship.crm_complaint_action", ".o_kanban_record")
        self._check("/odoo/action-crm_relationship.crm_complaint_action?view_type=list", ".o_data_row")
        self._check(
            f"/odoo/action-crm_relationship.crm_complaint_action/{complaint.id}",
            ".o_form_view .o_field_widget[name=subject]",
        )
        self._check("/odoo/action-crm_relationship.crm_complaint_report_action", ".o_graph_renderer")
        self._check("/odoo/action-crm_relationship.crm_complaint_report_action_sla", ".o_pivot")
        self._check("/odoo/action-crm_relationship.res_partner_action_repeat_complainers", ".o_list_renderer")
        self._check("/odoo/action-crm_relationship.crm_relationship_suggestion_action", ".o_kanban_record")
        self._check("/odoo/action-crm_relationship.crm_complaint_sla_action", ".o_list_renderer")
        self._check(
            "/odoo/action-crm_relationship.res_config_settings_action_relationship",
            ".app_settings_block[data-key=crm_relationship], .o_settings_container",
        )
        self._check(f"/odoo/contacts/{partner.id}", "button[name=action_rel_view_complaints]")
