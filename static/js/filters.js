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

  // Facet counts and disabled options follow the new results; the controls themselves stay in place
  // so that the focus never moves.
  function updateFacets(page) {
    Array.prototype.forEach.call(form.querySelectorAll("[id^='nombre-']"), function (element) {
      var fresh = page.getElementById(element.id);
      if (fresh) {
        element.textContent = fresh.textContent;
      }
    });
    Array.prototype.forEach.call(form.querySelectorAll("input[type=checkbox]"), function (input) {
      var fresh = page.getElementById(input.id);
      if (fresh) {
        input.disabled = fresh.disabled;
        input.parentNode.classList.toggle("choice--disabled", fresh.disabled);
      }
    });
    var level = form.querySelector("select[name=level]");
    var freshLevel = page.querySelector("select[name=level]");
    if (level && freshLevel && level.options.length === freshLevel.options.length) {
      Array.prototype.forEach.call(level.options, function (option, i) {
        option.textContent = freshLevel.options[i].textContent;
        option.disabled = freshLevel.options[i].disabled;
      });
    }
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
        updateFacets(page);
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
