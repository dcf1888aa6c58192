import { registry } from "@web/core/registry";

/** A salesperson confirms a quotation that takes the customer up a loyalty tier. */
registry.category("web_tour.tours").add("crm_loyalty_salesperson_confirm_tour", {
    steps: () => [
        {
            content: "The quotation is open",
            trigger: ".o_form_view .o_statusbar_status button.o_arrow_button_current:contains(Quotation)",
        },
        {
            content: "Confirm it",
            trigger: ".o_form_view .o_statusbar_buttons button[name=action_confirm]",
            run: "click",
        },
        {
            content: "It is a sales order now",
            trigger: ".o_form_view .o_statusbar_status button.o_arrow_button_current:contains(Sales Order)",
        },
        {
            content: "No error dialog",
            trigger: "body:not(:has(.o_error_dialog))",
        },
    ],
});
