from datetime import date

from lxml import etree

from odoo.exceptions import AccessError
from odoo.tests import TransactionCase, tagged
from odoo.tools import format_amount, formatLang

from .common_figures import write_figures
from .common_roles import RolesMixin

EXPLANATIONS = [
    "rel_segment_explanation",
    "rel_stage_explanation",
    "rel_quadrant_explanation",
    "rel_health_explanation",
    "rel_value_explanation",
    "rel_alive_explanation",
    "rel_rank_move_reason",
]
CUTOFFS = {
    "r": [[300, 400], [200, 299], [100, 199], [10, 99], [0, 9]],
    "f": [[1, 1], [2, 2], [3, 3], [4, 5], [6, 9]],
    "m": [[10, 99], [100, 499], [500, 1500], [1501, 3000], [3001, 9000]],
}


@tagged("post_install", "-at_install")
class TestExplanations(RolesMixin, TransactionCase):
    """Each figure of the customer form says why, from the inputs the run stored: one sentence per figure,
    checked word for word on hand-made inputs."""

    @classmethod
    def setUpClass(cls):
        super().setUpClass()
        cls.setup_roles()
        company = cls.env.company
        # A finished run as the analysis leaves it, and a customer's figures as it writes them (superuser:
        # the fixture only).
        cls.analysis = cls.env["crm.relationship.analysis"].create({"date_as_of": date(2026, 6, 30)})
        cls.analysis.write(
            {
                "state": "done",
                "customer_count": 120,
                "model_status": "fitted",
                "rfm_cutoffs": CUTOFFS,
                "attitude_from": 0.6,
                "patronage_from": 4.0,
                "health_weight_value": 30.0,
                "health_weight_retention": 30.0,
                "health_weight_satisfaction": 25.0,
                "health_weight_complaints": 15.0,
                "value_horizon_months": 36,
                "value_discount_rate": 10.0,
                "value_margin": 30.0,
            }
        )
        cls.customer = cls.env["res.partner"].create({"name": "Explained Erin"})
        cls.figures = {
            "rel_company_id": company.id,
            "rel_rfm_segment": "loyal",
            "rel_rfm_r_score": 4,
            "rel_rfm_f_score": 5,
            "rel_rfm_m_score": 3,
            "rel_rfm_recency": 20,
            "rel_rfm_frequency": 6,
            "rel_rfm_monetary": 1234.5,
            "rel_age_days": 400,
            "rel_usual_gap_days": 76.0,
            "rel_longest_gap_days": 120,
            "rel_lifecycle_stage": "active",
            "rel_loyalty_quadrant": "true",
            "rel_attitude": 0.72,
            "rel_clv_probability_alive": 0.8,
            "rel_health": 71.0,
            "rel_health_value_points": 25.5,
            "rel_health_retention_points": 24.0,
            "rel_health_satisfaction_points": 18.0,
            "rel_health_complaint_points": 3.5,
            "rel_value_rank": 0.85,
            "rel_lifetime_value": 456.6,
            "rel_clv_value": 300.0,
            "rel_clv_expected_purchases": 1.5,
            "rel_clv_spend": 200.0,
            "rel_clv_discounted_purchases": 7.61,
            "rel_figures_rough": False,
            "rel_previous_value_rank": 0.5,
            "rel_previous_lifetime_value": 200.0,
            "rel_previous_rfm_frequency": 4,
            "rel_previous_probability_alive": 0.6,
            "rel_value_rank_change": 0.35,
        }
        write_figures(cls.customer, cls.figures)
        cls.currency = company.currency_id

    def money(self, amount):
        return format_amount(self.env, amount, self.currency)

    def rough(self, amount):
        """Two significant digits, no cents: "$ 460"."""
        return formatLang(self.env, amount, currency_obj=self.currency, rounding_unit="units")

    def _read(self, user=None, lang="en_US", **figures):
        if figures:
            write_figures(self.customer, figures)
        partner = self.customer.with_user(user or self.relationship_user).with_context(lang=lang)
        partner.invalidate_recordset()
        return partner

    def test_segment_sentence(self):
        self.assertEqual(
            self._read().rel_segment_explanation,
            "Loyal. R 4: last purchase 20 days ago (R 4 covers 10–99 days). F 5: purchase occasions 6 (F 5 covers "
            f"6–9). M 3: spent {self.money(1234.5)} (M 3 covers {self.money(500)}–{self.money(1500)}). The segment "
            "follows from R and the rounded mean of F and M.",
        )

    def test_segment_sentence_names_a_single_value_once(self):
        self.analysis.rfm_cutoffs = dict(CUTOFFS, f=[[1, 1], [2, 2], [3, 3], [4, 5], [6, 6]])
        self.assertIn("F 5: purchase occasions 6 (F 5 covers 6).", self._read().rel_segment_explanation)

    def test_stage_sentences(self):
        cases = [
            ({}, "Active: bought 20 days ago, within 180 days, and 80% likely still to buy (50% or more)."),
            (
                {"rel_lifecycle_stage": "new", "rel_age_days": 30},
                "New: the first purchase was 30 days ago, within 90 days.",
            ),
            (
                {"rel_lifecycle_stage": "won_back", "rel_longest_gap_days": 400},
                "Won back: bought 20 days ago after a gap of 400 days between two purchases, more than a year.",
            ),
            (
                {"rel_lifecycle_stage": "lapsed", "rel_rfm_recency": 500},
                "Lapsed: no purchase for 500 days, more than a year.",
            ),
            (
                {"rel_lifecycle_stage": "lapsed", "rel_clv_probability_alive": 0.1},
                "Lapsed: only 10% likely still to buy, under 20%, although the last purchase was 20 days ago.",
            ),
            (
                {"rel_lifecycle_stage": "at_risk", "rel_rfm_recency": 200},
                "At risk: no purchase for 200 days, more than the 180 days of an active customer but not yet a year.",
            ),
            (
                {"rel_lifecycle_stage": "at_risk", "rel_clv_probability_alive": 0.3},
                "At risk: bought 20 days ago, but only 30% likely still to buy; an active customer is 50% likely or "
                "more.",
            ),
        ]
        for figures, sentence in cases:
            with self.subTest(figures=figures):
                write_figures(self.customer, self.figures)
                self.assertEqual(self._read(**figures).rel_stage_explanation, sentence)

    def test_quadrant_sentence_shows_both_cut_offs(self):
        self.assertEqual(
            self._read().rel_quadrant_explanation,
            "True Loyalty: attitude 0.72, high from 0.60 (the latest NPS answer and the complaint ratings, less for "
            "open complaints); purchase occasions 6, high patronage from 4 with 80% likely still to buy, from 50%.",
        )

    def test_health_sentence_gives_each_part_and_weight(self):
        self.assertEqual(
            self._read().rel_health_explanation,
            "Health 71 of 100: value 25.5 of 30 (value rank 85%), retention 24.0 of 30 (80% likely still to buy), "
            "satisfaction 18.0 of 25 (attitude 0.72) and complaints 3.5 of 15 (all lost with two open complaints "
            "or ten in all).",
        )

    def test_value_sentence(self):
        self.assertEqual(
            self._read().rel_value_explanation,
            f"Lifetime value {self.money(456.6)}: 7.6 discounted purchases expected over 36 months, times "
            f"{self.money(200)} expected per purchase, times the 30% gross margin, discounted at 10% a year. "
            f"Next 12 months: 1.5 purchases, {self.money(300)} of revenue.",
        )
        self.assertEqual(
            self._read(rel_figures_rough=True).rel_value_explanation,
            f"Lifetime value about {self.rough(460)}, a rough estimate: about 7.6 discounted purchases over 36 "
            f"months at {self.rough(200)}, this customer's own mean spend per purchase, times the 30% gross margin, "
            f"discounted at 10% a year. Next 12 months: about 1.5 purchases, {self.rough(300)} of revenue.",
        )

    def test_alive_sentences(self):
        self.assertEqual(
            self._read().rel_alive_explanation,
            "80% likely still to buy: the last purchase was 20 days ago and this customer usually buys every 76 "
            "days (6 purchase occasions).",
        )
        self.assertEqual(
            self._read(rel_figures_rough=True, rel_clv_probability_alive=0.62).rel_alive_explanation,
            "About 60% likely still to buy, a rough estimate: the last purchase was 20 days ago and this customer "
            "usually buys every 76 days (6 purchase occasions).",
        )
        once = {"rel_rfm_frequency": 1, "rel_usual_gap_days": 0.0, "rel_clv_probability_alive": 1.0}
        self.assertEqual(
            self._read(rel_figures_rough=False, **once).rel_alive_explanation,
            "100% likely still to buy: one purchase only, 20 days ago; without a second purchase the model has no "
            "sign yet that this customer stopped.",
        )
        self.assertEqual(
            self._read(rel_figures_rough=True, rel_clv_probability_alive=0.58).rel_alive_explanation,
            "About 60% likely still to buy, a rough estimate: one purchase only, 20 days ago, so the usual rhythm "
            "of the whole customer base stands in for this customer's.",
        )

    def test_rank_move_reasons(self):
        self.assertEqual(
            self._read().rel_rank_move_reason,
            "Value rank up from 50% to 85%: new purchase occasions 2, likelihood still to buy 60% → 80%, lifetime "
            f"value {self.money(200)} → {self.money(456.6)}.",
        )
        falling = {"rel_previous_value_rank": 0.95, "rel_value_rank_change": -0.1, "rel_previous_rfm_frequency": 6}
        self.assertEqual(
            self._read(**falling).rel_rank_move_reason,
            "Value rank down from 95% to 85%: no new purchase, the last one 20 days ago; likelihood still to buy "
            f"60% → 80%, lifetime value {self.money(200)} → {self.money(456.6)}.",
        )
        self.assertEqual(
            self._read(rel_previous_rfm_frequency=5).rel_rank_move_reason,
            "Value rank down from 95% to 85% despite new purchase occasions 1: others grew more; likelihood still "
            f"to buy 60% → 80%, lifetime value {self.money(200)} → {self.money(456.6)}.",
        )
        self.assertFalse(self._read(rel_value_rank_change=0.0).rel_rank_move_reason)
        # Rough estimates move in rough steps.
        rough = {"rel_value_rank_change": 0.35, "rel_previous_rfm_frequency": 4, "rel_figures_rough": True}
        self.assertEqual(
            self._read(rel_previous_value_rank=0.5, rel_clv_probability_alive=0.62, **rough).rel_rank_move_reason,
            "Value rank up from 50% to 85%: new purchase occasions 2, likelihood still to buy 60% → 60%, lifetime "
            f"value {self.rough(200)} → {self.rough(460)}.",
        )

    def test_sentences_in_the_readers_language(self):
        self.env["res.lang"]._activate_lang("zh_CN")
        chinese = self._read(lang="zh_CN")
        english = self._read()
        for name in EXPLANATIONS:
            with self.subTest(field=name):
                self.assertTrue(chinese[name])
                self.assertNotEqual(chinese[name], english[name])
        self.assertIn("76", chinese.rel_alive_explanation)
        self.assertNotIn("likely", chinese.rel_alive_explanation)

    def test_no_sentence_without_figures(self):
        other = self.env["res.partner"].create({"name": "Unanalysed Ulla"}).with_user(self.relationship_user)
        self.assertEqual([other[name] for name in EXPLANATIONS], [False] * len(EXPLANATIONS))

    def test_who_reads_the_explanations(self):
        sentence = self._read().rel_alive_explanation
        # A salesperson reads the figures and so their explanations, as the access rules on them allow.
        self.assertEqual(self._read(user=self.salesperson).rel_alive_explanation, sentence)
        for user in (self.portal_user, self.public_user):
            with self.subTest(user=user.login), self.assertRaises(AccessError):
                self.customer.with_user(user).read(["rel_alive_explanation"])

    def test_form_shows_the_sentences_and_hides_rough_numbers(self):
        view = self.env["res.partner"].with_user(self.relationship_user).get_views([(False, "form")])
        page = etree.fromstring(view["views"]["form"]["arch"]).xpath("//page[@name='relationship_profile']")[0]
        for name in EXPLANATIONS:
            self.assertTrue(page.xpath(f".//field[@name='{name}']"), name)
        for name in ("rel_lifetime_value", "rel_clv_value", "rel_clv_probability_alive", "rel_clv_expected_purchases"):
            self.assertEqual(page.xpath(f".//field[@name='{name}']")[0].get("invisible"), "rel_figures_rough")
