import { initAll } from "../govuk/govuk-frontend.min.js";

initAll();

// Warn before leaving a form with changes that have not been saved. The pages work without this.
for (const form of document.querySelectorAll("form[data-warn-unsaved]")) {
  let changed = false;
  form.addEventListener("input", () => {
    changed = true;
  });
  form.addEventListener("submit", () => {
    changed = false;
  });
  window.addEventListener("beforeunload", (event) => {
    if (changed) {
      event.preventDefault();
    }
  });
}
