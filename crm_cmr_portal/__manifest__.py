{
    "name": "Customer-Managed Relationship Portal",
    "summary": "Customers see, correct and steer their own relationship from the portal",
    "version": "19.0.1.1.0",
    "category": "Website/Portal",
    "author": "CMR Project",
    "website": "https://github.com/cmr-project/crm-cmr",
    "license": "LGPL-3",
    "depends": ["crm_relationship", "crm_loyalty", "portal", "auth_signup"],
    "data": [
        "security/ir.model.access.csv",
        "data/mail_activity_type_data.xml",
        "views/portal_templates.xml",
        "views/crm_relationship_suggestion_portal_templates.xml",
        "views/loyalty_portal_templates.xml",
        "views/referral_templates.xml",
        "views/res_partner_views.xml",
        "views/res_config_settings_views.xml",
    ],
    "assets": {
        "web.assets_frontend": [
            "crm_cmr_portal/static/src/interactions/*.js",
        ],
        "web.assets_tests": [
            "crm_cmr_portal/static/tests/tours/*.js",
        ],
    },
    "demo": [],
    "installable": True,
}
