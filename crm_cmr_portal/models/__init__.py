from . import ir_http, res_partner
