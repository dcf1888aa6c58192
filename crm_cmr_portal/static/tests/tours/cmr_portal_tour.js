import { registry } from "@web/core/registry";

/** A customer submits a complaint, changes a contact preference and claims a reward. */
registry.category("web_tour.tours").add("crm_cmr_portal_customer_tour", {
    url: "/my/home",
    steps: () => [
        {
            content: "Open the complaints from the portal home",
            trigger: 'a[href="/my/complaints"]',
            run: "click",
            expectUnloadPage: true,
        },
        {
            content: "Start a new complaint",
            trigger: "a.o_cmr_new_complaint",
            run: "click",
            expectUnloadPage: true,
        },
        {
            content: "Subject",
            trigger: "input#subject",
            run: "edit Tour: the lid is cracked",
        },
        {
            content: "Choose the order",
            trigger: "select#sale_order_id",
            run: "selectByIndex 1",
        },
        {
            content: "Describe it",
            trigger: "textarea#description",
            run: "edit It arrived with a crack in the lid.",
        },
        {
            content: "Send it",
            trigger: "button.o_cmr_submit_complaint",
            run: "click",
            expectUnloadPage: true,
        },
        {
            content: "The complaint page shows its stage and promise",
            trigger: ".o_cmr_complaint_stage",
        },
        {
            content: "Go to my relationship",
            trigger: 'a[href="/my/home"]',
            run: "click",
            expectUnloadPage: true,
        },
        {
            content: "Open my relationship",
            trigger: 'a[href="/my/relationship"]',
            run: "click",
            expectUnloadPage: true,
        },
        {
            content: "Prefer the phone",
            trigger: "select#preferred_contact_channel",
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
            trigger: "button.o_cmr_claim",
            run: "click",
            expectUnloadPage: true,
        },
        {
            content: "The reward was added",
            trigger: ".alert-success",
        },
    ],
});
