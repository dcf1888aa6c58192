{
    "name": "Customer-Managed Relationship Portal",
    "summary": "Customers see, correct and steer their own relationship from the portal",
    "version": "19.0.1.0.0",
    "category": "Website/Portal",
    "author": "CMR Project",
    "website": "https://github.com/cmr-project/crm-cmr",
    "license": "LGPL-3",
    "depends": ["crm_relationship", "crm_loyalty", "portal", "auth_signup"],
    "data": [
        "security/ir.model.access.csv",
    ],
    "demo": [],
    "installable": True,
}
