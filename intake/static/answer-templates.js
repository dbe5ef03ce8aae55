/* Answer templates on a transition form: choosing one fills the reason field with its
   body (in the proposal's language) for the officer to edit before sending.  The data
   comes from the page: the select carries data-answer-template, data-reason-field (the
   id of the reason textarea) and data-language; each option data-body-<language>.
   Without this script the server uses the template's body when the reason is empty. */
(function () {
  "use strict";

  function bodyOf(select) {
    var option = select.options[select.selectedIndex];
    if (!option || !option.value) {
      return null;
    }
    var language = select.getAttribute("data-language") || "ja";
    return option.getAttribute("data-body-" + language) ||
      option.getAttribute("data-body-ja") || "";
  }

  document.addEventListener("change", function (event) {
    var select = event.target;
    if (!select || !select.hasAttribute || !select.hasAttribute("data-answer-template")) {
      return;
    }
    var reason = document.getElementById(select.getAttribute("data-reason-field"));
    var body = bodyOf(select);
    if (!reason || body === null) {
      return;
    }
    reason.value = body;
    reason.dispatchEvent(new Event("input", { bubbles: true }));
    reason.focus();
  });
})();
