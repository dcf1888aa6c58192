"""Descriptions the ledger writes itself (balances carried over, expiry, the demo movements).

``loyalty.history.description`` is translatable: these terms are stored in every language of the
database, when written and when a language is loaded later, so each reader sees them in theirs.
"""

from odoo.tools.translate import LazyTranslate

_lt = LazyTranslate("crm_loyalty")

BALANCE_BEFORE_LEDGER = _lt("Balance before the ledger")
OPENING_BALANCE = _lt("Opening balance")
POINTS_EXPIRED = _lt("Points expired")
LEDGER_TERMS = (
    BALANCE_BEFORE_LEDGER,
    OPENING_BALANCE,
    POINTS_EXPIRED,
    _lt("Purchase in the showroom"),
    _lt("Online order"),
    _lt("Office furniture order"),
    _lt("Reward used in the showroom"),
    _lt("Free product reward"),
    _lt("Discount reward"),
    _lt("Sorry for the late delivery"),
    _lt("Sorry for the damaged parcel"),
    _lt("Thank you for answering our survey"),
    _lt("Suggestion accepted"),
)


def term_translations(env, term, langs=None):
    """``{lang: text}`` of the lazy ``term`` in ``langs`` (default: the database's languages)."""
    langs = langs or [code for code, _name in env["res.lang"].get_installed()]
    return {lang: term._translate(lang) for lang in langs}
