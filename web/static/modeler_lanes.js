// Lanes mapped to roles in the modeler (issue 14, docs/modeler.md "Lanes and roles").
//
// The mapping {lane name: role key} starts as the latest deployed version's
// (config.laneRoles). The deploy dialog's selects (web/templates/modeler/_deploy_preview.html)
// change it; validate, preview and deploy send it as the query parameter lane_roles, keeping
// only the lanes the diagram has now. modeler.js calls these functions.
window.TasklaneLanes = (function () {
  'use strict';

  var mapping = {};

  // What the lane's tasks go to: its mapped role, else the role its name stands for
  // (engine/task_meta.py lane_role).
  function roleOf(name) {
    if (!name) return '';
    return mapping[name] || name.trim().toLowerCase().replace(/[ -]/g, '_');
  }

  return {
    init: function (initial) { mapping = Object.assign({}, initial || {}); },

    roleOf: roleOf,

    // '&lane_roles=...' for the lanes named in ``laneNames`` (the diagram's), or ''.
    query: function (laneNames) {
      var kept = {};
      laneNames.forEach(function (name) { if (mapping[name]) kept[name] = mapping[name]; });
      return Object.keys(kept).length ? '&lane_roles=' + encodeURIComponent(JSON.stringify(kept)) : '';
    },

    // Each select of ``body`` updates the mapping and calls ``refresh(lane)`` to preview again.
    bind: function (body, refresh) {
      body.querySelectorAll('select[data-lane-role]').forEach(function (select) {
        select.addEventListener('change', function () {
          var lane = select.getAttribute('data-lane-role');
          if (select.value) mapping[lane] = select.value; else delete mapping[lane];
          refresh(lane);
        });
      });
    },

    // After the dialog's body was drawn again, the select of ``lane`` has the focus back.
    focus: function (body, lane) {
      if (!lane) return;
      var found = Array.prototype.filter.call(body.querySelectorAll('select[data-lane-role]'), function (s) {
        return s.getAttribute('data-lane-role') === lane;
      })[0];
      if (found) found.focus();
    }
  };
})();
