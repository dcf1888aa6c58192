from . import test_install
from . import test_ledger
from . import test_tiers
from . import test_engagement
