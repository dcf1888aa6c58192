import { registry } from "@web/core/registry";

/**
 * One tour per portal page of the complaint desk and the NPS survey. The steps find their way by
 * selectors, never by text, so that each tour runs unchanged in every language of the customer.
 */
const tours = registry.category("web_tour.tours");

tours.add("crm_relationship_portal_complaints_tour", {
    url: "/my/complaints",
    steps: () => [
        {
            content: "The list shows the complaint our agent answered",
            trigger: "tr:contains(Tour: the lid is loose) a[href^='/my/complaints/']",
            run: "click",
            expectUnloadPage: true,
        },
        {
            content: "Its page shows the stage, the promise and the handler",
            trigger: ".o_rel_complaint .o_rel_complaint_stage",
        },
        {
            content: "Our agent's answer is in the messages",
            trigger: "#chatterRoot:shadow .o-mail-Message:contains(We are sending a new lid)",
        },
        {
            content: "The customer answers",
            trigger: "#chatterRoot:shadow .o-mail-Composer-input",
            run: "edit Thank you, the new lid fits.",
        },
        {
            content: "Send the answer",
            trigger: "#chatterRoot:shadow .o-mail-Composer-send:enabled",
            run: "click",
        },
        {
            content: "The answer is in the thread",
            trigger: "#chatterRoot:shadow .o-mail-Message:contains(the new lid fits)",
        },
        {
            content: "Back to the list",
            trigger: ".o_portal_submenu a[href='/my/complaints']",
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
            content: "Until an order is chosen, the product list waits, with its hint",
            trigger: "select#product_id:disabled",
        },
        {
            content: "Subject",
            trigger: "input#subject",
            run: "edit Tour: the handle came off",
        },
        {
            content: "What it is about",
            trigger: "select#category_id",
            run: "selectByIndex 1",
        },
        {
            content: "Choose the order",
            trigger: "select#sale_order_id",
            run: "selectByIndex 1",
        },
        {
            content: "The product list offers the order's products",
            trigger: "select#product_id:enabled",
            run: "selectByIndex 1",
        },
        {
            content: "Describe it",
            trigger: "textarea#description",
            run: "edit The handle came off on the second day.",
        },
        {
            content: "Send it",
            trigger: "button.o_rel_submit_complaint",
            run: "click",
            expectUnloadPage: true,
        },
        {
            content: "The new complaint's page confirms it",
            trigger: ".alert-success",
        },
        {
            content: "with its stage",
            trigger: ".o_rel_complaint_stage",
        },
    ],
});

tours.add("crm_relationship_portal_nps_tour", {
    steps: () => [
        {
            content: "The eleven scores fit on one line",
            trigger: ".o_rel_nps .btn-group label[for='score_10']",
            run() {
                const first = document.querySelector("label[for='score_0']").getBoundingClientRect();
                const last = this.anchor.getBoundingClientRect();
                if (Math.abs(first.top - last.top) > 1) {
                    throw new Error("the score buttons wrap onto a second line");
                }
            },
        },
        {
            content: "Choose 9",
            trigger: "label[for='score_9']",
            run: "click",
        },
        {
            content: "Say why",
            trigger: "textarea#nps_comment",
            run: "edit Quick answers to my complaint.",
        },
        {
            content: "Send",
            trigger: ".o_rel_nps button[type='submit']",
            run: "click",
            expectUnloadPage: true,
        },
        {
            content: "The survey thanks the customer and asks nothing more",
            trigger: ".o_rel_nps h2",
            run() {
                if (document.querySelector(".o_rel_nps form")) {
                    throw new Error("the answered survey still shows its form");
                }
            },
        },
    ],
});
