// The pipeline board: drag a card onto another column, give the note (and files) the move
// needs, and the card moves when the server accepts it. The server checks exactly what the
// prospect page's form checks (processes.pipeline.prospects.move); its errors are shown in the dialog.
(function () {
  "use strict";

  function setup() {
    var board = document.querySelector("[data-board]");
    var dialogEl = document.getElementById("move-dialog");
    if (!board || !dialogEl || !window.bootstrap) { return; }
    var dialog = new window.bootstrap.Modal(dialogEl);
    var form = dialogEl.querySelector("[data-move-form]");
    var errorBox = form.querySelector("[data-move-error]");
    var pending = null;  // {card, from, to}

    board.addEventListener("dragstart", function (event) {
      var card = event.target.closest("[data-customer]");
      if (!card) { return; }
      card.classList.add("dragging");
      event.dataTransfer.effectAllowed = "move";
      event.dataTransfer.setData("text/plain", card.dataset.customer);
    });
    board.addEventListener("dragend", function (event) {
      var card = event.target.closest("[data-customer]");
      if (card) { card.classList.remove("dragging"); }
      board.querySelectorAll(".drop-target").forEach(function (c) { c.classList.remove("drop-target"); });
    });
    board.addEventListener("dragover", function (event) {
      var column = event.target.closest("[data-stage]");
      if (!column) { return; }
      event.preventDefault();
      column.classList.add("drop-target");
    });
    board.addEventListener("dragleave", function (event) {
      var column = event.target.closest("[data-stage]");
      if (column && !column.contains(event.relatedTarget)) { column.classList.remove("drop-target"); }
    });
    board.addEventListener("drop", function (event) {
      var column = event.target.closest("[data-stage]");
      if (!column) { return; }
      event.preventDefault();
      column.classList.remove("drop-target");
      var card = board.querySelector("[data-customer='" + event.dataTransfer.getData("text/plain") + "']");
      var from = card && card.closest("[data-stage]");
      if (!card || from === column) { return; }
      open(card, from, column);
    });

    function open(card, from, to) {
      pending = {card: card, from: from, to: to};
      form.reset();
      clearErrors();
      form.action = card.dataset.moveUrl;
      form.elements.stage.value = to.dataset.stage;
      dialogEl.querySelector("[data-target-name]").textContent = to.dataset.stageName;
      dialog.show();
    }

    function clearErrors() {
      errorBox.classList.add("d-none");
      errorBox.textContent = "";
      form.querySelectorAll(".is-invalid").forEach(function (el) { el.classList.remove("is-invalid"); });
      form.querySelectorAll("[data-js-error]").forEach(function (el) { el.remove(); });
    }

    function showErrors(body) {
      var fields = body.fields || {};
      var unplaced = [];
      Object.keys(fields).forEach(function (name) {
        var input = form.querySelector("[name='" + name.split(".")[0] + "']");
        if (!input || input.type === "hidden") { unplaced.push(fields[name]); return; }
        input.classList.add("is-invalid");
        var note = document.createElement("div");
        note.className = "invalid-feedback";
        note.dataset.jsError = "";
        note.textContent = fields[name];
        input.insertAdjacentElement("afterend", note);
      });
      var text = unplaced.length ? unplaced.join(" ") : (Object.keys(fields).length ? "" : body.error);
      if (text) {
        errorBox.textContent = text;
        errorBox.classList.remove("d-none");
      }
    }

    form.addEventListener("submit", function (event) {
      event.preventDefault();
      if (!pending) { return; }
      clearErrors();
      var button = form.querySelector("[type=submit]");
      button.disabled = true;
      fetch(form.action, {method: "POST", body: new FormData(form), credentials: "same-origin",
                          headers: {"Accept": "application/json"}})
        .then(function (response) {
          return response.json().then(function (body) { return {ok: response.ok, body: body}; });
        })
        .then(function (result) {
          if (!result.ok) { showErrors(result.body); return; }
          var cards = pending.to.querySelector("[data-cards]");
          cards.insertBefore(pending.card, cards.firstChild);
          count(pending.from, -1);
          count(pending.to, 1);
          dialog.hide();
          flash(result.body.message);
          pending = null;
        })
        .catch(function () { showErrors({error: form.dataset.networkError || "Network error"}); })
        .finally(function () { button.disabled = false; });
    });

    function count(column, delta) {
      var badge = column.querySelector("[data-count]");
      badge.textContent = String(Math.max(0, parseInt(badge.textContent, 10) + delta));
    }

    function flash(message) {
      var box = document.createElement("div");
      box.className = "alert alert-success";
      box.setAttribute("role", "status");
      box.dataset.moved = "";
      box.textContent = message;
      board.parentNode.insertBefore(box, board);
    }
  }

  if (document.readyState === "loading") {
    document.addEventListener("DOMContentLoaded", setup);
  } else {
    setup();
  }
})();
