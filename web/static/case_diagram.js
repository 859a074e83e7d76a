// The case diagram: the version's BPMN drawn by the bpmn-js viewer, with the elements
// completed, the sequence flows taken and the elements waiting now marked (from
// /cases/<id>/diagram.json, see web/case_diagram.py). Clicking an element loads its
// audit events (an HTML fragment rendered and escaped by the server) under the diagram.
(function () {
  "use strict";

  var IGNORED = ["bpmn:Process", "bpmn:Collaboration", "bpmn:Participant", "bpmn:Lane",
                 "bpmn:SequenceFlow", "bpmn:LaneSet", "label"];

  function mark(viewer, ids, cls) {
    var canvas = viewer.get("canvas");
    var registry = viewer.get("elementRegistry");
    ids.forEach(function (id) {
      if (registry.get(id)) { canvas.addMarker(id, cls); }
    });
  }

  function showEvents(container, panel, viewer, element) {
    if (element.labelTarget) { element = element.labelTarget; }
    if (!element.businessObject || IGNORED.indexOf(element.type) >= 0) { return; }
    var canvas = viewer.get("canvas");
    viewer.get("elementRegistry").forEach(function (e) { canvas.removeMarker(e.id, "tl-selected"); });
    canvas.addMarker(element.id, "tl-selected");
    var url = container.dataset.events.replace("__ID__", encodeURIComponent(element.id));
    fetch(url, {credentials: "same-origin", headers: {"HX-Request": "true"}})
      .then(function (response) {
        if (!response.ok) { throw new Error(response.status); }
        return response.text();
      })
      .then(function (html) {
        panel.innerHTML = html;
        panel.hidden = false;
        panel.dataset.element = element.id;
      })
      .catch(function () {
        panel.textContent = container.dataset.error;
        panel.hidden = false;
      });
  }

  function setup() {
    var container = document.getElementById("case-diagram");
    var panel = document.getElementById("element-events");
    if (!container || !window.BpmnJS) { return; }
    var viewer = new window.BpmnJS({container: container});
    fetch(container.dataset.src, {credentials: "same-origin"})
      .then(function (response) {
        if (!response.ok) { throw new Error(response.status); }
        return response.json();
      })
      .then(function (state) {
        return viewer.importXML(state.xml).then(function () {
          viewer.get("canvas").zoom("fit-viewport");
          mark(viewer, state.completed, "tl-completed");
          mark(viewer, state.taken_flows, "tl-taken");
          mark(viewer, state.waiting, "tl-waiting");
          container.dataset.ready = "true";
        });
      })
      .catch(function () {
        container.classList.add("tl-diagram-failed");
        container.textContent = container.dataset.error;
      });
    viewer.get("eventBus").on("element.click", function (event) {
      showEvents(container, panel, viewer, event.element);
    });
  }

  if (document.readyState === "loading") {
    document.addEventListener("DOMContentLoaded", setup);
  } else {
    setup();
  }
})();
