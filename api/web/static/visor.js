// Keyboard navigation through the candidates (j/k or the arrow keys, Enter opens the record)
// and a drop target for photo search. Progressive: every page works without this file.
"use strict";
(function () {
  function candidates() { return Array.from(document.querySelectorAll("article.candidate")); }
  document.addEventListener("keydown", function (event) {
    var target = event.target;
    if (target && (target.isContentEditable || /^(INPUT|TEXTAREA|SELECT)$/.test(target.tagName))) return;
    if (event.altKey || event.ctrlKey || event.metaKey) return;
    var list = candidates();
    if (!list.length) return;
    var at = list.indexOf(document.activeElement);
    if (event.key === "j" || event.key === "ArrowDown") {
      list[Math.min(at + 1, list.length - 1)].focus();
      event.preventDefault();
    } else if (event.key === "k" || event.key === "ArrowUp") {
      list[Math.max(at - 1, 0)].focus();
      event.preventDefault();
    } else if (event.key === "Enter" && at >= 0) {
      var link = list[at].querySelector("a.reference");
      if (link) { link.click(); event.preventDefault(); }
    }
  });
  document.addEventListener("DOMContentLoaded", function () {
    var zone = document.querySelector(".drop");
    var input = document.getElementById("photo");
    if (!zone || !input) return;
    ["dragenter", "dragover"].forEach(function (name) {
      zone.addEventListener(name, function (event) { event.preventDefault(); zone.classList.add("dragging"); });
    });
    ["dragleave", "drop"].forEach(function (name) {
      zone.addEventListener(name, function () { zone.classList.remove("dragging"); });
    });
    zone.addEventListener("drop", function (event) {
      event.preventDefault();
      if (event.dataTransfer && event.dataTransfer.files.length) {
        input.files = event.dataTransfer.files;
        input.form.requestSubmit();
      }
    });
  });
})();
