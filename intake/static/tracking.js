/* The tracking link's copy button and the receipt's print button (intake/web/tracking.py).

   Both controls are sent with the `hidden` attribute and shown here, so without
   JavaScript nothing is offered that cannot work: the link stays plain, selectable text
   and the browser's own Print prints the receipt.  No inline script: this file is the
   only behaviour of these pages. */
(function () {
  "use strict";

  function selectText(element) {
    var range = document.createRange();
    range.selectNodeContents(element);
    var selection = window.getSelection();
    selection.removeAllRanges();
    selection.addRange(range);
  }

  function legacyCopy(element) {
    selectText(element);
    try {
      return document.execCommand("copy");
    } catch (error) {
      return false;
    }
  }

  function setUpCopy(button) {
    var source = document.getElementById(button.getAttribute("data-copy-from"));
    var status = document.getElementById(button.getAttribute("data-copy-status"));
    if (!source || !status) {
      return;
    }
    function say(message) {
      status.textContent = "";
      // A fresh text node after a tick, so a second copy is announced again.
      window.setTimeout(function () { status.textContent = message; }, 50);
    }
    function failed() {
      selectText(source);  // the link is selected: Ctrl+C or the phone's Copy works
      say(button.getAttribute("data-copy-failed"));
    }
    button.addEventListener("click", function () {
      var text = source.textContent.trim();
      if (navigator.clipboard && window.isSecureContext) {
        navigator.clipboard.writeText(text).then(function () {
          say(button.getAttribute("data-copied"));
        }, function () {
          if (legacyCopy(source)) { say(button.getAttribute("data-copied")); } else { failed(); }
        });
      } else if (legacyCopy(source)) {
        say(button.getAttribute("data-copied"));
      } else {
        failed();
      }
    });
    button.closest("[data-enhanced]").hidden = false;
  }

  function setUpPrint(button) {
    if (typeof window.print !== "function") {
      return;
    }
    button.addEventListener("click", function () { window.print(); });
    button.closest("[data-enhanced]").hidden = false;
  }

  document.querySelectorAll("[data-copy-from]").forEach(setUpCopy);
  document.querySelectorAll("[data-print]").forEach(setUpPrint);
}());
