"""The cohort report on a small hand-made history: shares still buying, churn rate per month, revenue."""

from datetime import date, datetime, time

from dateutil.relativedelta import relativedelta

from odoo import Command
from odoo.exceptions import AccessError
from odoo.tests import TransactionCase, tagged

from .common_roles import RolesMixin

REPORT = "crm.relationship.cohort.report"


@tagged("post_install", "-at_install")
class TestCohortReport(RolesMixin, TransactionCase):
    """Months are counted back from the current one (M0), which the report runs up to.

    - Ann: M-3 100, M-2 50, M0 20.             Cohort M-3, buys in months 0, 1 and 3.
    - Ben: M-3 80 and 5 (one month), M-1 10.   Cohort M-3, buys in months 0 and 2.
    - Cai: M-2 30, M-1 40.                     Cohort M-2, buys in months 0 and 1.
    - Dee: M-3 0 (free), M-2 60, M-1 -100.     Cohort M-2: a free order and a refund larger than the
                                               order are no purchase. Buys in month 0 only.
    - Eve: M-2 -20 only.                       No cohort.
    - Fei: M-1 200 in a currency worth half.   Cohort M-1, 100 in company currency.
    """

    @classmethod
    def setUpClass(cls):
        super().setUpClass()
        cls.setup_roles()
        # A company of its own, so that no other order falls into these cohorts.
        cls.company = cls.env["res.company"].create({"name": "Cohort Tea Company"})
        cls.relationship_user.company_ids |= cls.company
        cls.product = cls.env["product.product"].create({"name": "Tea", "taxes_id": []})
        other = cls.env["res.currency"].search(
            [("id", "!=", cls.env.company.currency_id.id), ("active", "in", [True, False])], limit=1
        )
        other.active = True
        (other | cls.env.company.currency_id).rate_ids.unlink()
        cls.env["res.currency.rate"].create(
            {"currency_id": other.id, "name": date(2010, 1, 1), "rate": 2.0, "company_id": cls.company.id}
        )
        cls.other_currency = other
        foreign = cls.env["product.pricelist"].create(
            {"name": "Foreign", "currency_id": other.id, "company_id": cls.company.id}
        )
        cls.m0 = date.today().replace(day=1)
        names = ["Ann", "Ben", "Cai", "Dee", "Eve", "Fei"]
        cls.ann, cls.ben, cls.cai, cls.dee, cls.eve, cls.fei = cls.customers = cls.env["res.partner"].create(
            [{"name": f"Cohort {name}"} for name in names]
        )
        history = [
            (cls.ann, 3, 100.0),
            (cls.ann, 2, 50.0),
            (cls.ann, 0, 20.0),
            (cls.ben, 3, 80.0),
            (cls.ben, 3, 5.0),
            (cls.ben, 1, 10.0),
            (cls.cai, 2, 30.0),
            (cls.cai, 1, 40.0),
            (cls.dee, 3, 0.0),
            (cls.dee, 2, 60.0),
            (cls.dee, 1, -100.0),
            (cls.eve, 2, -20.0),
        ]
        for partner, months_ago, price in history:
            cls._order(partner, months_ago, price)
        cls._order(cls.fei, 1, 200.0, pricelist_id=foreign.id)
        # Not confirmed: no purchase.
        cls.env["sale.order"].with_company(cls.company).create(
            {"partner_id": cls.fei.id, "order_line": [Command.create({"product_id": cls.product.id, "price_unit": 9})]}
        )

    @classmethod
    def _order(cls, partner, months_ago, price, **values):
        order = (
            cls.env["sale.order"]
            .with_company(cls.company)
            .create(
                {
                    "partner_id": partner.id,
                    "company_id": cls.company.id,
                    "order_line": [Command.create({"product_id": cls.product.id, "price_unit": price})],
                    **values,
                }
            )
        )
        order.action_confirm()
        order.date_order = datetime.combine(cls.m0 - relativedelta(months=months_ago), time(10))
        return order

    def _month(self, months_ago):
        return self.m0 - relativedelta(months=months_ago)

    def _grouped(self, user, groupby, aggregates, domain=()):
        self.env.flush_all()
        Report = self.env[REPORT].with_user(user)
        rows = Report.formatted_read_group(
            [("company_id", "=", self.company.id), *domain], groupby=groupby, aggregates=aggregates
        )
        return {row[groupby[0]]: tuple(row[agg] for agg in aggregates) for row in rows}

    def test_cohort_shares_by_hand(self):
        user = self.relationship_user
        cohorts = {
            3: {0: (100.0, 2), 1: (50.0, 2), 2: (50.0, 2), 3: (50.0, 2)},
            2: {0: (100.0, 2), 1: (50.0, 2), 2: (0.0, 2)},
            1: {0: (100.0, 1), 1: (0.0, 1)},
        }
        for months_ago, shares in cohorts.items():
            with self.subTest(cohort=f"M-{months_ago}"):
                got = self._grouped(
                    user,
                    ["month_index"],
                    ["retained:avg", "cohort_size:max"],
                    [("cohort_month", "=", self._month(months_ago))],
                )
                self.assertEqual({k: (round(v, 2), n) for k, (v, n) in got.items()}, shares)
        # Over all cohorts, the share still buying k months after the first purchase, weighted by the
        # cohorts' customers (one month after: 40%, where the mean of the three cohorts' shares is 33%).
        overall = self._grouped(user, ["month_index"], ["retained:avg", "cohort_size:sum"])
        self.assertEqual(
            {k: (round(v, 2), n) for k, (v, n) in overall.items()},
            {0: (100.0, 5), 1: (40.0, 5), 2: (25.0, 4), 3: (50.0, 2)},
        )
        # Eve, who only returned goods, belongs to no cohort: five customers in all.
        first_months = self._grouped(user, ["month_index"], ["buyer_count:sum"], [("month_index", "=", 0)])
        self.assertEqual(first_months, {0: (5,)})

    def test_churn_rate_and_revenue_by_month(self):
        """M-2: of Ann and Ben (bought in M-3), Ben stopped: 50%. M-1: of Ann, Cai and Dee, Ann and Dee
        stopped: 66.7%. M0: Ben, Cai and Fei all stopped (the month is not over)."""
        rows = self._grouped(self.relationship_user, ["month:month"], ["churned:avg", "buyer_count:sum", "amount:sum"])
        by_month = {}
        for key, values in rows.items():
            start = datetime.strptime(key[0], "%Y-%m-%d").date()
            by_month[start] = values
        churn = {months: by_month[self._month(months)][0] for months in (3, 2, 1, 0)}
        self.assertFalse(churn[3])
        self.assertAlmostEqual(churn[2], 50.0)
        self.assertAlmostEqual(churn[1], 200.0 / 3)
        self.assertAlmostEqual(churn[0], 100.0)
        buyers = {months: by_month[self._month(months)][1] for months in (3, 2, 1, 0)}
        self.assertEqual(buyers, {3: 2, 2: 3, 1: 3, 0: 1})
        # Revenue in company currency, refunds deducted: Ann 100 + Ben 85; Ann 50, Cai 30, Dee 60;
        # Ben 10, Cai 40, Dee -100, Fei 200 / 2.
        revenue = {months: by_month[self._month(months)][2] for months in (3, 2, 1, 0)}
        self.assertEqual(revenue, {3: 185.0, 2: 140.0, 1: 50.0, 0: 20.0})
        # Without the current month, whose buying is not complete.
        closed = self._grouped(self.relationship_user, ["month:month"], ["churned:avg"], [("month_closed", "=", True)])
        self.assertEqual(len(closed), 3)

    def test_salesperson_cannot_read_the_cohorts(self):
        self.env.flush_all()
        for method in ("search_read", "formatted_read_group"):
            with self.subTest(method=method), self.assertRaises(AccessError):
                Report = self.env[REPORT].with_user(self.salesperson)
                if method == "search_read":
                    Report.search_read([], ["retained"])
                else:
                    Report.formatted_read_group([], groupby=["month_index"], aggregates=["retained:avg"])
        # Nothing changed: the report still holds a row per cohort and month (M-3: 4, M-2: 3, M-1: 2).
        self.assertEqual(self.env[REPORT].search_count([("company_id", "=", self.company.id)]), 4 + 3 + 2)

    def test_other_company_cohorts_stay_apart(self):
        """A Relationship User of the main company alone sees none of this company's cohorts, and this
        company's cohorts hold none of the main company's orders."""
        self.env["sale.order"].create(
            {
                "partner_id": self.eve.id,
                "order_line": [Command.create({"product_id": self.product.id, "price_unit": 70})],
            }
        ).action_confirm()
        self.env.flush_all()
        outsider = self.relationship_manager
        self.assertNotIn(self.company, outsider.company_ids)
        self.assertFalse(self.env[REPORT].with_user(outsider).search([("company_id", "=", self.company.id)]))
        first_months = self._grouped(
            self.relationship_user, ["month_index"], ["buyer_count:sum"], [("month_index", "=", 0)]
        )
        self.assertEqual(first_months, {0: (5,)})

    def test_relationship_user_opens_the_reports(self):
        for xmlid in (
            "crm_relationship.crm_relationship_cohort_report_action",
            "crm_relationship.crm_relationship_cohort_report_action_churn",
        ):
            action = self.env["ir.actions.act_window"].with_user(self.relationship_user)._for_xml_id(xmlid)
            self.assertEqual(action["res_model"], REPORT)
            Report = self.env[REPORT].with_user(self.relationship_user)
            for view_type in ("pivot", "graph"):
                with self.subTest(action=xmlid, view=view_type):
                    views = Report.get_views([(False, view_type), (False, "search")])
                    self.assertIn(view_type, views["views"])
        menus = self.env["ir.ui.menu"].with_user(self.relationship_user)._visible_menu_ids()
        self.assertIn(self.env.ref("crm_relationship.menu_relationship_cohort_report").id, menus)
        self.assertNotIn(
            self.env.ref("crm_relationship.menu_relationship_cohort_report").id,
            self.env["ir.ui.menu"].with_user(self.salesperson)._visible_menu_ids(),
        )
