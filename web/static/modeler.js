// The process owner's modeler (web/templates/modeler/edit.html), docs/modeler.md.
//
// bpmn-js draws and edits the diagram; bpmn-js-properties-panel shows the standard
// BPMN properties; the "Tasklane" panel below edits what the engine reads (spiff
// extensions, scripts, conditions, timers, lanes). Every edit goes through bpmn-js's
// modeling service, so undo / redo work and saveXML writes it.
(function () {
  'use strict';

  var SPIFF = 'spiffworkflow:';
  var config, modeler, labels, files, dirty = false;
  var focusBack = null; // what the open deploy dialog does when the window gets the focus back

  // ---- small helpers -------------------------------------------------------------

  function el(tag, attrs, children) {
    var node = document.createElement(tag);
    Object.keys(attrs || {}).forEach(function (name) {
      if (name === 'text') node.textContent = attrs[name];
      else if (attrs[name] !== undefined && attrs[name] !== null) node.setAttribute(name, attrs[name]);
    });
    (children || []).forEach(function (child) { if (child) node.appendChild(child); });
    return node;
  }

  function service(name) { return modeler.get(name); }

  function is(bo, type) { return bo && bo.$instanceOf && bo.$instanceOf(type); }

  function csrfToken() {
    var meta = document.querySelector('meta[name="csrf-token"]');
    return meta ? meta.content : '';
  }

  function status(message, kind) {
    var box = document.getElementById('modeler-status');
    box.className = 'tl-modeler-status alert py-1 px-2 mb-2 alert-' + (kind || 'info');
    box.textContent = message;
  }

  // ``body``: the XML of one diagram, or FormData with the files of a bundle.
  function post(url, body) {
    var headers = { 'X-CSRFToken': csrfToken(), 'Accept': 'application/json' };
    if (!(body instanceof FormData)) headers['Content-Type'] = 'application/xml';
    return fetch(url, {
      method: 'POST', body: body, credentials: 'same-origin', headers: headers
    }).then(function (response) {
      return response.json().catch(function () { return {}; }).then(function (json) {
        return { status: response.status, json: json };
      });
    });
  }

  function processKey() {
    var other = files && files.primaryKey(); // another file of the bundle is shown
    if (other) return other;
    var roots = modeler.getDefinitions().rootElements || [];
    var processes = roots.filter(function (r) { return is(r, 'bpmn:Process'); });
    var executable = processes.filter(function (p) { return p.isExecutable; });
    var chosen = executable[0] || processes[0];
    return chosen ? chosen.id : config.key;
  }

  function fileName() { return processKey() + '.bpmn'; }

  // ---- moddle edits through the command stack ------------------------------------

  // ``bo`` is the business object that holds the extension: the element's own, or for
  // the process names the process behind the canvas root or a pool.
  function extensionElements(element, bo) {
    bo = bo || element.businessObject;
    if (!bo.extensionElements) {
      var ext = service('moddle').create('bpmn:ExtensionElements', { values: [] });
      ext.$parent = bo;
      service('modeling').updateModdleProperties(element, bo, { extensionElements: ext });
    }
    return bo.extensionElements;
  }

  function findExtension(holder, type) {
    var ext = holder.extensionElements;
    return ext && (ext.values || []).filter(function (v) { return v.$type === type; })[0];
  }

  // Set (or with '' remove) the body of an extension element such as
  // spiffworkflow:instructionsForEndUser on ``holder`` (the element's business object
  // or, for messageVariable, its event definition).
  function setBodyExtension(element, holder, type, value) {
    var modeling = service('modeling');
    var existing = findExtension(holder, type);
    if (!value) {
      if (existing) {
        modeling.updateModdleProperties(element, holder.extensionElements, {
          values: holder.extensionElements.values.filter(function (v) { return v !== existing; })
        });
      }
      return;
    }
    if (existing) {
      modeling.updateModdleProperties(element, existing, { value: value });
      return;
    }
    var ext = holder === element.businessObject ? extensionElements(element) : holder.extensionElements;
    if (!ext) {
      ext = service('moddle').create('bpmn:ExtensionElements', { values: [] });
      ext.$parent = holder;
      modeling.updateModdleProperties(element, holder, { extensionElements: ext });
    }
    var created = service('moddle').create(type, { value: value });
    created.$parent = ext;
    modeling.updateModdleProperties(element, ext, { values: (ext.values || []).concat([created]) });
  }

  function spiffProperty(element, name, bo) {
    var props = findExtension(bo || element.businessObject, SPIFF + 'Properties');
    var found = props && (props.properties || []).filter(function (p) { return p.name === name; })[0];
    return found ? found.value : '';
  }

  function setSpiffProperty(element, name, value, bo) {
    var modeling = service('modeling'), moddle = service('moddle');
    var props = findExtension(bo || element.businessObject, SPIFF + 'Properties');
    var list = props ? (props.properties || []) : [];
    var found = list.filter(function (p) { return p.name === name; })[0];
    if (found && value) {
      modeling.updateModdleProperties(element, found, { value: value });
    } else if (found) {
      modeling.updateModdleProperties(element, props, { properties: list.filter(function (p) { return p !== found; }) });
    } else if (value) {
      var ext = extensionElements(element, bo);
      if (!props) {
        props = moddle.create(SPIFF + 'Properties', { properties: [] });
        props.$parent = ext;
        modeling.updateModdleProperties(element, ext, { values: (ext.values || []).concat([props]) });
      }
      var created = moddle.create(SPIFF + 'Property', { name: name, value: value });
      created.$parent = props;
      modeling.updateModdleProperties(element, props, { properties: (props.properties || []).concat([created]) });
    }
  }

  function expression(body) {
    return service('moddle').create('bpmn:FormalExpression', { body: body });
  }

  // ---- the Tasklane panel ---------------------------------------------------------

  function field(label, control, name) {
    control.id = 'tl-field-' + name;
    control.setAttribute('data-field', name);
    return el('div', { 'class': 'mb-2' }, [el('label', { 'class': 'form-label small mb-0', 'for': control.id, text: label }), control]);
  }

  function input(value, onChange, attrs) {
    var node = el('input', Object.assign({ type: 'text', 'class': 'form-control form-control-sm' }, attrs || {}));
    node.value = value || '';
    node.addEventListener('change', function () { onChange(node.value.trim()); });
    return node;
  }

  function textarea(value, onChange, rows) {
    var node = el('textarea', { 'class': 'form-control form-control-sm font-monospace', rows: rows || 4, spellcheck: 'false' });
    node.value = value || '';
    node.addEventListener('change', function () { onChange(node.value); });
    return node;
  }

  function select(options, value, onChange) {
    var node = el('select', { 'class': 'form-select form-select-sm' });
    options.forEach(function (option) {
      var item = el('option', { value: option[0], text: option[1] });
      if (option[0] === (value || '')) item.selected = true;
      node.appendChild(item);
    });
    if (value && !options.some(function (o) { return o[0] === value; })) {
      var missing = el('option', { value: value, text: value });
      missing.selected = true;
      node.appendChild(missing);
    }
    node.addEventListener('change', function () { onChange(node.value); });
    return node;
  }

  function fileOptions(keys) {
    return [['', labels.none]].concat(keys.map(function (k) { return [k + '.json', k + '.json']; }));
  }

  function nameFields(element, parts) {
    var bo = element.businessObject;
    // a task's name is not a person's: each kind of element has its own label (issue 13)
    parts.push(field(is(bo, 'bpmn:Task') ? labels.taskName : labels.name, input(bo.name, function (v) {
      service('modeling').updateLabel(element, v);
    }), 'name'));
  }

  var LANGUAGES = ['vi', 'en', 'ru'];

  // The element's name in each language: spiffworkflow properties title_vi / _en / _ru
  // (engine/texts.py); ``bo`` is the process for the process's names.
  function titleFields(element, parts, heading, bo, prefix) {
    prefix = prefix || '';
    parts.push(el('h3', { 'class': 'h6 mt-3', text: heading }));
    LANGUAGES.forEach(function (lang) {
      var name = 'title_' + lang;
      parts.push(field(labels[name], input(spiffProperty(element, name, bo), function (v) {
        setSpiffProperty(element, name, v, bo);
      }, { lang: lang }), prefix + name));
    });
  }

  // A process's names per language and the language shown when the reader's has no text.
  function processFields(element, parts, process) {
    titleFields(element, parts, labels.processTitles, process, 'process_');
    var options = [['', labels.none]].concat(LANGUAGES.map(function (l) { return [l, labels.languages[l]]; }));
    parts.push(field(labels.defaultLanguage, select(options, spiffProperty(element, 'defaultLanguage', process), function (v) {
      setSpiffProperty(element, 'defaultLanguage', v, process);
    }), 'defaultLanguage'));
  }

  function instructionFields(element, parts) {
    var bo = element.businessObject;
    parts.push(el('h3', { 'class': 'h6 mt-3', text: labels.instructionsTitle }));
    LANGUAGES.forEach(function (lang) {
      var name = 'instructions_' + lang;
      var area = textarea(spiffProperty(element, name), function (v) {
        setSpiffProperty(element, name, v.trim() ? v : '');
      }, 6);
      area.setAttribute('lang', lang);
      parts.push(field(labels[name], area, name));
    });
    var instructions = findExtension(bo, SPIFF + 'InstructionsForEndUser');
    parts.push(field(labels.instructions, textarea(instructions && instructions.value, function (v) {
      setBodyExtension(element, bo, SPIFF + 'InstructionsForEndUser', v);
    }, 4), 'instructions'));
  }

  function taskFields(element, parts) {
    var bo = element.businessObject;
    if (is(bo, 'bpmn:UserTask')) {
      parts.push(field(labels.form, select(fileOptions(config.forms), spiffProperty(element, 'formJsonSchemaFilename'), function (v) {
        setSpiffProperty(element, 'formJsonSchemaFilename', v);
      }), 'form'));
      parts.push(field(labels.uiForm, select(fileOptions(config.uiForms), spiffProperty(element, 'formUiSchemaFilename'), function (v) {
        setSpiffProperty(element, 'formUiSchemaFilename', v);
      }), 'uiForm'));
      parts.push(field(labels.dueIn, input(spiffProperty(element, 'dueIn'), function (v) {
        setSpiffProperty(element, 'dueIn', v);
      }), 'dueIn'));
      ['dueInBusinessDays', 'dueInBusinessHours'].forEach(function (name) {
        parts.push(field(labels[name], input(spiffProperty(element, name), function (v) {
          setSpiffProperty(element, name, v);
        }, { inputmode: 'decimal' }), name));
      });
      var calendars = Object.keys(labels.calendars).map(function (k) { return [k, labels.calendars[k]]; });
      parts.push(field(labels.businessCalendar, select(calendars, spiffProperty(element, 'businessCalendar'), function (v) {
        setSpiffProperty(element, 'businessCalendar', v);
      }), 'businessCalendar'));
      // another user task whose deadline stops while this one is open (docs/calendars.md)
      var others = service('elementRegistry').filter(function (e) {
        return e.type !== 'label' && e.id !== element.id && is(e.businessObject, 'bpmn:UserTask');
      }).map(function (e) {
        var name = e.businessObject.name;
        return [e.id, name ? name + ' (' + e.id + ')' : e.id];
      });
      parts.push(field(labels.pausesDeadlineOf, select([['', labels.none]].concat(others), spiffProperty(element, 'pausesDeadlineOf'), function (v) {
        setSpiffProperty(element, 'pausesDeadlineOf', v);
      }), 'pausesDeadlineOf'));
      var priorities = Object.keys(labels.priorities).map(function (k) { return [k, labels.priorities[k]]; });
      parts.push(field(labels.priority, select(priorities, spiffProperty(element, 'priority'), function (v) {
        setSpiffProperty(element, 'priority', v);
      }), 'priority'));
    }
    if (is(bo, 'bpmn:UserTask') || is(bo, 'bpmn:ManualTask')) instructionFields(element, parts);
    if (is(bo, 'bpmn:ScriptTask')) {
      parts.push(field(labels.script, textarea(bo.script, function (v) {
        service('modeling').updateProperties(element, { script: v || undefined, scriptFormat: v ? 'python' : undefined });
      }, 10), 'script'));
    }
    if (is(bo, 'bpmn:BusinessRuleTask')) {
      // the decision of a .dmn file of the bundle that the task evaluates
      var decision = findExtension(bo, SPIFF + 'CalledDecisionId');
      parts.push(field(labels.decision, select([['', labels.none]].concat(files.decisions()), decision && decision.value, function (v) {
        setBodyExtension(element, bo, SPIFF + 'CalledDecisionId', v);
      }), 'calledDecisionId'));
    }
    [['preScript', 'PreScript'], ['postScript', 'PostScript']].forEach(function (pair) {
      var existing = findExtension(bo, SPIFF + pair[1]);
      parts.push(field(labels[pair[0]], textarea(existing && existing.value, function (v) {
        setBodyExtension(element, bo, SPIFF + pair[1], v);
      }, 3), pair[0]));
    });
  }

  function flowFields(element, parts) {
    var bo = element.businessObject;
    var source = bo.sourceRef;
    if (!source || !(is(source, 'bpmn:ExclusiveGateway') || is(source, 'bpmn:InclusiveGateway'))) return;
    if (source.default === bo) {
      parts.push(el('p', { 'class': 'small tl-muted', text: labels.defaultFlow }));
      return;
    }
    var body = bo.conditionExpression ? bo.conditionExpression.body : '';
    parts.push(field(labels.condition, textarea(body, function (v) {
      service('modeling').updateProperties(element, { conditionExpression: v.trim() ? expression(v.trim()) : undefined });
    }, 2), 'condition'));
  }

  function timerFields(element, parts) {
    var bo = element.businessObject;
    var definitions = bo.eventDefinitions || [];
    var timer = definitions.filter(function (d) { return is(d, 'bpmn:TimerEventDefinition'); })[0];
    if (!timer) {
      var catchable = is(bo, 'bpmn:IntermediateCatchEvent') || is(bo, 'bpmn:StartEvent') || is(bo, 'bpmn:BoundaryEvent');
      if (catchable && definitions.length === 0) {
        var button = el('button', { type: 'button', 'class': 'btn btn-sm btn-outline-primary', 'data-field': 'makeTimer', text: labels.makeTimer });
        button.addEventListener('click', function () {
          var replaced = service('bpmnReplace').replaceElement(element, {
            type: bo.$type, eventDefinitionType: 'bpmn:TimerEventDefinition'
          });
          service('selection').select(replaced);
        });
        parts.push(button);
      }
      return;
    }
    var kinds = ['timeDate', 'timeDuration', 'timeCycle'];
    var kind = kinds.filter(function (k) { return timer[k]; })[0] || 'timeDuration';
    var current = timer[kind] ? timer[kind].body : '';
    parts.push(el('h3', { 'class': 'h6 mt-3', text: labels.timer }));
    var kindSelect = select(kinds.map(function (k) { return [k, labels[k]]; }), kind, function () { apply(); });
    var text = input(current, function () { apply(); });
    function apply() {
      var update = { timeDate: undefined, timeDuration: undefined, timeCycle: undefined };
      if (text.value.trim()) update[kindSelect.value] = expression(text.value.trim());
      service('modeling').updateModdleProperties(element, timer, update);
    }
    parts.push(field(labels.timerKind, kindSelect, 'timerKind'));
    parts.push(field(labels.timerExpression, text, 'timerExpression'));
  }

  function messageFields(element, parts) {
    var definitions = element.businessObject.eventDefinitions || [];
    var message = definitions.filter(function (d) { return is(d, 'bpmn:MessageEventDefinition'); })[0];
    if (!message || !is(element.businessObject, 'bpmn:CatchEvent')) return;
    var existing = findExtension(message, SPIFF + 'MessageVariable');
    parts.push(field(labels.messageVariable, input(existing && existing.value, function (v) {
      setBodyExtension(element, message, SPIFF + 'MessageVariable', v);
    }), 'messageVariable'));
  }

  function laneFields(element, parts) {
    var list = el('datalist', { id: 'tl-roles' }, config.roles.map(function (r) { return el('option', { value: r }); }));
    parts.push(field(labels.lane, input(element.businessObject.name, function (v) {
      service('modeling').updateLabel(element, v);
    }, { list: 'tl-roles' }), 'lane'));
    parts.push(list);
    // the role whose people work the lane: its mapping (modeler_lanes.js) or its name's
    var role = window.TasklaneLanes.roleOf(element.businessObject.name);
    var title = (config.roleTitles || {})[role];
    parts.push(el('p', { 'class': 'small tl-muted', 'data-lane-role-hint': title ? role : '',
      text: title ? labels.laneRole.replace('{role}', title) : labels.laneNoRole }));
  }

  // The diagram's lane names, for the mapping sent with validate, preview and deploy.
  function lanesQuery() {
    var names = service('elementRegistry').filter(function (e) {
      return e.type !== 'label' && is(e.businessObject, 'bpmn:Lane') && e.businessObject.name;
    }).map(function (e) { return e.businessObject.name; });
    return window.TasklaneLanes.query(names);
  }

  function typeName(type) {
    var short = type.replace('bpmn:', '');
    return (labels.types || {})[short] || short;
  }

  // The process the canvas shows: the root's own, or the executable pool's.
  function rootProcess() {
    var root = service('canvas').getRootElement();
    var bo = root && root.businessObject;
    if (is(bo, 'bpmn:Process')) return bo;
    var pools = ((bo && bo.participants) || []).map(function (p) { return p.processRef; }).filter(Boolean);
    return pools.filter(function (p) { return p.isExecutable; })[0] || pools[0] || null;
  }

  function renderPanel() {
    var panel = document.getElementById('tasklane-panel');
    var selected = service('selection').get();
    var element = selected.length === 1 ? selected[0] : null;
    panel.innerHTML = '';
    if (!element || element.type === 'label') {
      panel.appendChild(el('p', { 'class': 'small tl-muted', text: labels.nothing }));
      var process = rootProcess();
      if (process) {
        var parts0 = [el('p', { 'class': 'small mb-2' }, [
          el('span', { 'class': 'badge text-bg-light me-1', 'data-element-type': process.$type, text: typeName(process.$type) }),
          el('code', { 'data-element-id': process.id, text: process.id })
        ])];
        processFields(service('canvas').getRootElement(), parts0, process);
        parts0.forEach(function (part) { panel.appendChild(part); });
      }
      return;
    }
    var bo = element.businessObject, parts = [];
    parts.push(el('p', { 'class': 'small mb-2' }, [
      el('span', { 'class': 'badge text-bg-light me-1', 'data-element-type': bo.$type, text: typeName(bo.$type) }),
      el('code', { 'data-element-id': bo.id, text: bo.id })
    ]));
    if (is(bo, 'bpmn:Lane')) {
      laneFields(element, parts);
    } else {
      nameFields(element, parts);
      titleFields(element, parts, is(bo, 'bpmn:Task') ? labels.titles : labels.elementTitles);
      if (is(bo, 'bpmn:Participant') && bo.processRef) processFields(element, parts, bo.processRef);
      if (is(bo, 'bpmn:Activity')) taskFields(element, parts);
      if (is(bo, 'bpmn:SequenceFlow')) flowFields(element, parts);
      if (is(bo, 'bpmn:Event')) { timerFields(element, parts); messageFields(element, parts); }
    }
    parts.forEach(function (part) { panel.appendChild(part); });
  }

  // ---- problems: markers, overlays, list -------------------------------------------

  var marked = [], lastProblems = null;

  function clearProblems() {
    var canvas = service('canvas'), overlays = service('overlays');
    marked.forEach(function (id) { canvas.removeMarker(id, 'tl-error'); canvas.removeMarker(id, 'tl-warning'); });
    marked = [];
    overlays.remove({ type: 'tl-problem' });
  }

  function resolveElement(reference) {
    var registry = service('elementRegistry');
    if (!reference) return null;
    var found = registry.get(reference);
    if (found) return found;
    return registry.filter(function (e) { return e.businessObject && e.businessObject.name === reference && e.type !== 'label'; })[0] || null;
  }

  function showProblems(problems) {
    lastProblems = problems;
    clearProblems();
    var list = document.getElementById('modeler-problems');
    list.innerHTML = '';
    if (!problems.length) {
      list.appendChild(el('li', { 'class': 'list-group-item list-group-item-success', text: labels.valid }));
      return;
    }
    problems.forEach(function (problem) {
      var severity = problem.severity === 'warning' ? 'warning' : 'error';
      // while a decision table is shown, bpmn-js still holds the last diagram: not the one shown
      var element = files.showsDiagram() ? resolveElement(problem.element) : null;
      var elsewhere = element ? null : files.fileOf(problem.element); // another file of the bundle
      var item = el('button', {
        type: 'button', 'class': 'list-group-item list-group-item-action tl-problem-' + severity,
        'data-problem-element': element ? element.id : (problem.element || ''),
        'data-problem-file': elsewhere ? elsewhere.name : null
      }, [
        el('span', { 'class': 'badge me-2 ' + (severity === 'error' ? 'text-bg-danger' : 'text-bg-warning'), text: labels[severity] }),
        el('code', { 'class': 'me-2', text: problem.element || '' }),
        el('span', { text: problem.message }),
        elsewhere ? el('span', { 'class': 'badge text-bg-light ms-2', text: labels.inFile.replace('{name}', elsewhere.name) }) : null
      ]);
      if (elsewhere) {
        item.addEventListener('click', function () {
          files.show(elsewhere).then(function () {
            var found = elsewhere.kind === 'bpmn' && resolveElement(problem.element);
            if (found) { service('selection').select(found); service('canvas').scrollToElement(found); }
          });
        });
      }
      if (element) {
        service('canvas').addMarker(element.id, 'tl-' + severity);
        marked.push(element.id);
        var badge = el('div', { 'class': 'tl-problem-overlay tl-problem-overlay-' + severity, title: problem.message, 'data-problem-overlay': element.id, text: '!' });
        service('overlays').add(element.id, 'tl-problem', { position: { top: -10, right: 10 }, html: badge });
        item.addEventListener('click', function () {
          service('selection').select(element);
          service('canvas').scrollToElement(element);
        });
      }
      list.appendChild(el('li', { 'class': 'list-unstyled' }, [item]));
    });
  }

  // ---- toolbar actions ---------------------------------------------------------------

  function xml() { return modeler.saveXML({ format: true }).then(function (result) { return result.xml; }); }

  function withName(url, name) { return url + '?name=' + encodeURIComponent(name); }

  var actions = {
    // the editor shown: bpmn-js, or dmn-js while a decision table is shown
    undo: function () { if (files.showsDiagram()) service('commandStack').undo(); else window.TasklaneDmn.undo(); },
    redo: function () { if (files.showsDiagram()) service('commandStack').redo(); else window.TasklaneDmn.redo(); },
    download: function () {
      return files.current().then(function (shown) {
        var url = URL.createObjectURL(new Blob([shown.text], { type: 'application/xml' }));
        var link = el('a', { href: url, download: shown.name });
        document.body.appendChild(link);
        link.click();
        link.remove();
        setTimeout(function () { URL.revokeObjectURL(url); }, 1000);
      });
    },
    // A draft is the primary diagram only; the bundle's other files go with Deploy.
    save: function () {
      return files.primaryXml().then(function (text) {
        return post(config.urls.draft.replace('__KEY__', encodeURIComponent(processKey())), text);
      }).then(function (answer) {
        if (answer.status === 200 && files.isBundle()) status(labels.draftPrimaryOnly, 'success');
        else if (answer.status === 200) { dirty = false; status(labels.saved, 'success'); }
        else status(((answer.json.error || {}).message) || labels.saveFailed, 'danger');
      });
    },
    validate: function () {
      return files.payload().then(function (sent) {
        return post(withName(config.urls.validate, sent.name) + lanesQuery(), sent.body);
      }).then(function (answer) {
        if (answer.status !== 200) { status(((answer.json.error || {}).message) || labels.requestFailed, 'danger'); return; }
        showProblems(answer.json.problems || []);
        status(answer.json.valid ? labels.valid : labels.invalid, answer.json.valid ? 'success' : 'danger');
      });
    },
    // Deploy asks first: the server's preview says what changes against the latest
    // version (or that the process is new, or that nothing changed); confirming deploys
    // exactly the XML (or the files) that was previewed.
    deploy: function () {
      var sent;
      return files.payload().then(function (payload) {
        sent = payload;
        return post(previewUrl(sent), sent.body);
      }).then(function (answer) {
        if (answer.status !== 200) { status(((answer.json.error || {}).message) || labels.requestFailed, 'danger'); return; }
        showProblems(answer.json.problems || []);
        // lanes waiting for a role are chosen in the dialog; any other error stops here
        if (!answer.json.valid && !answer.json.lanes_only) { status(labels.deployFailed, 'danger'); return; }
        confirmDeploy(answer.json, sent);
      });
    }
  };

  function previewUrl(sent) { return withName(config.urls.preview, sent.name) + lanesQuery(); }

  // The dialog's body, title and buttons for ``preview``; the lane selects preview again.
  function fillDialog(dialog, preview, sent, lane) {
    var body = dialog.querySelector('[data-deploy-body]');
    var confirm = dialog.querySelector('[data-deploy-confirm]');
    var ready = preview.valid && preview.deployable;
    body.innerHTML = preview.html; // rendered and escaped by the server
    dialog.querySelector('[data-deploy-title]').textContent =
      !preview.valid ? labels.lanesTitle : (preview.deployable ? labels.confirmTitle : labels.nothingTitle);
    dialog.querySelector('[data-deploy-cancel]').textContent = ready || !preview.valid ? labels.cancel : labels.close;
    confirm.hidden = preview.valid && !preview.deployable;
    dialog.setAttribute('data-deploy-ready', ready ? 'true' : 'false');
    if (dialog.getAttribute('data-deploy-opening') !== 'true') confirm.disabled = !ready;
    window.TasklaneLanes.bind(body, function (changed) { previewAgain(dialog, sent, changed); });
    window.TasklaneLanes.focus(body, lane);
  }

  function previewAgain(dialog, sent, lane) {
    dialog.querySelector('[data-deploy-confirm]').disabled = true; // until the new answer
    return post(previewUrl(sent), sent.body).then(function (answer) {
      if (answer.status !== 200) { status(((answer.json.error || {}).message) || labels.requestFailed, 'danger'); return; }
      showProblems(answer.json.problems || []);
      fillDialog(dialog, answer.json, sent, lane);
    }).catch(function () { status(labels.requestFailed, 'danger'); });
  }

  function confirmDeploy(preview, sent) {
    var dialog = document.getElementById('deploy-dialog');
    var confirm = dialog.querySelector('[data-deploy-confirm]');
    dialog.setAttribute('data-deploy-opening', 'true');
    fillDialog(dialog, preview, sent);
    var buttons = dialog.querySelectorAll('.modal-footer button, .btn-close');
    // back from the roles page (another tab), the dialog offers the role just added
    focusBack = function () {
      if (dialog.querySelector('[data-lane-mapping]')) previewAgain(dialog, sent);
    };
    confirm.onclick = function () {
      confirm.disabled = true; // one deploy per confirmation
      window.bootstrap.Modal.getOrCreateInstance(dialog).hide();
      sendDeploy(sent).catch(function () { status(labels.requestFailed, 'danger'); });
    };
    // Bootstrap ignores a hide while the dialog is still fading in: the buttons wait for it.
    buttons.forEach(function (button) { button.disabled = true; });
    dialog.addEventListener('shown.bs.modal', function () {
      dialog.removeAttribute('data-deploy-opening');
      buttons.forEach(function (button) { button.disabled = false; });
      confirm.disabled = dialog.getAttribute('data-deploy-ready') !== 'true';
      var lane = dialog.querySelector('select[data-lane-role].is-invalid');
      (lane || (preview.deployable ? confirm : dialog.querySelector('[data-deploy-cancel]'))).focus();
    }, { once: true });
    dialog.addEventListener('hidden.bs.modal', function () { focusBack = null; }, { once: true });
    window.bootstrap.Modal.getOrCreateInstance(dialog).show();
  }

  function sendDeploy(sent) {
    return post(withName(config.urls.deploy, sent.name) + lanesQuery(), sent.body).then(function (answer) {
      if (answer.status === 200) {
        dirty = false;
        showProblems([]);
        var versions = answer.json.versions || [];
        var created = versions.filter(function (v) { return v.created; });
        var names = versions.map(function (v) { return v.key + ' v' + v.version; }).join(', ');
        status(created.length ? labels.deployed.replace('{versions}', names) : labels.unchanged, 'success');
        showDeployed(versions);
      } else if (answer.status === 422 && answer.json.problems) {
        showProblems(answer.json.problems);
        status(labels.deployFailed, 'danger');
      } else {
        status(((answer.json.error || {}).message) || labels.requestFailed, 'danger');
      }
    });
  }

  // The header says which version is now deployed; the drafts were deleted by the deploy,
  // and a new process now has its own address.
  function showDeployed(versions) {
    var key = processKey();
    var mine = versions.filter(function (v) { return v.key === key; })[0] || versions[0];
    if (!mine) return;
    var badge = document.querySelector('[data-version-badge]');
    badge.textContent = labels.versionDeployed.replace('{number}', mine.version);
    badge.hidden = false;
    var draft = document.querySelector('[data-draft-badge]');
    if (draft) draft.remove();
    var here = config.urls.edit.replace('__KEY__', encodeURIComponent(mine.key));
    if (window.location.pathname !== here) window.history.replaceState(null, '', here);
  }

  // Other files were opened: the header names their process; the badges were about the
  // process the page opened with.
  function showKey() {
    var key = processKey();
    document.querySelector('[data-process-key]').textContent = key;
    if (key === config.key) return;
    document.querySelector('[data-version-badge]').hidden = true;
    var draft = document.querySelector('[data-draft-badge]');
    if (draft) draft.remove();
  }

  // The whole diagram in view, as large as fits (never above 100 %), to the right of
  // bpmn-js's palette, which floats over the canvas's top-left corner: bpmn-js's own
  // 'fit-viewport' would put the leftmost shapes under it.
  function fitDiagram() {
    var canvas = service('canvas'), margin = 16;
    var container = canvas.getContainer();
    var box = canvas.viewbox(), inner = box.inner, outer = box.outer;
    if (!inner.width || !inner.height || !outer.width || !outer.height) return;
    var palette = container.querySelector('.djs-palette');
    var left = palette ? palette.getBoundingClientRect().right - container.getBoundingClientRect().left + margin : margin;
    var width = outer.width - left - margin, height = outer.height - 2 * margin;
    if (width <= 0 || height <= 0) { canvas.zoom('fit-viewport'); return; }
    var scale = Math.min(1, width / inner.width, height / inner.height);
    var top = scale < 1 ? margin + (height - inner.height * scale) / 2 : margin;
    canvas.viewbox({
      x: inner.x - left / scale, y: inner.y - top / scale,
      width: outer.width / scale, height: outer.height / scale
    });
  }

  // Upload replaces the diagram shown (while a decision table is shown, the primary one).
  function upload(file) {
    var reader = new FileReader();
    reader.onload = function () {
      files.showDiagram().then(function () {
        return modeler.importXML(String(reader.result));
      }).then(function () {
        dirty = true;
        files.edited();
        clearProblems();
        fitDiagram();
        files.refreshDiagrams();
      }).catch(function () { status(labels.importFailed, 'danger'); });
    };
    reader.readAsText(file);
  }

  // Another file of the bundle, or another diagram of this file, is shown: fit it, and
  // mark the problems last found in it.
  function shown() {
    service('canvas').resized();
    fitDiagram();
    renderPanel();
    if (lastProblems) showProblems(lastProblems);
    files.refreshDiagrams();
  }

  function importDiagram(text) {
    return modeler.importXML(text).then(function (result) {
      if (result.warnings && result.warnings.length) status(result.warnings.length + ' ' + labels.warning, 'warning');
      shown();
    }).catch(function (error) { status(labels.importFailed, 'danger'); throw error; });
  }

  function openDiagram(diagram) { return modeler.open(diagram).then(shown); }

  function bindToolbar() {
    document.querySelectorAll('[data-action]').forEach(function (control) {
      var name = control.getAttribute('data-action');
      if (name === 'upload') {
        control.addEventListener('change', function () { if (control.files[0]) upload(control.files[0]); control.value = ''; });
        return;
      }
      control.addEventListener('click', function () {
        var result = actions[name]();
        if (result && result.catch) result.catch(function () { status(labels.requestFailed, 'danger'); });
      });
    });
    window.addEventListener('focus', function () {
      if (focusBack && document.getElementById('deploy-dialog').classList.contains('show')) focusBack();
    });
    window.addEventListener('beforeunload', function (event) {
      if (dirty) { event.preventDefault(); event.returnValue = labels.unsaved; }
    });
  }

  // ---- start ---------------------------------------------------------------------

  // bpmn-js's own palette and context pad texts, in the page's language (web/modeler_texts.py).
  function translate(template, replacements) {
    var text = (config.texts || {})[template] || template;
    return text.replace(/{([^}]+)}/g, function (_, key) {
      return replacements && key in replacements ? replacements[key] : '{' + key + '}';
    });
  }

  function start(descriptor) {
    var panels = window.BpmnJSPropertiesPanel;
    modeler = new window.BpmnJS({
      container: '#modeler-canvas',
      propertiesPanel: { parent: '#properties-panel' },
      additionalModules: [{ translate: ['value', translate] }].concat(
        panels ? [panels.BpmnPropertiesPanelModule, panels.BpmnPropertiesProviderModule] : []),
      moddleExtensions: { spiffworkflow: descriptor }
    });
    window.tasklaneModeler = modeler; // for the browser tests and the console
    modeler.on('selection.changed', renderPanel);
    modeler.on('commandStack.changed', function (event) {
      if (event.trigger !== 'clear') { dirty = true; files.edited(); }
      var panel = document.getElementById('tasklane-panel');
      if (!panel.contains(document.activeElement)) renderPanel();
    });
    bindToolbar();
    files = window.TasklaneFiles;
    files.init({
      modeler: modeler, config: config, labels: labels, el: el, status: status, post: post, xml: xml,
      fileName: fileName, importDiagram: importDiagram, openDiagram: openDiagram,
      touched: function () { dirty = true; },
      opened: showKey
    });
    return modeler.importXML(config.xml).then(function (result) {
      if (result.warnings && result.warnings.length) status(result.warnings.length + ' ' + labels.warning, 'warning');
      fitDiagram();
      renderPanel();
      files.refreshDiagrams();
      document.body.setAttribute('data-modeler-ready', 'true');
    });
  }

  document.addEventListener('DOMContentLoaded', function () {
    config = JSON.parse(document.getElementById('modeler-config').textContent);
    labels = config.labels;
    window.TasklaneLanes.init(config.laneRoles);
    fetch(config.moddle, { credentials: 'same-origin' })
      .then(function (response) { return response.json(); })
      .then(start)
      .catch(function (error) { status(labels.importFailed + ' ' + error, 'danger'); });
  });
})();
