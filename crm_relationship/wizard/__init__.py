from . import crm_relationship_segment_action
