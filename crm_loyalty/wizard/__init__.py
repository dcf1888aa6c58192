from . import crm_loyalty_goodwill
from . import crm_loyalty_adjustment
from . import loyalty_card_update_balance
