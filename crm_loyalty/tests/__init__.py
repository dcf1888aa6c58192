from . import test_install
from . import test_ledger
from . import test_tiers
from . import test_engagement
from . import test_reward_claim
from . import test_tier_progress
from . import test_referral
from . import test_card_race
