import {session} from "@web/session";
import {user} from "@web/core/user";

/**
 * Helpers shared by the tours, so that one tour definition runs in English and
 * in Simplified Chinese: selectors use classes, field names and xml ids; the
 * texts a tour checks come from a small table keyed by the tour's language.
 */

/** The language of the page the tour runs in: "zh_CN" or "en_US". */
export function tourLang() {
    // the web client knows its user's language, the portal its page's
    const lang = user.lang || session.bundle_params?.lang || "en_US";
    return lang.replace("-", "_").startsWith("zh") ? "zh_CN" : "en_US";
}

/** The entry of ``labels`` ({en_US: …, zh_CN: …}) in the tour's language. */
export function inLang(labels) {
    return labels[tourLang()];
}

// a Latin word: letters, then letters, digits, dashes or dots (HT00001, T-WB, v2.1)
const LATIN_WORD = /[A-Za-z][A-Za-z0-9._-]*/g;
const EMAIL_OR_URL = /\S+@\S+|\b(https?:\/\/|www\.)\S+/g;
// codes are written in capitals and digits (SLA, IT, ID, HT00001, T-WB, PDF)
const CODE = /^[A-Z0-9._-]+$/;
// what is never read as UI text: code, icons, and the record data the user typed
const SKIPPED =
    "script, style, .fa, .oi, .o_field_html, .o-mail-Message-body, " +
    ".o_rs_no_english_skip, [contenteditable=true], .o_debug_manager";

function isVisible(element) {
    return element.checkVisibility
        ? element.checkVisibility({visibilityProperty: true})
        : element.offsetParent !== null;
}

/**
 * The Latin words of the visible texts (text nodes, placeholders, titles of
 * buttons) under the elements of ``selector`` that are neither codes nor in
 * ``allowed`` (proper names and record data of the test).
 */
export function findEnglish(selector, allowed = []) {
    const allow = new Set(allowed);
    const found = new Set();
    const check = (text, where) => {
        // e-mail addresses and links are data, not words of the UI
        const words = text.replace(EMAIL_OR_URL, " ").match(LATIN_WORD) || [];
        for (const word of words) {
            const bare = word.replace(/[._-]+$/, "");
            if (bare && !CODE.test(bare) && !allow.has(bare)) {
                found.add(`${bare} (in "${text.trim().slice(0, 60)}" ${where})`);
            }
        }
    };
    // the portal's chatter lives in a shadow root: read those too
    const shadows = [...document.querySelectorAll("*")]
        .map((element) => element.shadowRoot)
        .filter(Boolean);
    for (const root of [...document.querySelectorAll(selector), ...shadows]) {
        const walker = document.createTreeWalker(root, NodeFilter.SHOW_TEXT);
        for (let node = walker.nextNode(); node; node = walker.nextNode()) {
            const parent = node.parentElement;
            if (
                !node.nodeValue.trim() ||
                !parent ||
                parent.closest(SKIPPED) ||
                !isVisible(parent)
            ) {
                continue;
            }
            check(node.nodeValue, parent.className || parent.tagName);
        }
        for (const element of root.querySelectorAll("[placeholder], button[title]")) {
            if (!element.closest(SKIPPED) && isVisible(element)) {
                check(
                    element.getAttribute("placeholder") || element.title,
                    "attribute"
                );
            }
        }
    }
    return [...found];
}

/**
 * A tour step that fails when the visible texts under ``selector`` hold an
 * English word outside ``allowed``. ``trigger`` waits for the screen to be
 * ready before the texts are read.
 */
export function noEnglishStep(trigger, allowed = [], selector = null) {
    const where =
        selector ||
        ".o_main_navbar, .o_action_manager, .modal, .o-dropdown--menu, .o_popover, " +
            "#wrap, header, footer";
    return {
        content: `No English left on the screen (${trigger})`,
        trigger,
        run() {
            const english = findEnglish(where, allowed);
            if (english.length) {
                throw new Error(
                    `English left on the screen (${trigger}):\n${english.join("\n")}`
                );
            }
        },
    };
}

/**
 * A tour step that opens each page of the form's notebook in turn and fails
 * when one of them shows an English word outside ``allowed``.
 */
export function noEnglishInTabsStep(allowed = []) {
    return {
        content: "No English left on any page of the notebook",
        trigger: ".o_form_view .o_notebook_headers .nav-link",
        async run() {
            const english = [];
            const tabs = document.querySelectorAll(".o_form_view .o_notebook_headers .nav-link");
            for (const tab of tabs) {
                tab.click();
                await new Promise((resolve) => setTimeout(resolve, 300));
                for (const word of findEnglish(".o_action_manager", allowed)) {
                    english.push(`${tab.textContent.trim()}: ${word}`);
                }
            }
            if (english.length) {
                throw new Error(`English left in the notebook:\n${english.join("\n")}`);
            }
        },
    };
}
