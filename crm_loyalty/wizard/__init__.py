from . import crm_loyalty_goodwill
from . import crm_loyalty_adjustment
