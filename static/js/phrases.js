/* 常用语: picking a phrase puts it into the opinion box (issue 15). Without
   JavaScript the select is still sent; the view ignores it then. */
(function () {
  function bind(root) {
    root.querySelectorAll("select[data-phrase-for]").forEach(function (select) {
      if (select.dataset.bound) { return; }
      select.dataset.bound = "1";
      select.addEventListener("change", function () {
        var box = document.getElementById(select.dataset.phraseFor);
        if (!box || !select.value) { return; }
        box.value = box.value.trim() ? box.value.trim() + "\n" + select.value : select.value;
        select.value = "";
        box.focus();
      });
    });
  }
  document.addEventListener("DOMContentLoaded", function () { bind(document); });
  document.addEventListener("htmx:load", function (e) { bind(e.target); });
})();
