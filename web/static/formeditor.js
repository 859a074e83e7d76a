// The form editor (web/templates/formeditor/edit.html): download the edited JSON.
// The live preview needs no code here: htmx posts the textareas on input.
(function () {
  'use strict';

  function download(text, filename) {
    var url = URL.createObjectURL(new Blob([text], { type: 'application/json' }));
    var link = document.createElement('a');
    link.href = url;
    link.download = filename;
    document.body.appendChild(link);
    link.click();
    link.remove();
    setTimeout(function () { URL.revokeObjectURL(url); }, 1000);
  }

  document.addEventListener('DOMContentLoaded', function () {
    document.querySelectorAll('[data-download]').forEach(function (button) {
      button.addEventListener('click', function () {
        var area = document.getElementById(button.dataset.download);
        download(area.value, button.dataset.filename);
      });
    });
  });
})();
