// The files the modeler edits together (docs/modeler.md, "Several files"): the BPMN
// diagrams, decision tables and JSON files of one bundle; opening several files, a zip
// or a folder (button or drag and drop); the switcher between the BPMNDiagram elements of
// one file; and what Validate, Deploy, Save draft and Download send.
//
// modeler.js owns bpmn-js and calls window.TasklaneFiles.init(host) with what this file
// needs from it (the modeler, the page's config and labels, status, post, importDiagram,
// openDiagram, xml, fileName, touched, opened).
(function () {
  'use strict';

  var BPMN = 'http://www.omg.org/spec/BPMN/20100524/MODEL';
  var SENT = /\.(bpmn|xml|dmn|json|zip)$/i; // what the server reads; others are only listed
  var ICONS = { bpmn: 'bi-diagram-3', dmn: 'bi-table', json: 'bi-filetype-json' };
  var host, labels, files = [], skipped = [], active = null;

  function el(tag, attrs, children) { return host.el(tag, attrs, children); }

  function file(name, kind, text, primary) {
    return { name: name, kind: kind, text: text, primary: !!primary, edited: false };
  }

  function primary() { return files.filter(function (f) { return f.primary; })[0] || files[0]; }

  function isBundle() { return files.length > 1; }

  // ---- keeping each file's text -------------------------------------------------------

  // The shown file's text, from its editor: the primary diagram's always (as before
  // bundles), another file's only once it was edited. A file only looked at is sent byte
  // for byte as it came: a version's other files are compared by their digest, so a
  // re-written but unchanged file would make a new version.
  function sync() {
    var shown = active;
    if (shown && shown.kind === 'bpmn' && (shown.primary || shown.edited)) {
      return host.xml().then(function (text) { shown.text = text; });
    }
    if (shown && shown.kind === 'dmn' && shown.edited && window.TasklaneDmn.changed()) {
      return window.TasklaneDmn.save().then(function (text) { shown.text = text; });
    }
    return Promise.resolve();
  }

  // What Validate and Deploy send: one diagram as the raw XML body (exactly as before
  // bundles), or every file as a ``file`` part, the primary diagram first.
  function payload() {
    if (!isBundle()) {
      return host.xml().then(function (text) { return { body: text, name: host.fileName() }; });
    }
    return sync().then(function () {
      var first = primary(), form = new FormData();
      [first].concat(files.filter(function (f) { return f !== first; })).forEach(function (f) {
        form.append('file', new Blob([f.text], { type: 'application/octet-stream' }), f.name);
      });
      return { body: form, name: first.name };
    });
  }

  // The process id of the primary diagram while another file is shown; null while the
  // primary is shown (modeler.js reads it from bpmn-js then).
  function primaryKey() {
    var first = primary();
    if (!first || first === active) return null;
    var doc = new DOMParser().parseFromString(first.text, 'application/xml');
    var processes = Array.prototype.slice.call(doc.getElementsByTagNameNS(BPMN, 'process'));
    var chosen = processes.filter(function (p) { return p.getAttribute('isExecutable') === 'true'; })[0] || processes[0];
    return chosen ? chosen.getAttribute('id') : null;
  }

  // ---- showing a file -------------------------------------------------------------------

  function showEditor(kind) {
    document.querySelector('[data-bpmn-editor]').hidden = kind !== 'bpmn';
    document.getElementById('dmn-editor').hidden = kind !== 'dmn';
  }

  function show(target) {
    if (!target || target === active) return Promise.resolve();
    var previous = active;
    return sync().then(function () {
      active = target;
      render();
      showEditor(target.kind);
      if (target.kind === 'dmn') return showDecisions(target);
      // bpmn-js keeps the diagram it had when an import fails (a file without a drawing):
      // that file stays the one shown, or an edit of it would be taken as the other's
      return host.importDiagram(target.text).catch(function () {
        if (!previous) return;
        active = null;
        return show(previous).then(function () { host.status(labels.importFailed, 'danger'); });
      });
    });
  }

  function showDecisions(target) {
    host.status(labels.dmnLoading, 'info');
    return window.TasklaneDmn.open({
      container: '#dmn-canvas', views: document.querySelector('[data-dmn-views]'),
      texts: host.config.dmnTexts, labels: labels, script: host.config.dmnScript,
      onChange: function () {
        if (active !== target) return;
        host.touched();
        if (!target.edited) { target.edited = true; render(); }
      }
    }, target.text).then(function () {
      host.status('', 'info');
      document.body.setAttribute('data-dmn-ready', target.name);
    }, function () {
      host.status(labels.dmnFailed, 'warning');
    });
  }

  // ---- opening files --------------------------------------------------------------------

  function hidden(path) {
    return path.split('/').some(function (part) { return part.charAt(0) === '.'; });
  }

  function openFiles(list) {
    var chosen = Array.prototype.slice.call(list || []).filter(function (f) {
      return !hidden(f.webkitRelativePath || f.name);
    });
    if (!chosen.length) return Promise.resolve();
    var form = new FormData(), local = [];
    chosen.forEach(function (f) {
      if (SENT.test(f.name)) form.append('file', f, f.name);
      else local.push(f.name);
    });
    host.status(labels.opening, 'info');
    return host.post(host.config.urls.files, form).then(function (answer) {
      if (answer.status !== 200) {
        host.status(((answer.json.error || {}).message) || labels.openFailed, 'danger');
        return;
      }
      return replace(answer.json, local);
    });
  }

  function replace(opened, local) {
    files = opened.files.map(function (f) { return file(f.name, f.kind, f.text, f.name === opened.primary); });
    skipped = (opened.skipped || []).concat(local || []);
    active = null;
    host.touched();
    return show(primary()).then(function () {
      host.opened();
      host.status(labels.opened.replace('{count}', files.length), 'success');
    });
  }

  // A dropped folder comes as a directory entry: read it through.
  function entryFiles(entry) {
    if (hidden(entry.name)) return Promise.resolve([]);
    if (entry.isFile) {
      return new Promise(function (resolve) { entry.file(function (f) { resolve([f]); }, function () { resolve([]); }); });
    }
    if (!entry.isDirectory) return Promise.resolve([]);
    var reader = entry.createReader(), found = [];
    return new Promise(function (resolve) {
      (function more() {
        reader.readEntries(function (batch) {
          if (batch.length) { found = found.concat(batch); more(); return; }
          Promise.all(found.map(entryFiles)).then(function (lists) { resolve([].concat.apply([], lists)); });
        }, function () { resolve([]); });
      })();
    });
  }

  function droppedFiles(transfer) {
    var entries = Array.prototype.map.call(transfer.items || [], function (item) {
      return item.webkitGetAsEntry ? item.webkitGetAsEntry() : null;
    }).filter(Boolean);
    if (!entries.length) return Promise.resolve(Array.prototype.slice.call(transfer.files || []));
    return Promise.all(entries.map(entryFiles)).then(function (lists) { return [].concat.apply([], lists); });
  }

  function bindOpening() {
    ['[data-open-files]', '[data-open-folder]'].forEach(function (selector) {
      var input = document.querySelector(selector);
      input.addEventListener('change', function () {
        var chosen = Array.prototype.slice.call(input.files);
        input.value = '';
        openFiles(chosen).catch(function () { host.status(labels.openFailed, 'danger'); });
      });
    });
    var zone = document.querySelector('[data-drop-zone]'), hint = document.querySelector('[data-drop-hint]');
    var depth = 0;
    function carriesFiles(event) {
      return Array.prototype.indexOf.call((event.dataTransfer && event.dataTransfer.types) || [], 'Files') >= 0;
    }
    zone.addEventListener('dragenter', function (event) {
      if (!carriesFiles(event)) return;
      event.preventDefault();
      depth += 1;
      hint.hidden = false;
    });
    zone.addEventListener('dragover', function (event) {
      if (!carriesFiles(event)) return;
      event.preventDefault();
      event.dataTransfer.dropEffect = 'copy';
    });
    zone.addEventListener('dragleave', function (event) {
      if (!carriesFiles(event)) return;
      depth = Math.max(0, depth - 1);
      if (!depth) hint.hidden = true;
    });
    zone.addEventListener('drop', function (event) {
      if (!carriesFiles(event)) return;
      event.preventDefault();
      depth = 0;
      hint.hidden = true;
      droppedFiles(event.dataTransfer).then(openFiles).catch(function () { host.status(labels.openFailed, 'danger'); });
    });
  }

  // ---- the file list ----------------------------------------------------------------------

  function fileButton(f) {
    var current = f === active;
    var button = el('button', {
      type: 'button', 'data-file': f.name, 'aria-pressed': current ? 'true' : 'false',
      'class': 'btn btn-sm ' + (current ? 'btn-secondary' : 'btn-outline-secondary') + (f.edited ? ' tl-file-edited' : '')
    }, [el('i', { 'class': 'bi ' + ICONS[f.kind] + ' me-1', 'aria-hidden': 'true' }), document.createTextNode(f.name)]);
    if (f.primary) {
      button.appendChild(el('span', { 'class': 'badge text-bg-primary ms-1', title: labels.primaryTitle, text: labels.primary }));
    }
    button.addEventListener('click', function () {
      show(f).catch(function () { host.status(labels.requestFailed, 'danger'); });
    });
    return button;
  }

  function group(kind, items) {
    return el('div', { 'class': 'tl-file-group', 'data-file-group': kind }, [
      el('span', { 'class': 'tl-file-kind small', text: labels.kinds[kind] })
    ].concat(items));
  }

  function render() {
    var nav = document.getElementById('modeler-files');
    nav.innerHTML = '';
    nav.hidden = !isBundle() && !skipped.length;
    if (!nav.hidden) {
      ['bpmn', 'dmn'].forEach(function (kind) {
        var list = files.filter(function (f) { return f.kind === kind; });
        if (list.length) nav.appendChild(group(kind, list.map(fileButton)));
      });
      var data = files.filter(function (f) { return f.kind === 'json'; });
      if (data.length) {
        nav.appendChild(group('json', data.map(function (f) {
          return el('span', { 'class': 'tl-file small', 'data-file': f.name }, [
            el('i', { 'class': 'bi ' + ICONS.json + ' me-1', 'aria-hidden': 'true' }), document.createTextNode(f.name)]);
        })));
      }
      if (skipped.length) {
        nav.appendChild(group('skipped', skipped.map(function (name) {
          return el('span', { 'class': 'tl-file tl-file-skipped small', title: labels.skippedTitle, 'data-skipped-file': name, text: name });
        })));
      }
    }
    refreshDiagrams();
  }

  // ---- the diagrams of one BPMN file --------------------------------------------------------

  // A diagram's name: its own, else its process's or collaboration's (a collaboration by
  // its pools), else the id.
  function diagramName(diagram) {
    var element = diagram.plane && diagram.plane.bpmnElement;
    if (diagram.name) return diagram.name;
    if (element && element.name) return element.name;
    var pools = (element && element.participants) || [];
    var names = pools.map(function (p) { return p.name || (p.processRef && p.processRef.name); }).filter(Boolean);
    if (names.length) return names.join(' / ');
    return (element && element.id) || diagram.id;
  }

  function diagrams() {
    var definitions = active && active.kind === 'bpmn' ? host.modeler.getDefinitions() : null;
    return (definitions && definitions.diagrams) || [];
  }

  // The diagram shown: the one whose plane is the canvas's root (a drilled-down
  // sub-process has a root of its own).
  function shownDiagram(list) {
    var root = host.modeler.get('canvas').getRootElement();
    var bo = root && root.businessObject;
    return list.filter(function (d) { return d.plane && d.plane.bpmnElement === bo; })[0] || null;
  }

  function refreshDiagrams() {
    var box = document.querySelector('[data-diagram-switch]'), select = document.getElementById('modeler-diagram');
    var list = diagrams(), shown = list.length > 1 ? shownDiagram(list) : null;
    select.innerHTML = '';
    list.forEach(function (diagram, index) {
      var option = el('option', { value: String(index), 'data-diagram-id': diagram.id, text: diagramName(diagram) });
      if (diagram === shown) option.selected = true;
      select.appendChild(option);
    });
    box.hidden = list.length < 2;
    document.querySelector('[data-modeler-bar]').hidden = box.hidden && document.getElementById('modeler-files').hidden;
  }

  function bindSwitcher() {
    var select = document.getElementById('modeler-diagram');
    select.addEventListener('change', function () {
      var diagram = diagrams()[Number(select.value)];
      if (diagram) host.openDiagram(diagram).catch(function () { host.status(labels.importFailed, 'danger'); });
    });
    host.modeler.on('root.set', function () { if (active && active.kind === 'bpmn') refreshDiagrams(); });
  }

  // ---- what modeler.js asks -------------------------------------------------------------------

  window.TasklaneFiles = {
    init: function (given) {
      host = given;
      labels = host.labels;
      var bundle = host.config.bundle;
      var first = file(bundle ? bundle.primary : null, 'bpmn', host.config.xml, true);
      files = [first].concat((bundle ? bundle.files : []).map(function (f) { return file(f.name, f.kind, f.text, false); }));
      active = first;
      bindOpening();
      bindSwitcher();
      render();
    },
    payload: payload,
    primaryKey: primaryKey,
    refreshDiagrams: refreshDiagrams,
    isBundle: isBundle,
    showsDiagram: function () { return !active || active.kind === 'bpmn'; },
    // the shown BPMN diagram was edited
    edited: function () {
      if (active && active.kind === 'bpmn' && !active.edited) { active.edited = true; render(); }
    },
    // The primary diagram's text (Save draft keeps only it).
    primaryXml: function () { return sync().then(function () { return primary().text; }); },
    // The shown file, for Download.
    current: function () {
      return sync().then(function () { return { name: active.name || host.fileName(), text: active.text }; });
    },
    // Upload replaces the diagram shown; while a decision table is shown, the primary one.
    showDiagram: function () {
      return active && active.kind === 'bpmn' ? Promise.resolve() : show(primary());
    },
    // The file that holds the element (or is named) ``reference``, when another file than
    // the shown one does: problems of other files open it.
    fileOf: function (reference) {
      if (!reference) return null;
      var quoted = 'id="' + reference + '"';
      return files.filter(function (f) {
        return f !== active && (f.name === reference || f.text.indexOf(quoted) >= 0);
      })[0] || null;
    },
    // ``[[decision id, label]]`` of the bundle's .dmn files, for a business rule task.
    decisions: function () {
      var found = [];
      files.filter(function (f) { return f.kind === 'dmn'; }).forEach(function (f) {
        var doc = new DOMParser().parseFromString(f.text, 'application/xml');
        Array.prototype.forEach.call(doc.getElementsByTagNameNS('*', 'decision'), function (d) {
          var id = d.getAttribute('id');
          if (id) found.push([id, (d.getAttribute('name') || id) + ' (' + f.name + ')']);
        });
      });
      return found;
    },
    show: show
  };
})();
