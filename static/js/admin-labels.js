/* Job admin form: accessible names that Django's admin widgets leave out (axe-core rules "label",
   "aria-input-field-name" and "list").
   - Autocompletes (Django's bundled Select2 4.0.13): the text box of a multiple choice gets the name
     of the field's label; the mouse-only "clear all" cross, a <span> inside the <ul> of chosen items,
     is hidden from assistive technologies (each item keeps its own remove cross, and Backspace works).
     A single choice is named by its current value only, so an empty one has no name: it gets
     "<field> : <value>".
   - Rich-text editors (django-prose-editor): the editable area gets the name of the field's label.
   - Tabular inlines: a field in a table cell is named by its column header only visually; it gets
     the header's text as its name.
   These widgets draw themselves after the page loads and redraw on changes, hence the observer. */
(function () {
  "use strict";

  function clean(text) {
    return text.replace(/\s+/g, " ").replace(/\s*:\s*$/, "").trim();
  }

  function labelText(id) {
    var label = id ? document.querySelector("label[for='" + id + "']") : null;
    return label ? clean(label.textContent) : "";
  }

  // A field's name: its <label>, or in a tabular inline the header of its column.
  function fieldName(field) {
    var text = labelText(field.id);
    var cell = field.closest("td");
    if (text || !cell) {
      return text;
    }
    var table = cell.closest("table");
    var column = Array.prototype.indexOf.call(cell.parentNode.children, cell);
    var header = table && table.tHead ? table.tHead.rows[0].cells[column] : null;
    return header ? clean(header.textContent) : "";
  }

  function name(element, text) {
    if (text && !element.hasAttribute("aria-label")) {
      element.setAttribute("aria-label", text);
    }
  }

  function each(selector, callback) {
    Array.prototype.forEach.call(document.querySelectorAll(selector), callback);
  }

  function fix() {
    each(".select2-search__field:not([aria-label])", function (field) {
      var container = field.closest(".select2-container");
      var select = container ? container.previousElementSibling : null;
      name(field, select ? fieldName(select) : "");
    });
    each(".select2-selection--single .select2-selection__rendered", function (rendered) {
      var container = rendered.closest(".select2-container");
      var select = container ? container.previousElementSibling : null;
      var field = select ? fieldName(select) : "";
      var value = clean(rendered.getAttribute("title") || "");
      var text = value ? field + " : " + value : field;
      if (field && rendered.getAttribute("aria-label") !== text) {
        rendered.setAttribute("aria-label", text);
      }
    });
    each(".select2-selection__rendered > .select2-selection__clear:not([aria-hidden])", function (cross) {
      cross.setAttribute("aria-hidden", "true");
    });
    each(".prose-editor [contenteditable='true']:not([aria-label])", function (area) {
      var textarea = area.closest(".prose-editor").querySelector("textarea");
      name(area, textarea ? labelText(textarea.id) : "");
      area.setAttribute("aria-multiline", "true");
    });
    each(".tabular td input:not([type='hidden']):not([aria-label]), .tabular td select:not([aria-label]), .tabular td textarea:not([aria-label])", function (field) {
      if (!field.labels || !field.labels.length) {
        name(field, fieldName(field));
      }
    });
  }

  if (!window.MutationObserver) {
    return;
  }
  document.addEventListener("DOMContentLoaded", function () {
    fix();
    new MutationObserver(fix).observe(document.body, { childList: true, subtree: true });
  });
})();
