{
    "name": "Relationship Loyalty",
    "summary": "Loyalty tiers, expiring points, exact reversals and rewards for taking part",
    "version": "19.0.1.1.0",
    "category": "Sales/CRM",
    "author": "CMR Project",
    "website": "https://github.com/cmr-project/crm-cmr",
    "license": "LGPL-3",
    "depends": ["crm_relationship", "loyalty", "sale_loyalty"],
    "data": [
        "security/ir.model.access.csv",
        "security/crm_loyalty_security.xml",
        "data/crm_loyalty_data.xml",
        "views/loyalty_program_views.xml",
        "views/loyalty_history_views.xml",
        "views/crm_loyalty_wizard_views.xml",
        "views/crm_lead_views.xml",
        "views/crm_loyalty_menus.xml",
        "views/res_config_settings_views.xml",
    ],
    "demo": ["demo/crm_loyalty_demo.xml"],
    "assets": {
        "web.assets_tests": [
            "crm_loyalty/static/tests/tours/*.js",
        ],
    },
    "pre_init_hook": "pre_init_hook",
    "installable": True,
}
