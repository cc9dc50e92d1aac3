// Utväg console: keeps a case page's waits current without a manual reload. It polls
// the page's waits fragment (same origin; CSP script-src 'self', no inline script) and
// swaps it in when it changed, unless the person is filling in one of its forms: then
// it says so in the live region and leaves the form alone.
(function () {
  "use strict";
  var section = document.getElementById("waits");
  if (!section || !window.fetch || !window.DOMParser) { return; }
  var seconds = parseInt(section.getAttribute("data-poll"), 10) || 10;
  var live = document.getElementById("status");
  var typing = false;
  section.addEventListener("input", function () { typing = true; });
  section.addEventListener("submit", function () { typing = true; });

  function say(text) {
    if (live) { live.textContent = text; live.classList.remove("empty"); }
  }

  function poll() {
    if (document.visibilityState === "hidden") {  // a tab nobody looks at asks nothing
      window.setTimeout(poll, seconds * 1000);
      return;
    }
    var current = document.getElementById("waits");
    fetch(current.getAttribute("data-fragment"), { credentials: "same-origin", cache: "no-store" })
      .then(function (response) { return response.ok ? response.text() : null; })
      .then(function (html) {
        if (!html) { return; }
        var fresh = new DOMParser().parseFromString(html, "text/html").getElementById("waits");
        if (!fresh || fresh.getAttribute("data-version") === current.getAttribute("data-version")) { return; }
        if (typing) { say("Ärendet har ändrats. Ladda om sidan när du är klar med formuläret."); return; }
        current.replaceWith(document.importNode(fresh, true));
        section = document.getElementById("waits");
        section.addEventListener("input", function () { typing = true; });
        say("Ärendet har uppdaterats: det väntar nu på det som visas nedan.");
      })
      .catch(function () { /* the next poll tries again */ })
      .then(function () { window.setTimeout(poll, seconds * 1000); });
  }
  window.setTimeout(poll, seconds * 1000);
})();
