import io
import json
import re
import zipfile

from odoo import Command
from odoo.addons.crm_relationship.tests.common_portal import PortalRequests
from odoo.addons.crm_relationship.tests.common_roles import RolesMixin
from odoo.addons.mail.tests.common import MockEmail
from odoo.exceptions import AccessError, UserError
from odoo.tests import HttpCase, new_test_user, tagged
from odoo.tools import SQL, mute_logger

NAME = "Quirinus Vandenbroucke"
EMAIL = "quirinus.vdb@example.org"
PHONE = "+32 470 98 76 54"
VAT = "BE0999888777"
JUNIOR = "Amalia Vandenbroucke-Oyelaran"


@tagged("post_install", "-at_install")
class TestPrivacyErasure(PortalRequests, MockEmail, RolesMixin, HttpCase):
    """A customer with every kind of record, exported, then erased: only the kept books still name them."""

    @classmethod
    def setUpClass(cls):
        super().setUpClass()
        cls.setup_roles()
        env = cls.env
        env.company.email = "shop@example.com"
        cls.user = new_test_user(env, EMAIL, groups="base.group_portal", name=NAME, email=EMAIL)
        cls.customer = cls.user.partner_id
        cls.customer.write(
            {
                "phone": PHONE,
                "vat": VAT,
                "street": "Rue des Tests 7",
                "city": "Namur",
                "rel_contact_window_start": 9.0,
                "rel_contact_window_end": 18.5,
            }
        )
        cls.junior = env["res.partner"].create(
            {
                "name": JUNIOR,
                "parent_id": cls.customer.id,
                "rel_role": "Daughter",
                "email": "amalia@example.org",
            }
        )
        cls.program = env["loyalty.program"].create(
            {
                "name": "Privacy Rewards (test)",
                "program_type": "loyalty",
                "applies_on": "both",
                "trigger": "auto",
                "rel_ledger": True,
                "rule_ids": [Command.create({"reward_point_mode": "money", "reward_point_amount": 1})],
            }
        )
        cls.product = env["product.product"].create(
            {"name": "Privacy teapot", "list_price": 80.0, "taxes_id": False, "invoice_policy": "order"}
        )
        cls.order = env["sale.order"].create(
            {"partner_id": cls.customer.id, "order_line": [Command.create({"product_id": cls.product.id})]}
        )
        cls.order.action_confirm()
        cls.invoice = cls.order._create_invoices()
        cls.invoice.action_post()
        env["account.payment.register"].with_context(active_model="account.move", active_ids=cls.invoice.ids).create(
            {}
        ).action_create_payments()
        cls.complaint = env["crm.complaint"].create(
            {
                "subject": f"Teapot of {NAME} leaks",
                "description": f"<p>Call me on {PHONE}</p>",
                "resolution": "<p>Replaced</p>",
                "partner_id": cls.customer.id,
                "sale_order_id": cls.order.id,
            }
        )
        cls.complaint.with_user(cls.user).sudo().message_post(
            body=f"Regards, {NAME}", message_type="comment", subtype_xmlid="mail.mt_comment"
        )
        cls.complaint.message_post(
            body="We are on it", message_type="comment", subtype_xmlid="mail.mt_comment", partner_ids=cls.customer.ids
        )
        cls.attachment = env["ir.attachment"].create(
            {
                "name": "leak.txt",
                "raw": f"photo of {NAME}".encode(),
                "res_model": "crm.complaint",
                "res_id": cls.complaint.id,
            }
        )
        cls.customer._set_relationship_consent("email", "surveys", True, "backoffice")
        cls.nps = env["crm.relationship.nps"]._send_invitations(cls.customer)
        cls.nps.sudo()._record_answer(9, f"Great, {NAME}")
        cls.suggestion = env["crm.relationship.suggestion"].create({"name": "Green tea", "partner_id": cls.customer.id})
        cls.need = env["crm.relationship.need"].create({"name": "A bigger teapot", "partner_id": cls.customer.id})
        referrer = env["res.partner"].create({"name": "Rolf Referrer (test)", "email": "rolf@example.com"})
        cls.referral_lead = cls.customer._rel_register_referral(referrer._rel_get_referral_code(), "Teapots")
        cls.friend = env["res.partner"].create({"name": "Frida Friend (test)", "email": "frida@example.com"})
        cls.friend_lead = cls.friend._rel_register_referral(cls.customer._rel_get_referral_code(), "Cups")
        cls.card = env["loyalty.card"].search(
            [("partner_id", "=", cls.customer.id), ("program_id", "=", cls.program.id)]
        )
        cls.needles = [NAME, EMAIL, PHONE, re.sub(r"\D", "", PHONE), VAT, JUNIOR, "amalia@example.org"]

    # ------------------------------------------------------------------ helpers
    def _traces(self):
        """(table, id or None, column) of every text, char and jsonb value that holds one of the needles."""
        cr = self.env.cr
        # as at a commit: the tracking of earlier changes is written then
        cr.precommit.run()
        self.env.flush_all()
        cr.execute(
            """
            SELECT c.table_name, c.column_name,
                   EXISTS (SELECT 1 FROM information_schema.columns i
                            WHERE i.table_schema = 'public' AND i.table_name = c.table_name AND i.column_name = 'id')
              FROM information_schema.columns c
              JOIN information_schema.tables t ON t.table_schema = c.table_schema AND t.table_name = c.table_name
             WHERE c.table_schema = 'public' AND t.table_type = 'BASE TABLE'
               AND c.data_type IN ('text', 'character varying', 'jsonb')
            """
        )
        likes = [f"%{needle}%" for needle in self.needles]
        traces = set()
        for table, column, has_id in cr.fetchall():
            cr.execute(
                SQL(
                    "SELECT %s FROM %s WHERE %s::text ILIKE ANY(%s)",
                    SQL.identifier("id") if has_id else SQL("NULL"),
                    SQL.identifier(table),
                    SQL.identifier(column),
                    likes,
                )
            )
            traces.update((table, row[0], column) for row in cr.fetchall())
        return traces

    def _kept_in_log(self, log):
        kept = {}
        for line in log.execution_details.splitlines():
            match = re.match(r"^Kept: .* - ([a-z0-9_.]+) \(\d+\): (.*?) — ", line)
            if match:
                kept.setdefault(self.env[match[1]]._table, set()).update(
                    int(i) for i in re.findall(r"#(\d+)", match[2])
                )
        return kept

    def _erase(self):
        wizard = self.customer.with_user(self.relationship_manager).action_rel_anonymise()
        erasure = self.env["crm.relationship.erasure"].with_user(self.relationship_manager).browse(wizard["res_id"])
        self.assertFalse(erasure.refusal)
        with self.mock_mail_gateway(mail_unlink_sent=True):
            erasure.action_confirm()
        return erasure

    # ------------------------------------------------------------------ tests
    def test_export_then_erasure_leaves_only_the_kept_books(self):
        self.assertTrue(self.card.history_ids, "the order earned points")
        # the customer asks from the portal, with the export first
        self.login(self.user)
        response = self.post("/my/privacy/export")
        self.assertEqual(response.status_code, 200)
        archive = zipfile.ZipFile(io.BytesIO(response.content))
        data = json.loads(archive.read("data.json"))
        self.assertIn("README.txt", archive.namelist())
        self.assertEqual({row["name"] for row in data["profile"]}, {NAME, JUNIOR})
        self.assertEqual(data["orders"][0]["order"], self.order.name)
        self.assertEqual([row["name"] for row in data["invoices"]], [self.invoice.name])
        (complaint,) = data["complaints"]
        self.assertIn(PHONE, complaint["description"])
        self.assertEqual(complaint["resolution"], "Replaced")
        bodies = " ".join(row["body"] for row in data["messages"])
        self.assertIn(f"Regards, {NAME}", bodies)
        self.assertIn("We are on it", bodies)
        self.assertIn("How likely are you to recommend", " ".join(row["subject"] for row in data["messages"]))
        self.assertEqual([row["name"] for row in data["attachments"]], ["leak.txt"])
        self.assertEqual(archive.read(data["attachments"][0]["file"]), f"photo of {NAME}".encode())
        self.assertEqual([row["score"] for row in data["nps"]], [9])
        self.assertEqual([row["name"] for row in data["suggestions"]], ["Green tea"])
        self.assertEqual([row["name"] for row in data["needs"]], ["A bigger teapot"])
        self.assertEqual(len(data["loyalty_ledger"]), len(self.card.history_ids))
        self.assertEqual([row["name"] for row in data["leads"]], [self.referral_lead.name])
        self.assertEqual(len(data["referrals"]), 1)
        self.assertEqual(data["account"][0]["login"], EMAIL)
        self.assertEqual(data["consents"][0]["granted"], "Yes")
        self.assertNotIn("Frida", json.dumps(data))
        # written for a reader: hours as 18:30, Yes and No, dates without microseconds
        profile_csv = archive.read("profile.csv").decode()
        self.assertIn("09:00,18:30", profile_csv)
        for name in archive.namelist():
            if name.endswith(".csv"):
                text = archive.read(name).decode()
                with self.subTest(csv=name):
                    self.assertNotRegex(text, r"\bTrue\b|\bFalse\b|\d:\d\d\.\d{3,}|18\.5")
        readme = archive.read("README.txt").decode()
        for name in archive.namelist():
            if name.endswith(".csv"):
                self.assertIn(name, readme)
        self.assertEqual(self.post("/my/privacy/erase", {"confirm": "yes"}).status_code, 303)

        self.assertTrue(self._traces(), "the customer is all over the database before")
        erasure = self._erase()
        sent = [mail for mail in self._mails if EMAIL in " ".join(mail["email_to"])]
        self.assertEqual([m["subject"] for m in sent], ["Your personal data has been erased"], self._mails)
        log = self.env["privacy.log"].search([], order="id desc", limit=1)
        self.assertIn("Deleted: ", log.execution_details)
        kept = self._kept_in_log(log)
        outside = {(table, rid, column) for table, rid, column in self._traces() if rid not in kept.get(table, ())}
        self.assertFalse(outside, "the name, email, phone or tax ID remain outside the kept accounting records")
        kept_tables = {table for table, _rid, _column in self._traces()}
        self.assertLessEqual(kept_tables, {"res_partner", "account_move", "account_move_line", "account_payment"})
        self.assertEqual(self.customer.name, NAME, "the invoice's buyer keeps the name the invoice states")
        self.assertEqual(self.customer.vat, VAT)
        self.assertFalse(self.customer.email or self.customer.phone)
        self.assertNotIn(JUNIOR, self.junior.name)
        self.assertFalse(self.user.exists() and self.user.with_context(active_test=False).login == EMAIL)
        self.assertEqual(self.invoice.state, "posted")
        self.assertEqual(self.order.partner_id, self.customer)
        self.assertTrue(self.card.exists() and self.card.history_ids)
        self.assertTrue(self.friend_lead.exists())
        self.assertNotIn(NAME, self.friend_lead.name)
        self.assertFalse(self.env["crm.lead"].search([("id", "=", self.referral_lead.id)]))
        self.assertEqual(self.complaint.description, False)
        self.assertFalse(self.attachment.exists())
        self.assertFalse(erasure.line_ids, "the wizard keeps no trace either")

        # twice changes nothing
        messages = self.env["mail.message"].search_count([])
        logs = self.env["privacy.log"].search_count([])
        with self.assertRaises(UserError):
            self.customer.with_user(self.relationship_manager).action_rel_anonymise().get(
                "res_id"
            ) and erasure.with_user(self.relationship_manager).action_confirm()
        self.assertEqual(self.env["mail.message"].search_count([]), messages)
        self.assertEqual(self.env["privacy.log"].search_count([]), logs)

    def test_the_manager_sees_what_is_erased_and_kept_before_confirming(self):
        wizard = self.customer.with_user(self.relationship_manager).action_rel_anonymise()
        erasure = self.env["crm.relationship.erasure"].browse(wizard["res_id"])
        lines = {(line.res_model, line.action): line for line in erasure.line_ids}
        self.assertIn(("account.move", "keep"), lines)
        self.assertIn("accounting law", lines["account.move", "keep"].reason)
        self.assertEqual(lines["res.partner", "keep"].count, 1)
        self.assertIn(("crm.complaint", "clear"), lines)
        self.assertIn(("crm.relationship.suggestion", "delete"), lines)
        self.assertIn(("mail.message", "delete"), lines)
        self.assertIn(("ir.attachment", "delete"), lines)
        self.assertIn(("res.users", "clear"), lines)
        self.assertEqual(self.customer.email, EMAIL, "opening the wizard changes nothing")

    def test_a_namesake_is_left_alone(self):
        namesake = self.env["res.partner"].create({"name": NAME, "email": "another.quirinus@example.net"})
        lead = self.env["crm.lead"].create({"name": "Tea for the office", "partner_id": namesake.id})
        wizard = self.customer.with_user(self.relationship_manager).action_rel_anonymise()
        erasure = self.env["crm.relationship.erasure"].browse(wizard["res_id"])
        listed = {(line.res_model, int(i)) for line in erasure.line_ids for i in line.res_ids.split(",")}
        self.assertNotIn(("res.partner", namesake.id), listed)
        self.assertNotIn(("crm.lead", lead.id), listed)
        self._erase()
        self.assertEqual((namesake.name, namesake.email), (NAME, "another.quirinus@example.net"))
        self.assertTrue(lead.exists())

    def test_open_orders_and_unpaid_invoices_are_refused_with_the_reason(self):
        quotation = self.env["sale.order"].create(
            {"partner_id": self.customer.id, "order_line": [Command.create({"product_id": self.product.id})]}
        )
        wizard = self.customer.with_user(self.relationship_manager).action_rel_anonymise()
        erasure = self.env["crm.relationship.erasure"].with_user(self.relationship_manager).browse(wizard["res_id"])
        self.assertIn(quotation.name, erasure.refusal)
        before = self._traces()
        with self.assertRaisesRegex(UserError, quotation.name):
            erasure.action_confirm()
        self.assertEqual(self._traces(), before)
        self.assertEqual(self.customer.email, EMAIL)

    def test_a_failure_half_way_leaves_the_customer_as_before(self):
        wizard = self.customer.with_user(self.relationship_manager).action_rel_anonymise()
        erasure = self.env["crm.relationship.erasure"].with_user(self.relationship_manager).browse(wizard["res_id"])
        before = self._traces()
        # the confirmation cannot be sent: the mail server refuses it, after everything else was done
        with self.mock_mail_gateway(), mute_logger("odoo.addons.mail.models.mail_mail"):
            self.connect_mocked.side_effect = ConnectionRefusedError("no SMTP server")
            with self.assertRaisesRegex(UserError, "could not be sent"), self.env.cr.savepoint():
                erasure.action_confirm()
        self.assertEqual(self._traces(), before)
        self.assertEqual(self.customer.email, EMAIL)
        self.assertTrue(self.user.active)

    def test_others_cannot_erase_or_export(self):
        before = self._traces()
        for user in (self.salesperson, self.relationship_user, self.other_portal_user, self.public_user):
            with self.subTest(user=user.login), self.assertRaises(AccessError):
                self.customer.with_user(user).action_rel_anonymise()
            with self.subTest(user=user.login), self.assertRaises(AccessError):
                self.env["crm.relationship.privacy.export"].with_user(user)._build(self.customer)
        self.login(self.other_portal_user)
        other = json.loads(zipfile.ZipFile(io.BytesIO(self.post("/my/privacy/export").content)).read("data.json"))
        self.assertNotIn(NAME, json.dumps(other))
        self.login(self.relationship_user)
        with mute_logger("odoo.http"):
            response = self.url_open(f"/relationship/privacy/export/{self.customer.id}")
        self.assertEqual(response.status_code, 404)
        self.assertEqual(self._traces(), before)

    def test_the_relationship_manager_downloads_the_export(self):
        self.login(self.relationship_manager)
        action = self.customer.with_user(self.relationship_manager).action_rel_privacy_export()
        response = self.url_open(action["url"])
        self.assertEqual(response.status_code, 200)
        data = json.loads(zipfile.ZipFile(io.BytesIO(response.content)).read("data.json"))
        self.assertEqual(data["profile"][0]["email"], EMAIL)
