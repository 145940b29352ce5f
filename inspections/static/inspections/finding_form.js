// The quick finding form on a phone: check the chosen files before sending (a refused upload would have
// to be chosen again), and keep what was typed in sessionStorage until the form is sent, so that a lost
// connection or a closed tab does not lose it.
(function () {
  "use strict";
  var form = document.querySelector("form[data-testid=finding-form]");
  if (!form) return;
  var key = "finding-draft:" + location.pathname;
  var fields = ["category", "description", "people"];
  var accepted = /\.(jpe?g|png|pdf|docx?|xlsx?|ofd|txt)$/i;
  var problems = form.querySelector("[data-testid=file-problems]");

  function saved() {
    try { return JSON.parse(sessionStorage.getItem(key) || "{}"); } catch (e) { return {}; }
  }
  var draft = saved();
  fields.forEach(function (name) {
    var input = form.elements[name];
    if (input && !input.value && draft[name]) input.value = draft[name];
  });
  form.addEventListener("input", function () {
    var data = {};
    fields.forEach(function (name) { if (form.elements[name]) data[name] = form.elements[name].value; });
    try { sessionStorage.setItem(key, JSON.stringify(data)); } catch (e) { /* private mode: no draft */ }
  });

  form.addEventListener("submit", function (event) {
    var input = form.elements.attachments;
    var messages = [];
    if (input && input.files) {
      if (input.files.length > Number(form.dataset.maxFiles)) messages.push(form.dataset.tooMany);
      Array.prototype.forEach.call(input.files, function (file) {
        if (!accepted.test(file.name)) messages.push(file.name + " " + form.dataset.badType);
        else if (file.size > Number(form.dataset.maxBytes)) messages.push(file.name + " " + form.dataset.tooBig);
      });
    }
    if (messages.length) {
      event.preventDefault();
      problems.textContent = messages.join(" ");
      problems.hidden = false;
      problems.scrollIntoView({ block: "center" });
      return;
    }
    try { sessionStorage.removeItem(key); } catch (e) { /* nothing kept */ }
  });
})();
