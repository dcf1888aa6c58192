from . import res_partner
from . import ir_http
