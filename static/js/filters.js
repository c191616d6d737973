/* Job list: refresh the results when a filter changes, without reloading the page.
   The form works without this script (its submit buttons); here the focus stays on the control the
   student just used, the count is announced by its aria-live region, and the address bar keeps the
   shareable address of the filtered list. */
(function () {
  "use strict";

  var form = document.querySelector("form[data-filters]");
  var count = document.getElementById("nombre-resultats");
  var results = document.getElementById("resultats");
  if (!form || !count || !results || !window.fetch || !window.DOMParser || !window.URLSearchParams) {
    return;
  }

  var pending = null;

  function addressOf(formElement) {
    var params = new URLSearchParams();
    new FormData(formElement).forEach(function (value, name) {
      if (value !== "") {
        params.append(name, value);
      }
    });
    var query = params.toString();
    return formElement.action.split("?")[0] + (query ? "?" + query : "");
  }

  function refresh() {
    var address = addressOf(form);
    if (pending) {
      pending.abort();
    }
    pending = new AbortController();
    results.setAttribute("aria-busy", "true");
    fetch(address, { signal: pending.signal, credentials: "same-origin", headers: { Accept: "text/html" } })
      .then(function (response) {
        if (!response.ok) {
          throw new Error("HTTP " + response.status);
        }
        return response.text();
      })
      .then(function (html) {
        var page = new DOMParser().parseFromString(html, "text/html");
        var newResults = page.getElementById("resultats");
        var newCount = page.getElementById("nombre-resultats");
        if (!newResults || !newCount) {
          window.location.assign(address);
          return;
        }
        results.innerHTML = newResults.innerHTML;
        count.textContent = newCount.textContent;
        document.title = page.title;
        window.history.replaceState(null, "", address);
        results.removeAttribute("aria-busy");
      })
      .catch(function (error) {
        if (error.name !== "AbortError") {
          window.location.assign(address);
        }
      });
  }

  form.addEventListener("change", function (event) {
    var target = event.target;
    if (target.matches("input[type=checkbox], select")) {
      refresh();
    }
  });
})();
