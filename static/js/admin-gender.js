/* Gendered titles in the admin (job form, its appellation rows, appellation form): when a
   counsellor leaves a masculine or feminine field and the other form is still empty, the admin
   proposes it (catalogue.admin.quality.gender_proposal_view, French rules) with a button
   « Utiliser « infirmière » » that fills the empty field. Nothing is ever written over what the
   counsellor typed: the proposal goes away as soon as they type in that field themselves.
   Events are delegated to the document, so rows added to an inline later work the same.
   The endpoint's address is the admin's root (read from the page's address) + "genre/". */
(function () {
  "use strict";

  if (!window.fetch || !window.URLSearchParams) {
    return;
  }

  var FIELD = /^(.+)(masculine|feminine)_name$/;
  var OTHER = { masculine: "feminine", feminine: "masculine" };
  var PARAMETER = { masculine: "masculin", feminine: "feminin" };
  var PROPOSAL_SUFFIX = "_gender_proposal";

  // "/admin/catalogue/job/12/change/" -> "/admin/genre/"
  function endpoint() {
    var match = window.location.pathname.match(/^(.*?\/)catalogue\//);
    return match ? match[1] + "genre/" : null;
  }

  // The form of a title field and the field of the other form, or null for any other field.
  function pairOf(field) {
    var match = field.id ? field.id.match(FIELD) : null;
    if (!match || field.id.indexOf("__prefix__") !== -1) {
      return null;  // not a title field, or the hidden template of an inline row
    }
    var other = document.getElementById(match[1] + OTHER[match[2]] + "_name");
    return other ? { form: match[2], other: other } : null;
  }

  function removeProposal(target) {
    var box = document.getElementById(target.id + PROPOSAL_SUFFIX);
    if (box) {
      box.parentNode.removeChild(box);
    }
  }

  function showProposal(target, value) {
    removeProposal(target);
    var box = document.createElement("div");
    var button = document.createElement("button");
    box.id = target.id + PROPOSAL_SUFFIX;
    box.className = "help gender-proposal";
    box.setAttribute("role", "status");
    button.type = "button";
    button.className = "button";
    button.textContent = "Utiliser « " + value + " »";
    button.setAttribute("data-gender-value", value);
    button.setAttribute("aria-controls", target.id);
    box.appendChild(button);
    target.insertAdjacentElement("afterend", box);
  }

  function propose(field) {
    var pair = pairOf(field);
    var url = endpoint();
    if (!pair || !url) {
      return;
    }
    var value = field.value.trim();
    if (!value || pair.other.value.trim()) {
      removeProposal(pair.other);
      field.removeAttribute("data-gender-asked");
      return;
    }
    if (field.getAttribute("data-gender-asked") === value) {
      return;  // left again without a change: the proposal is already there
    }
    field.setAttribute("data-gender-asked", value);
    var query = new URLSearchParams();
    query.set(PARAMETER[pair.form], value);
    fetch(url + "?" + query.toString(), { headers: { Accept: "application/json" }, credentials: "same-origin" })
      .then(function (response) {
        return response.ok ? response.json() : null;
      })
      .then(function (data) {
        var proposal = data && data[OTHER[pair.form]];
        // The counsellor may have changed either field while the answer was on its way.
        if (proposal && field.value.trim() === value && !pair.other.value.trim()) {
          showProposal(pair.other, proposal);
        }
      })
      .catch(function () {
        field.removeAttribute("data-gender-asked");  // try again when the field is left next time
      });
  }

  function onLeave(event) {
    if (event.target instanceof HTMLInputElement) {
      propose(event.target);
    }
  }

  document.addEventListener("change", onLeave);
  document.addEventListener("focusout", onLeave);

  // Typing in a field that shows a proposal: what the counsellor types wins.
  document.addEventListener("input", function (event) {
    var field = event.target;
    if (field instanceof HTMLInputElement && field.id && field.value.trim()) {
      removeProposal(field);
    }
  });

  document.addEventListener("click", function (event) {
    var button = event.target instanceof Element ? event.target.closest(".gender-proposal button") : null;
    if (!button) {
      return;
    }
    var target = document.getElementById(button.getAttribute("aria-controls"));
    if (target && !target.value.trim()) {
      target.value = button.getAttribute("data-gender-value");
      target.dispatchEvent(new Event("input", { bubbles: true }));
      target.dispatchEvent(new Event("change", { bubbles: true }));
    }
    if (target) {
      removeProposal(target);
      target.focus();
    }
  });
})();
