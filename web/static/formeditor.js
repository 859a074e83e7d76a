// The form editor (web/templates/formeditor/edit.html): download the edited JSON, and forget a
// deploy review once the texts change after it (it no longer shows what Deploy would do).
// The live preview and the review need no code here: htmx posts the form.
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
    var editor = document.getElementById('form-editor');
    var review = document.getElementById('deploy-review');
    if (editor && review) {
      editor.addEventListener('input', function () { review.innerHTML = ''; });
    }
  });
})();
