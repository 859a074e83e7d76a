// Decision tables in the modeler (docs/modeler.md, "Decision tables"): dmn-js's Modeler
// edits the .dmn files of the bundle: the decision table (and literal expression) views
// and the decision requirements diagram (DRD). dmn-js (1 MB) is loaded the first time a
// .dmn file is opened, so editing a diagram alone does not fetch it.
(function () {
  'use strict';

  var editor = null, loading = null, options = null, changed = false;
  var watched = new WeakSet();

  function load(url) {
    if (window.DmnJS) return Promise.resolve();
    if (!loading) {
      loading = new Promise(function (resolve, reject) {
        var script = document.createElement('script');
        script.src = url;
        script.onload = resolve;
        script.onerror = function () { loading = null; reject(new Error('dmn-js did not load')); };
        document.head.appendChild(script);
      });
    }
    return loading;
  }

  // dmn-js asks its translate service for each English text, as bpmn-js does
  // (web/modeler_texts.py dmn_texts); texts not in the table stay in English.
  function translator(texts) {
    return function (template, replacements) {
      var text = (texts || {})[template] || template;
      return text.replace(/{([^}]+)}/g, function (_, key) {
        return replacements && key in replacements ? replacements[key] : '{' + key + '}';
      });
    };
  }

  // Every view (each decision table, the DRD) has its own command stack: an edit in any of
  // them changes the file.
  function watch() {
    var viewer = editor.getActiveViewer();
    if (!viewer || watched.has(viewer)) return;
    watched.add(viewer);
    viewer.get('eventBus').on('commandStack.changed', function (event) {
      if (event.trigger === 'clear') return;
      changed = true;
      if (options.onChange) options.onChange();
    });
  }

  function create() {
    var translate = { translate: ['value', translator(options.texts)] };
    editor = new window.DmnJS({
      container: options.container,
      drd: { additionalModules: [translate] },
      decisionTable: { additionalModules: [translate] },
      literalExpression: { additionalModules: [translate] },
      boxedExpression: { additionalModules: [translate] }
    });
    window.tasklaneDmn = editor; // for the browser tests and the console
    editor.on('views.changed', function (event) {
      watch();
      renderViews(event.views, event.activeView);
    });
  }

  function viewLabel(view) {
    var labels = options.labels;
    if (view.type === 'drd') return labels.drd;
    var kind = labels[view.type] || view.type;
    return kind + ': ' + (view.name || view.id);
  }

  // Buttons for the file's views: its DRD and each decision; dmn-js's own links (a
  // decision's table icon in the DRD, "View DRD" above a table) switch views too.
  function renderViews(views, active) {
    var box = options.views;
    box.innerHTML = '';
    box.hidden = views.length < 2;
    views.forEach(function (view) {
      var button = document.createElement('button');
      var current = active && view.id === active.id && view.type === active.type;
      button.type = 'button';
      button.className = 'btn ' + (current ? 'btn-secondary' : 'btn-outline-secondary');
      button.setAttribute('aria-pressed', current ? 'true' : 'false');
      button.setAttribute('data-dmn-view', view.type + ':' + view.id);
      button.textContent = viewLabel(view);
      button.addEventListener('click', function () { editor.open(view); });
      box.appendChild(button);
    });
  }

  // A decision table first: that is what owners come to edit; the DRD is one click away.
  function initialView() {
    var views = editor.getViews();
    return views.filter(function (v) { return v.type === 'decisionTable'; })[0] || views[0];
  }

  window.TasklaneDmn = {
    // ``opts``: container, views (the element for the view buttons), texts, labels, script
    // (dmn-js's URL), onChange. Resolves when ``text`` is shown; rejects when dmn-js cannot
    // read it (not DMN 1.3, not XML).
    open: function (opts, text) {
      options = opts;
      return load(opts.script).then(function () {
        if (!editor) create();
        return editor.importXML(text, { open: false });
      }).then(function () {
        var view = initialView();
        if (!view) throw new Error('no decision in this file');
        return editor.open(view);
      }).then(function () {
        changed = false;
      });
    },
    // The file as dmn-js writes it.
    save: function () {
      return editor.saveXML({ format: true }).then(function (result) { return result.xml; });
    },
    changed: function () { return changed; },
    // the toolbar's undo and redo, on the view shown (each has its own command stack)
    undo: function () { editor.getActiveViewer().get('commandStack').undo(); },
    redo: function () { editor.getActiveViewer().get('commandStack').redo(); }
  };
})();
