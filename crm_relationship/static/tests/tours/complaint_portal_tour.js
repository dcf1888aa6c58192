import { registry } from "@web/core/registry";

/** A customer submits a complaint about one of their orders from the portal home. */
registry.category("web_tour.tours").add("crm_relationship_complaint_tour", {
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
            trigger: "a.o_rel_new_complaint",
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
            trigger: "button.o_rel_submit_complaint",
            run: "click",
            expectUnloadPage: true,
        },
        {
            content: "The complaint page shows its stage and promise",
            trigger: ".o_rel_complaint_stage",
        },
    ],
});
