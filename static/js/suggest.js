/* Suggestions while typing, on search boxes marked data-suggest="<address of the JSON endpoint>".
   A progressive enhancement: without this script the box is a plain search form.
   ARIA 1.2 combobox pattern: the box keeps the focus, arrows move through the options
   (aria-activedescendant), Enter opens the chosen job, Escape closes the list. */
(function () {
  "use strict";

  if (!window.fetch || !window.URLSearchParams) {
    return;
  }

  var MIN_LENGTH = 2;
  var DELAY = 150;

  function enhance(input, index) {
    var endpoint = input.getAttribute("data-suggest");
    var listId = "suggestions-" + index;
    var list = document.createElement("ul");
    var status = document.createElement("p");
    var timer = null;
    var controller = null;
    var options = [];
    var active = -1;

    list.id = listId;
    list.className = "suggestions";
    list.setAttribute("role", "listbox");
    list.setAttribute("aria-label", "Suggestions de métiers");
    list.hidden = true;
    status.className = "visually-hidden";
    status.setAttribute("role", "status");
    input.parentNode.appendChild(list);
    input.parentNode.appendChild(status);
    input.parentNode.classList.add("has-suggestions");
    input.setAttribute("role", "combobox");
    input.setAttribute("aria-autocomplete", "list");
    input.setAttribute("aria-expanded", "false");
    input.setAttribute("aria-controls", listId);

    function close() {
      list.hidden = true;
      input.setAttribute("aria-expanded", "false");
      input.removeAttribute("aria-activedescendant");
      active = -1;
    }

    function highlight(position) {
      options.forEach(function (option, i) {
        option.setAttribute("aria-selected", i === position ? "true" : "false");
      });
      active = position;
      if (position >= 0) {
        input.setAttribute("aria-activedescendant", options[position].id);
        options[position].scrollIntoView({ block: "nearest" });
      } else {
        input.removeAttribute("aria-activedescendant");
      }
    }

    function show(suggestions) {
      list.textContent = "";
      options = suggestions.map(function (suggestion, i) {
        var option = document.createElement("li");
        option.id = listId + "-" + i;
        option.setAttribute("role", "option");
        option.setAttribute("aria-selected", "false");
        option.setAttribute("data-url", suggestion.url);
        option.appendChild(document.createTextNode(suggestion.title));
        if (suggestion.found_via) {
          var via = document.createElement("span");
          via.className = "suggestions__via";
          via.textContent = " (" + suggestion.found_via + ")";
          option.appendChild(via);
        }
        option.addEventListener("mousedown", function (event) {
          event.preventDefault(); // keep the focus in the box until we leave the page
          window.location.assign(suggestion.url);
        });
        list.appendChild(option);
        return option;
      });
      active = -1;
      if (options.length) {
        list.hidden = false;
        input.setAttribute("aria-expanded", "true");
        status.textContent = options.length + (options.length > 1 ? " suggestions" : " suggestion");
      } else {
        close();
        status.textContent = "";
      }
    }

    function fetchSuggestions() {
      var query = input.value.trim();
      if (query.length < MIN_LENGTH) {
        show([]);
        return;
      }
      if (controller) {
        controller.abort();
      }
      controller = window.AbortController ? new AbortController() : null;
      fetch(endpoint + "?" + new URLSearchParams({ q: query }).toString(), {
        headers: { Accept: "application/json" },
        signal: controller ? controller.signal : undefined,
      })
        .then(function (response) {
          return response.ok ? response.json() : { suggestions: [] };
        })
        .then(function (data) {
          if (input.value.trim() === query) {
            show(data.suggestions || []);
          }
        })
        .catch(function () {
          /* aborted or offline: the plain form still works */
        });
    }

    input.addEventListener("input", function () {
      window.clearTimeout(timer);
      timer = window.setTimeout(fetchSuggestions, DELAY);
    });

    input.addEventListener("keydown", function (event) {
      if (list.hidden || !options.length) {
        return;
      }
      if (event.key === "ArrowDown") {
        event.preventDefault();
        highlight(active < options.length - 1 ? active + 1 : 0);
      } else if (event.key === "ArrowUp") {
        event.preventDefault();
        highlight(active > 0 ? active - 1 : options.length - 1);
      } else if (event.key === "Enter" && active >= 0) {
        event.preventDefault();
        window.location.assign(options[active].getAttribute("data-url"));
      } else if (event.key === "Escape") {
        event.preventDefault();
        close();
      }
    });

    input.addEventListener("blur", function () {
      window.setTimeout(close, 100);
    });
  }

  Array.prototype.forEach.call(document.querySelectorAll("input[data-suggest]"), enhance);
})();
