from . import crm_relationship_segment_action
from . import base_partner_merge_automatic_wizard
