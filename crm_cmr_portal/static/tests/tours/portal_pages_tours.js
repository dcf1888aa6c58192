import { registry } from "@web/core/registry";

/**
 * One tour per self-service page of the portal (the complaint and NPS pages' tours are crm_relationship's).
 * The steps find their way by selectors and the customer's own data, never by our labels, so that each
 * tour runs unchanged in every language; the test checks the labels of each language.
 */
const tours = registry.category("web_tour.tours");

function noWrap(selector) {
    return function () {
        for (const el of document.querySelectorAll(selector)) {
            const lineHeight = parseFloat(getComputedStyle(el).lineHeight) || 24;
            if (el.getBoundingClientRect().height > 2 * lineHeight) {
                throw new Error(`"${el.textContent.trim()}" wraps onto several lines`);
            }
        }
    };
}

tours.add("crm_cmr_portal_home_tour", {
    url: "/my/home",
    steps: () => [
        ...["/my/relationship", "/my/loyalty", "/my/suggestions", "/my/privacy", "/my/complaints"].map((url) => ({
            content: `The card of ${url}, with its icon`,
            trigger: `.o_portal_index_card a[href='${url}'] .o_portal_icon img`,
        })),
        {
            content: "The counters are filled in",
            trigger: ".o_portal_index_card a[href='/my/loyalty'] [data-placeholder_count]:not(:empty)",
        },
        {
            content: "The complaints counter counts the customer's complaint",
            trigger: ".o_portal_index_card a[href='/my/complaints'] [data-placeholder_count]:contains(1)",
        },
        {
            content: "Open the loyalty page from its card",
            trigger: ".o_portal_index_card a[href='/my/loyalty']",
            run: "click",
            expectUnloadPage: true,
        },
        {
            content: "The loyalty page opened",
            trigger: ".o_rel_loyalty .o_rel_points",
        },
    ],
});

tours.add("crm_cmr_portal_profile_tour", {
    url: "/my/relationship",
    steps: () => [
        {
            content: "Prefer the phone",
            trigger: "select#rel_preferred_contact_channel",
            run: "select phone",
        },
        {
            content: "Accept calls on the first day of the week",
            trigger: "input[name='weekday_ids']:first",
            run: "check",
        },
        {
            content: "From 09:30",
            trigger: "input#rel_contact_window_start",
            run() {
                this.anchor.value = "09:30";
            },
        },
        {
            content: "Until 17:00",
            trigger: "input#rel_contact_window_end",
            run() {
                this.anchor.value = "17:00";
            },
        },
        {
            content: "Save the preferences",
            trigger: "button[name='save_preferences']",
            run: "click",
            expectUnloadPage: true,
        },
        {
            content: "The preferences are saved",
            trigger: ".alert-success",
        },
        {
            content: "The contact window is kept",
            trigger: "input#rel_contact_window_start:value(09:30)",
        },
        {
            content: "The customer's need is listed once",
            trigger: ".o_rel_need:contains(Tour: a bigger grinder)",
            run() {
                const needs = [...document.querySelectorAll(".o_rel_need")].filter((el) =>
                    el.textContent.includes("Tour: a bigger grinder")
                );
                if (needs.length !== 1) {
                    throw new Error(`the need is listed ${needs.length} times`);
                }
                noWrap(".o_rel_need .btn").call(this);
            },
        },
        {
            content: "Name a new need",
            trigger: "input#need_name",
            run: "edit Tour: descaling tablets",
        },
        {
            content: "Add it",
            trigger: "button[name='add_need']",
            run: "click",
            expectUnloadPage: true,
        },
        {
            content: "The new need is listed, open",
            trigger: ".o_rel_need:contains(Tour: descaling tablets) .badge",
        },
    ],
});

tours.add("crm_cmr_portal_consents_tour", {
    url: "/my/relationship",
    steps: () => [
        {
            content: "Agree to marketing emails",
            trigger: "input[name='consent_email_marketing']",
            run: "check",
        },
        {
            content: "Save the consents",
            trigger: "button[name='save_consents']",
            run: "click",
            expectUnloadPage: true,
        },
        {
            content: "The consents are saved",
            trigger: ".alert-success",
        },
        {
            content: "The consent is kept",
            trigger: "input[name='consent_email_marketing']:checked",
        },
        {
            content: "Open the history of the consents",
            trigger: "#consents details summary",
            run: "click",
        },
        {
            content: "The history lists the change, from the portal",
            trigger: "#consents details[open] tbody tr",
        },
    ],
});

tours.add("crm_cmr_portal_loyalty_tour", {
    url: "/my/loyalty",
    steps: () => [
        {
            content: "The balance",
            trigger: ".o_rel_loyalty .o_rel_points",
        },
        {
            content: "The tier",
            trigger: ".o_rel_loyalty .o_rel_tier:not(:empty)",
        },
        {
            content: "The way to the next tier",
            trigger: ".o_rel_loyalty .progress .progress-bar",
        },
        {
            content: "The points that expire soon",
            trigger: ".o_rel_expiring tbody tr",
        },
        {
            content: "The history of the points",
            trigger: ".o_rel_ledger tbody tr",
        },
        {
            content: "Claim the reward on the quotation",
            trigger: "button.o_rel_claim",
            run() {
                noWrap("button.o_rel_claim").call(this);
                this.anchor.click();
            },
            expectUnloadPage: true,
        },
        {
            content: "The reward was added",
            trigger: ".alert-success",
        },
        {
            content: "The claim is listed under the quotation",
            trigger: ".o_rel_claimed li",
        },
        {
            content: "The same reward is not offered again on that quotation",
            trigger: ".o_rel_reward:not(:has(button.o_rel_claim))",
        },
    ],
});

tours.add("crm_cmr_portal_referral_tour", {
    url: "/my/loyalty",
    steps: () => [
        {
            content: "The referral link and how many friends joined",
            trigger: ".o_rel_referral .o_rel_referral_url",
        },
        {
            content: "Copy the link",
            trigger: ".o_rel_referral_copy",
            run: "click",
        },
        {
            content: "The link is selected, ready to paste",
            trigger: ".o_rel_referral_url",
            run() {
                if (this.anchor.selectionEnd - this.anchor.selectionStart !== this.anchor.value.length) {
                    throw new Error("the referral link is not selected after Copy");
                }
            },
        },
        {
            content: "Follow the link as a friend would",
            trigger: ".o_rel_referral_url",
            run() {
                // the path only: the link names the server by its public address
                window.location.href = new URL(this.anchor.value).pathname;
            },
            expectUnloadPage: true,
        },
        {
            content: "The landing page invites the friend to tell what they look for",
            trigger: ".o_rel_referral h2",
        },
    ],
});

tours.add("crm_cmr_portal_suggestions_tour", {
    url: "/my/suggestions",
    steps: () => [
        {
            content: "The suggestion we answered, with our answer",
            trigger: ".o_rel_suggestion:contains(Tour: a loyalty app) .border-start",
        },
        {
            content: "Title",
            trigger: "input#suggestion_name",
            run: "edit Tour: sell oat milk",
        },
        {
            content: "A product wish",
            trigger: "select#suggestion_type",
            run: "select product",
        },
        {
            content: "Details",
            trigger: "textarea#suggestion_description",
            run: "edit Oat milk froths well.",
        },
        {
            content: "Send it",
            trigger: ".o_rel_suggestion_form button[type='submit']",
            run: "click",
            expectUnloadPage: true,
        },
        {
            content: "Thanked",
            trigger: ".alert-success",
        },
        {
            content: "The new suggestion is listed with its state",
            trigger: ".o_rel_suggestion:contains(Tour: sell oat milk) .badge",
        },
    ],
});

tours.add("crm_cmr_portal_privacy_tour", {
    url: "/my/privacy",
    steps: () => [
        {
            content: "The download of all my data",
            trigger: "form[action='/my/privacy/export'] button[type='submit']",
        },
        {
            content: "Object to profiling",
            trigger: "#profiling button[type='submit']",
            run: "click",
            expectUnloadPage: true,
        },
        {
            content: "The objection is confirmed",
            trigger: ".alert-success",
        },
        {
            content: "Withdraw it",
            trigger: "#profiling form:has(input[name='objection'][value='no']) button",
            run: "click",
            expectUnloadPage: true,
        },
        {
            content: "Profiling again: the objection can be made anew",
            trigger: "#profiling form:has(input[name='objection'][value='yes']) button",
        },
        {
            content: "Confirm the erasure request",
            trigger: "input#confirm_erase",
            run: "check",
        },
        {
            content: "Request erasure",
            trigger: "form[action='/my/privacy/erase'] button[type='submit']",
            run: "click",
            expectUnloadPage: true,
        },
        {
            content: "The request is acknowledged, with its date",
            trigger: ".o_rel_erasure_requested",
        },
    ],
});
