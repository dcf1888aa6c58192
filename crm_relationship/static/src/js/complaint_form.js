import { Interaction } from "@web/public/interaction";
import { registry } from "@web/core/registry";

/** On the complaint form, offer only the products of the chosen order. */
export class CmrComplaintForm extends Interaction {
    static selector = ".o_rel_complaint_form";
    dynamicContent = {
        "#sale_order_id": { "t-on-change": this.filterProducts },
    };

    start() {
        this.filterProducts();
    }

    filterProducts() {
        const orderId = this.el.querySelector("#sale_order_id").value;
        const productSelect = this.el.querySelector("#product_id");
        for (const option of productSelect.querySelectorAll("option[data-order_id]")) {
            option.hidden = !orderId || option.dataset.order_id !== orderId;
        }
        const selected = productSelect.selectedOptions[0];
        if (selected && selected.hidden) {
            productSelect.value = "";
        }
        productSelect.disabled = !orderId;
        this.el.querySelector("#product_id_help")?.classList.toggle("d-none", !!orderId);
    }
}

registry.category("public.interactions").add("crm_relationship.complaint_form", CmrComplaintForm);
