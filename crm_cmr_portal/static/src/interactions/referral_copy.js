import { Interaction } from "@web/public/interaction";
import { registry } from "@web/core/registry";
import { browser } from "@web/core/browser/browser";

/** The Copy button beside the referral link of the loyalty page. */
export class CmrReferralCopy extends Interaction {
    static selector = ".o_rel_referral";
    dynamicContent = {
        ".o_rel_referral_copy": { "t-on-click": this.copy },
        ".o_rel_copy_label": { "t-att-class": () => ({ "d-none": this.copied }) },
        ".o_rel_copied_label": { "t-att-class": () => ({ "d-none": !this.copied }) },
    };

    setup() {
        this.copied = false;
    }

    async copy() {
        const input = this.el.querySelector(".o_rel_referral_url");
        // selected, the link can still be copied by hand where the browser denies the clipboard
        input.select();
        try {
            await this.waitFor(browser.navigator.clipboard.writeText(input.value));
        } catch {
            return;
        }
        this.copied = true;
        this.waitForTimeout(() => {
            this.copied = false;
        }, 3000);
    }
}

registry.category("public.interactions").add("crm_cmr_portal.referral_copy", CmrReferralCopy);
