// Small behaviours that need a script; every page works without it.
// No inline handlers: the Content-Security-Policy allows scripts from web/static/ only.
document.addEventListener("click", function (event) {
  // An inbox tab keeps the filter form's tab in step, so the next filter change stays on it.
  var link = event.target.closest && event.target.closest("[data-inbox-tab]");
  var field = document.getElementById("inbox-tab");
  if (link && field) field.value = link.dataset.inboxTab;
});
document.addEventListener("htmx:responseError", function (event) {
  // Show the error message the server sent (JSON shape or page) above the list.
  var box = document.getElementById("tl-errors");
  if (!box) return;
  var text = event.detail.xhr.responseText || "";
  try { text = JSON.parse(text).error.message; } catch (e) {
    var doc = new DOMParser().parseFromString(text, "text/html");
    var p = doc.querySelector("main p");
    text = p ? p.textContent : event.detail.xhr.statusText;
  }
  box.textContent = text;
  box.classList.remove("d-none");
});
document.addEventListener("htmx:beforeRequest", function () {
  var box = document.getElementById("tl-errors");
  if (box) box.classList.add("d-none");
});
