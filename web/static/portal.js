// The referral form of the referrer's portal: only the chosen company's products, their
// limits as a hint, and the consultant's phone chosen when typed into. Without this
// script the form still works (products grouped by company, the server checks all).
(function () {
  "use strict";

  function setUp(form) {
    var company = form.querySelector("[name=company_id]");
    var product = form.querySelector("[name=product_id]");
    var hint = form.querySelector("[data-product-hint]");
    var phone = form.querySelector("[data-consultant-phone]");
    var phoneChoice = form.querySelector("[data-phone-choice]");

    function showProducts() {
      var chosen = company.value;
      product.querySelectorAll("optgroup").forEach(function (group) {
        var mine = group.dataset.company === chosen;
        group.hidden = !mine;
        group.disabled = !mine;
      });
      var selected = product.selectedOptions[0];
      if (selected && selected.dataset.company && selected.dataset.company !== chosen) {
        product.value = "";
      }
      var mine = product.querySelectorAll("option[data-company='" + chosen + "']");
      if (mine.length === 1) { product.value = mine[0].value; }
      showHint();
    }

    function showHint() {
      var selected = product.selectedOptions[0];
      hint.textContent = selected && selected.dataset.hint ? selected.dataset.hint : "";
    }

    company.addEventListener("change", showProducts);
    product.addEventListener("change", showHint);
    if (phone && phoneChoice) {
      phone.addEventListener("focus", function () { phoneChoice.checked = true; });
    }
    showProducts();
  }

  // Thousands separators while typing an amount in VND (the server accepts both forms).
  function setUpAmount(input) {
    input.addEventListener("input", function () {
      var digits = input.value.replace(/\D/g, "");
      input.value = digits ? Number(digits).toLocaleString("vi-VN") : "";
    });
  }

  document.addEventListener("DOMContentLoaded", function () {
    document.querySelectorAll("[data-referral-form]").forEach(function (form) {
      setUp(form);
      var amount = form.querySelector("[name=amount]");
      if (amount) { setUpAmount(amount); }
    });
  });
})();
