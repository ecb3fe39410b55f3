/* Searchable pickers (liaison/pickers.py): every <select data-picker> becomes a Tom Select box.
   Options keep their <optgroup> (the unit); a data-search-url adds server-side search
   (liaison.views_pickers.people_search answers {"results": [{value, text, unit}]}). */
(function () {
  "use strict";

  function setup(select) {
    if (select.tomselect || typeof TomSelect === "undefined") return;
    var multiple = select.multiple;
    var url = select.getAttribute("data-search-url");
    var settings = {
      plugins: multiple ? ["remove_button"] : [],
      maxOptions: 300,
      hidePlaceholder: true,
      placeholder: select.getAttribute("data-placeholder") || "",
      searchField: ["text", "optgroup"],
      lockOptgroupOrder: true,
      render: {
        no_results: function () { return '<div class="no-results">' + (document.documentElement.lang === "en" ? "No match" : "没有匹配项") + "</div>"; }
      }
    };
    if (!multiple && !select.required) settings.allowEmptyOption = true;
    if (url) {
      settings.optgroupField = "optgroup";
      settings.load = function (query, callback) {
        var sep = url.indexOf("?") === -1 ? "?" : "&";
        fetch(url + sep + "q=" + encodeURIComponent(query), {credentials: "same-origin", headers: {"Accept": "application/json"}})
          .then(function (response) { return response.ok ? response.json() : {results: []}; })
          .then(function (data) {
            var ts = select.tomselect;
            var rows = (data.results || []).map(function (row) {
              if (ts && !ts.optgroups[row.unit]) ts.addOptionGroup(row.unit, {value: row.unit, label: row.unit});
              return {value: String(row.value), text: row.text, optgroup: row.unit};
            });
            callback(rows);
          })
          .catch(function () { callback(); });
      };
    }
    new TomSelect(select, settings);
  }

  function scan(root) {
    (root || document).querySelectorAll("select[data-picker]").forEach(setup);
  }

  document.addEventListener("DOMContentLoaded", function () { scan(document); });
  document.addEventListener("htmx:afterSettle", function (event) { scan(event.target); });
})();
