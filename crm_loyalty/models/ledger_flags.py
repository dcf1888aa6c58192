"""Context values the ledger passes to its own overrides inside one flow.

Only these objects are honoured, compared by identity or type: a context sent over RPC carries JSON values
(lists, strings, numbers), never one of these, so a caller cannot send them to weaken a guard.
"""


class LedgerSkipCards(frozenset):
    """``rel_skip_cards``: ledger cards whose standard sale_loyalty history lines the ledger records
    itself (sale.order._add_loyalty_history_lines)."""


class _LedgerFlag:
    def __init__(self, name):
        self.name = name

    def __repr__(self):
        return f"<crm_loyalty {self.name}>"


# ``rel_resync``: around sale_loyalty's own writes of a card's points on a confirmed order's reward
# lines, which the ledger records as movements and resyncs right after (sale.order.line).
LEDGER_RESYNC = _LedgerFlag("resync")
# ``rel_cancelling``: around sale_loyalty's cancellation of orders, whose coupon point entries of
# ledger cards the ledger removes once it has reversed their movements (sale.order._action_cancel).
LEDGER_CANCEL = _LedgerFlag("cancelling")
