// Small behaviours that need a script; every page works without it.
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
