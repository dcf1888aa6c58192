from odoo import models


class IrModuleModule(models.Model):
    _inherit = "ir.module.module"

    def _load_module_terms(self, modules, langs, overwrite=False):
        """A language loaded after the ledger was written reaches the descriptions the ledger wrote itself
        (opening balances, expiry, the demo movements), as Odoo's chart of accounts does for its records."""
        result = super()._load_module_terms(modules, langs, overwrite=overwrite)
        if "crm_loyalty" in modules:
            self.env["loyalty.history"]._rel_translate_descriptions(langs)
        return result
