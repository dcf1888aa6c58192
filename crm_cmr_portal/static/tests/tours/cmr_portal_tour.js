import { registry } from "@web/core/registry";

/** A customer changes a contact preference and claims a reward (the complaint tour is crm_relationship's). */
registry.category("web_tour.tours").add("crm_cmr_portal_customer_tour", {
    url: "/my/home",
    steps: () => [
        {
            content: "Open my relationship",
            trigger: 'a[href="/my/relationship"]',
            run: "click",
            expectUnloadPage: true,
        },
        {
            content: "Prefer the phone",
            trigger: "select#rel_preferred_contact_channel",
            run: "select phone",
        },
        {
            content: "Save the preferences",
            trigger: 'button[name="save_preferences"]',
            run: "click",
            expectUnloadPage: true,
        },
        {
            content: "The preferences are saved",
            trigger: ".alert-success",
        },
        {
            content: "Back home",
            trigger: 'a[href="/my/home"]',
            run: "click",
            expectUnloadPage: true,
        },
        {
            content: "Open loyalty",
            trigger: 'a[href="/my/loyalty"]',
            run: "click",
            expectUnloadPage: true,
        },
        {
            content: "Claim the first reward",
            trigger: "button.o_rel_claim",
            run: "click",
            expectUnloadPage: true,
        },
        {
            content: "The reward was added",
            trigger: ".alert-success",
        },
    ],
});
