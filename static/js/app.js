// Behaviour the templates ask for with data attributes, since the Content-Security-Policy runs no inline
// handlers (onclick=, onchange=, onsubmit=):
//   <select data-autosubmit>   sends its form when the choice changes (the language menu);
//   <form data-confirm="…">    asks before sending;
//   <button data-print>        prints the page.
(function () {
  "use strict";
  document.addEventListener("change", function (event) {
    var field = event.target;
    if (field.matches && field.matches("select[data-autosubmit]") && field.form) { field.form.submit(); }
  });
  document.addEventListener("submit", function (event) {
    var question = event.target.dataset && event.target.dataset.confirm;
    if (question && !window.confirm(question)) { event.preventDefault(); }
  });
  document.addEventListener("click", function (event) {
    var button = event.target.closest && event.target.closest("[data-print]");
    if (button) { event.preventDefault(); window.print(); }
  });
})();
