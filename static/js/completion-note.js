/* Completing asks what was done: while an update form's status reads "completed", its
 * note is marked required (the browser then asks for it before sending, where the form
 * is validated by the browser, and screen readers announce it). The server's rule is
 * the one that counts (services.progress_update_create); without JavaScript the label
 * and help text say it. Delegated on the document: it works for the forms htmx swaps in.
 */
(function () {
  "use strict";

  function sync(select) {
    var form = select.form;
    var note = form && form.querySelector('textarea[name="note"]');
    if (!note) { return; }
    var completing = select.value === "completed";
    note.required = completing;
    if (completing) { note.setAttribute("aria-required", "true"); } else { note.removeAttribute("aria-required"); }
  }

  document.addEventListener("change", function (event) {
    var target = event.target;
    if (target && target.matches && target.matches('select[name="status"]')) { sync(target); }
  });
})();
